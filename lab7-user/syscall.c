/* syscall.c: the system-call dispatcher (int 0x80): a table by number, every pointer checked through uaccess. */
#include <stddef.h>

#include "common/console.h"
#include "common/intr_level.h"
#include "common/kstring.h"
#include "lab1-boot/input.h"
#include "lab3-paging/kmalloc.h"
#include "lab4-threads/scheduler.h"
#include "proc.h"
#include "syscall_abi.h"
#include "trap.h"
#include "uaccess.h"
#include "uvm.h"

#define CHUNK 128 /* bytes write() copies into the kernel at a time */
#define FD_STDIN 0
#define FD_STDOUT 1
#define FD_STDERR 2

typedef int32_t syscall_fn(struct trap_frame *tf, uint32_t a, uint32_t b, uint32_t c);

static unsigned long calls_total;

static int32_t sys_exit(struct trap_frame *tf, uint32_t status, uint32_t b, uint32_t c)
{
    (void)tf, (void)b, (void)c;
    proc_exit(ABI_STATUS_EXITED((int)status));
}

static int32_t sys_fork(struct trap_frame *tf, uint32_t a, uint32_t b, uint32_t c)
{
    (void)a, (void)b, (void)c;
    return proc_fork(tf);
}

/* The spawn arguments, copied into the kernel. */
struct spawn_args {
    char path[ABI_PATH_MAX];
    char args[ABI_ARGV_MAX][ABI_ARG_MAX];
    char *argv[ABI_ARGV_MAX];
};

static int32_t sys_spawn(struct trap_frame *tf, uint32_t upath, uint32_t uargv, uint32_t c)
{
    (void)tf, (void)c;
    struct spawn_args *sa = kmalloc(sizeof *sa);
    if (sa == NULL)
        return -E_NOMEM;
    int argc = 0, rc = strncpy_from_user(sa->path, upath, sizeof sa->path);
    if (rc >= 0 && uargv == 0) { /* no argv: argv[0] is the path */
        strlcpy(sa->args[0], sa->path, ABI_ARG_MAX);
        argc = 1;
    }
    for (; rc >= 0 && uargv != 0; argc++) {
        uint32_t ptr;
        rc = copy_from_user(&ptr, uargv + (uint32_t)argc * 4, 4);
        if (rc < 0 || ptr == 0)
            break;
        if (argc == ABI_ARGV_MAX) {
            rc = -E_2BIG;
            break;
        }
        rc = strncpy_from_user(sa->args[argc], ptr, ABI_ARG_MAX);
        if (rc == -E_NAMETOOLONG)
            rc = -E_2BIG;
    }
    if (rc >= 0) {
        for (int i = 0; i < argc; i++)
            sa->argv[i] = sa->args[i];
        rc = proc_spawn(sa->path, argc, sa->argv);
    }
    kfree(sa);
    return rc;
}

static int32_t sys_wait(struct trap_frame *tf, uint32_t pid, uint32_t ustatus, uint32_t c)
{
    (void)tf, (void)c;
    int status = 0;
    if (ustatus != 0 && uaccess_check(ustatus, sizeof status, true) != 0)
        return -E_FAULT; /* checked before reaping: a bad pointer loses no child */
    int rc = proc_wait((int)pid, &status);
    if (rc > 0 && ustatus != 0 && copy_to_user(ustatus, &status, sizeof status) != 0)
        return -E_FAULT;
    return rc;
}

static int32_t sys_getpid(struct trap_frame *tf, uint32_t a, uint32_t b, uint32_t c)
{
    (void)tf, (void)a, (void)b, (void)c;
    return proc_current()->pid;
}

static int32_t sys_getppid(struct trap_frame *tf, uint32_t a, uint32_t b, uint32_t c)
{
    (void)tf, (void)a, (void)b, (void)c;
    return proc_current()->ppid;
}

static int32_t sys_kill(struct trap_frame *tf, uint32_t pid, uint32_t b, uint32_t c)
{
    (void)tf, (void)b, (void)c;
    return proc_kill((int)pid);
}

static int32_t sys_sleep(struct trap_frame *tf, uint32_t ms, uint32_t b, uint32_t c)
{
    (void)tf, (void)b, (void)c;
    proc_sleep(ms);
    return 0;
}

static int32_t sys_yield(struct trap_frame *tf, uint32_t a, uint32_t b, uint32_t c)
{
    (void)tf, (void)a, (void)b, (void)c;
    scheduler_yield();
    return 0;
}

/* The whole of [UBUF, UBUF + LEN) must be user addresses, even past what one
 * call moves: 0 or -E_FAULT. */
static int user_range(uint32_t ubuf, uint32_t len)
{
    if (len != 0 && (ubuf < USER_LO || ubuf + len < ubuf || ubuf + len > USER_HI))
        return -E_FAULT;
    return 0;
}

/* The console line being handed out to read() (lines are read whole). */
static char line[ABI_IO_MAX];
static uint32_t line_len, line_pos;

