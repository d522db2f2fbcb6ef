/* t_badptr.c: every system call refuses bad user pointers and lengths with an error (NULL, kernel
 * addresses, unmapped pages, buffers straddling into an unmapped page or the kernel, huge lengths,
 * strings without an end) and the process goes on. Exit 0 = PASS; each failure is printed. */
#include "user/lib/ulib.h"

#define USER_STACK_TOP 0xBFFFF000u /* the first byte above the user stack: unmapped */
#define KERNEL_TEXT    0x00100000u /* the kernel image (identity-mapped, supervisor only) */
#define KERNEL_TOP     0xFFFFF000u /* the recursive page-directory window */
#define UNMAPPED       0x30000000u /* nothing of this program lives here */

/* Addresses no system call may read or write. */
static const struct { const char *name; uint32_t addr; } bad[] = {
    {"NULL", 0},
    {"page 0", 0x10},
    {"kernel text", KERNEL_TEXT},
    {"user-range limit", 0xC0000000u},
    {"page-table window", KERNEL_TOP},
    {"unmapped", UNMAPPED},
    {"stack top", USER_STACK_TOP},
};
#define NBAD (sizeof bad / sizeof bad[0])

static void expect_fault(const char *call, const char *what, int r)
{
    CHECK(r == -E_FAULT, "%s with %s: must return -E_FAULT, got %d (%s)", call, what, r,
          r < 0 ? errname(r) : "success");
}

static void expect_error(const char *call, const char *what, int r)
{
    CHECK(r < 0, "%s with %s: must fail, got %d", call, what, r);
}

/* The last N bytes of the stack's top page: the byte after them is unmapped. */
static char *stack_end(unsigned n)
{
    return (char *)(uintptr_t)(USER_STACK_TOP - n);
}