/* True once the running process was asked to end (kill): a console read gives up. */
static bool read_cancelled(void)
{
    struct process *p = proc_current();
    return p != NULL && p->kill_reason != 0;
}

static int32_t sys_read(struct trap_frame *tf, uint32_t fd, uint32_t ubuf, uint32_t len)
{
    (void)tf;
    if (fd != FD_STDIN)
        return -E_BADF;
    if (user_range(ubuf, len) != 0)
        return -E_FAULT;
    if (len > ABI_IO_MAX)
        len = ABI_IO_MAX;
    if (len == 0)
        return 0;
    if (uaccess_check(ubuf, len, true) != 0)
        return -E_FAULT;
    if (line_pos == line_len) {
        long got = input_readline_until(line, sizeof line - 1, read_cancelled);
        if (got < 0)
            return -E_AGAIN; /* killed while waiting: the dispatcher ends it next */
        line_len = (uint32_t)got;
        line[line_len++] = '\n';
        line_pos = 0;
    }
    uint32_t n = line_len - line_pos < len ? line_len - line_pos : len;
    if (copy_to_user(ubuf, line + line_pos, n) != 0)
        return -E_FAULT;
    line_pos += n;
    return (int32_t)n;
}

static int32_t sys_write(struct trap_frame *tf, uint32_t fd, uint32_t ubuf, uint32_t len)
{
    (void)tf;
    char buf[CHUNK + 1];
    if (fd != FD_STDOUT && fd != FD_STDERR)
        return -E_BADF;
    if (user_range(ubuf, len) != 0)
        return -E_FAULT;
    if (len > ABI_IO_MAX)
        len = ABI_IO_MAX;
    if (uaccess_check(ubuf, len, false) != 0)
        return -E_FAULT;
    for (uint32_t done = 0; done < len;) {
        uint32_t n = len - done < CHUNK ? len - done : CHUNK;
        if (copy_from_user(buf, ubuf + done, n) != 0)
            return -E_FAULT;
        for (uint32_t i = 0; i < n; i++)
            console_putc(buf[i]);
        done += n;
    }
    return (int32_t)len;
}

static int32_t sys_mem_alloc(struct trap_frame *tf, uint32_t size, uint32_t b, uint32_t c)
{
    (void)tf, (void)b, (void)c;
    return uvm_heap_alloc(&proc_current()->us, size);
}

static int32_t sys_mem_free(struct trap_frame *tf, uint32_t start, uint32_t b, uint32_t c)
{
    (void)tf, (void)b, (void)c;
    return uvm_heap_free(&proc_current()->us, start);
}

static int32_t sys_procinfo(struct trap_frame *tf, uint32_t index, uint32_t uout, uint32_t c)
{
    (void)tf, (void)c;
    struct abi_procinfo info;
    if (uaccess_check(uout, sizeof info, true) != 0 || uout == 0)
        return -E_FAULT;
    int rc = proc_info((int)index, &info);
    if (rc == 0 && copy_to_user(uout, &info, sizeof info) != 0)
        return -E_FAULT;
    return rc;
}

static syscall_fn *const syscalls[SYS_COUNT] __attribute__((unused)) = {
    [SYS_EXIT] = sys_exit,         [SYS_FORK] = sys_fork,
    [SYS_SPAWN] = sys_spawn,       [SYS_WAIT] = sys_wait,
    [SYS_GETPID] = sys_getpid,     [SYS_KILL] = sys_kill,
    [SYS_SLEEP] = sys_sleep,       [SYS_YIELD] = sys_yield,
    [SYS_READ] = sys_read,         [SYS_WRITE] = sys_write,
    [SYS_MEM_ALLOC] = sys_mem_alloc, [SYS_MEM_FREE] = sys_mem_free,
    [SYS_GETPPID] = sys_getppid,   [SYS_PROCINFO] = sys_procinfo,
};

void syscall_dispatch(struct trap_frame *tf)
{
    struct process *p = proc_current();
    if (p == NULL || !trap_from_user(&tf->f)) {
        tf->f.eax = (uint32_t)-E_PERM;
        return;
    }
    intr_enable(); /* system calls are preemptible */
    calls_total++;
    p->syscalls++;
    uint32_t n = tf->f.eax;
    int32_t rc = -E_NOSYS;
    /* LAB 7: TODO call the handler for the number in eax with the arguments
     * in ebx, ecx, edx; -E_NOSYS for a number with no handler. The result
     * goes back in eax. */
    /* LAB 7: BEGIN SOLUTION */
    if (n < SYS_COUNT && syscalls[n] != NULL)
        rc = syscalls[n](tf, tf->f.ebx, tf->f.ecx, tf->f.edx);
    else
        rc = -E_NOSYS;
    tf->f.eax = (uint32_t)rc;
    /* LAB 7: END SOLUTION */
    (void)rc, (void)n;
    proc_check_kill();
    intr_disable(); /* intr_return restores ring 3 with interrupts off until iret */
}

unsigned long syscall_count(void);
unsigned long syscall_count(void)
{
    return calls_total;
}