int main(void)
{
    int status;
    /* Something to wait for: a zombie child. */
    int child = fork();
    if (child == 0)
        exit(0);

    for (unsigned i = 0; i < NBAD; i++) {
        void *p = (void *)(uintptr_t)bad[i].addr;
        expect_fault("write", bad[i].name, write(1, p, 16));
        expect_fault("read", bad[i].name, read(0, p, 16));
        char *argv_ok[] = {"args", NULL};
        expect_fault("spawn path", bad[i].name, spawn(p, argv_ok));
        if (bad[i].addr != 0) { /* a NULL argv[1] ends argv; NULL argv, NULL status may mean "none" */
            char *argv_bad_elem[] = {"args", p, NULL};
            expect_fault("spawn argv[1]", bad[i].name, spawn("args", argv_bad_elem));
            expect_fault("spawn argv", bad[i].name, spawn("args", p));
            expect_fault("wait status", bad[i].name, wait(child, p));
        }
        expect_fault("procinfo", bad[i].name, procinfo(0, p));
        if (bad[i].addr != 0)
            expect_error("mem_free", bad[i].name, mem_free(p));
    }

    /* Buffers that start in mapped memory and run into an unmapped page or the kernel. */
    expect_fault("write", "a buffer straddling the stack top", write(1, stack_end(8), 64));
    expect_fault("read", "a buffer straddling the stack top", read(0, stack_end(8), 64));
    expect_fault("procinfo", "a buffer straddling the stack top",
                 procinfo(0, (struct abi_procinfo *)stack_end(8)));
    expect_fault("write", "a buffer running into the kernel", write(1, (void *)0xBFFFFFF0u, 64));
    expect_fault("write", "a buffer wrapping around 4 GiB", write(1, (void *)0xFFFFFFF0u, 64));

    /* Huge lengths on a small valid buffer (16 bytes before the unmapped page: a kernel that
     * clamps the length to ABI_IO_MAX still runs off the end). */
    char *small = stack_end(16);
    memcpy(small, "huge length\n", 12);
    expect_error("write", "length 0xFFFFFFFF", write(1, small, 0xFFFFFFFFu));
    expect_error("write", "length 0x80000000", write(1, small, 0x80000000u));
    expect_error("read", "length 0xFFFFFFFF", read(0, small, 0xFFFFFFFFu));
    expect_error("mem_alloc", "size 0xFFFFFFFF", sys_mem_alloc(0xFFFFFFFFu));
    expect_error("mem_alloc", "size 0xC0000000", sys_mem_alloc(0xC0000000u));

    /* Strings without an end: the name's last byte is the last mapped byte. */
    char *end = stack_end(4);
    memcpy(end, "args", 4);
    char *argv_ok[] = {"args", NULL};
    expect_fault("spawn path", "an unterminated string", spawn(end, argv_ok));
    char *argv_unterm[] = {"args", end, NULL};
    expect_fault("spawn argv[1]", "an unterminated string", spawn("args", argv_unterm));
    /* An argv array whose NULL never comes: the pointers run into the unmapped page. */
    char **argv_end = (char **)(void *)stack_end(8);
    argv_end[0] = "args";
    argv_end[1] = "x";
    int r = spawn("args", argv_end);
    CHECK(r == -E_FAULT || r == -E_2BIG, "spawn with an argv without NULL must fail, got %d", r);
    memset(end, 0, 4);

    /* Limits: too long a name, too many or too long arguments. */
    char longname[ABI_PATH_MAX + 8];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    r = spawn(longname, argv_ok);
    CHECK(r == -E_NAMETOOLONG || r == -E_NOENT, "spawn of a %u-byte name: got %d",
          (unsigned)sizeof longname, r);
    char *many[ABI_ARGV_MAX + 2];
    for (int i = 0; i <= ABI_ARGV_MAX; i++)
        many[i] = "args";
    many[ABI_ARGV_MAX + 1] = NULL;
    r = spawn("args", many);
    CHECK(r == -E_2BIG, "spawn with %d arguments must return -E_2BIG, got %d", ABI_ARGV_MAX + 1, r);
    char longarg[ABI_ARG_MAX + 8];
    memset(longarg, 'b', sizeof longarg - 1);
    longarg[sizeof longarg - 1] = '\0';
    char *argv_long[] = {"args", longarg, NULL};
    r = spawn("args", argv_long);
    CHECK(r == -E_2BIG || r == -E_NAMETOOLONG, "spawn with a %u-byte argument: got %d",
          (unsigned)sizeof longarg, r);

    /* Numbers that are not system calls, processes that do not exist. */
    CHECK(syscall5(0, 0, 0, 0, 0, 0) == -E_NOSYS, "system call 0 must return -E_NOSYS");
    CHECK(syscall5(SYS_COUNT, 0, 0, 0, 0, 0) == -E_NOSYS, "system call SYS_COUNT: -E_NOSYS");
    CHECK(syscall5(-1, 0, 0, 0, 0, 0) == -E_NOSYS, "system call -1 must return -E_NOSYS");
    CHECK(syscall5(0x7FFFFFFF, 0, 0, 0, 0, 0) == -E_NOSYS, "system call 0x7FFFFFFF: -E_NOSYS");
    CHECK(kill(-5) == -E_SRCH, "kill(-5) must return -E_SRCH");
    CHECK(kill(1000000) == -E_SRCH, "kill(1000000) must return -E_SRCH");
    char buf[4] = "bad";
    CHECK(write(7, buf, 4) == -E_BADF, "write to fd 7 must return -E_BADF");
    CHECK(read(1, buf, 4) == -E_BADF, "read from fd 1 must return -E_BADF");
    struct abi_procinfo info;
    CHECK(procinfo(-1, &info) < 0, "procinfo(-1) must fail");

    /* The zombie child is still there after all the failed waits. */
    CHECK(wait(child, &status) == child, "the child must still be waitable after bad waits");
    return check_verdict("t_badptr");
}
