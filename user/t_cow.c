/* t_cow.c: fork's memory stays private on both sides whether fork copies or shares pages
 * copy-on-write (the lab 7 challenge). Exit 0 = PASS. Modes (the kernel tests feed stdin):
 *   both    parent and child each write after fork, and the kernel writes into both (read(0)):
 *           neither side sees the other's writes; stdin must hold "one\ntwo\n"
 *   chain   fork of a fork: three processes share pages; each one's writes stay its own
 *   text    a child writing its own program text is still ended (#PF), the parent goes on
 *   share N a region of N pages, fork; the child waits for a line on stdin (the kernel looks
 *           at both address spaces meanwhile), checks the pages and exits
 *   oom     the child writes a shared page while the kernel holds every free frame (after a
 *           line on stdin): the kernel must end the child, and the parent's page is intact */
#include "user/lib/ulib.h"

#define PAGE 4096
#define YIELD_LIMIT 1000000 /* yields a child waits for its parent to block, at most */

static int data_var = 1111;
static int bss_var;
static char rbuf[32] = "orig";

/* True once process PID is blocked (in wait: this program blocks nowhere else). */
static bool blocked(int pid)
{
    struct abi_procinfo info;
    for (int i = 0; procinfo(i, &info) == 0; i++)
        if (info.pid == pid)
            return info.state == ABI_PROC_BLOCKED;
    return false;
}

/* Wait for the child PID: it must have exited with 0. */
static void reap_ok(int pid, const char *who)
{
    int status = -1;
    CHECK(pid > 0, "fork must give the %s's pid, got %d (%s)", who, pid, errname(pid));
    CHECK(wait(pid, &status) == pid, "wait for the %s must reap it", who);
    CHECK(ABI_WIFEXITED(status) && ABI_WEXITSTATUS(status) == 0,
          "the %s must exit 0, got status %#x (exit 100+k: bit k of k = what it saw wrong)", who,
          status);
}

static int mode_both(void)
{
    volatile int stack_var = 3333;
    int *heap = malloc(sizeof *heap);
    int *region = mem_alloc(PAGE);
    if (heap == NULL || region == NULL)
        return 2;
    *heap = 4444;
    *region = 5555;
    bss_var = 2222;
    int parent = getpid();
    int pid = fork();
    if (pid == 0) { /* runs once the parent has written its new values and waits */
        for (int i = 0; i < YIELD_LIMIT && !blocked(parent); i++)
            yield();
        int bad = 0;
        bad |= (data_var != 1111) << 0;
        bad |= (bss_var != 2222) << 1;
        bad |= (stack_var != 3333) << 2;
        bad |= (*heap != 4444) << 3;
        bad |= (*region != 5555) << 4;
        bad |= (memcmp(rbuf, "orig", 5) != 0) << 5; /* the parent's read() must not show */
        int n = read(0, rbuf, sizeof rbuf - 1);     /* the kernel writes the child's copy */
        bad |= (n != 4 || memcmp(rbuf, "two\n", 4) != 0) << 6;
        data_var = bss_var = stack_var = *heap = *region = -1;
        exit(bad == 0 ? 0 : 100 + bad);
    }
    data_var = 1; /* the parent's writes after fork: the child must not see them */
    bss_var = 2;
    stack_var = 3;
    *heap = 4;
    *region = 5;
    int n = read(0, rbuf, sizeof rbuf - 1); /* the kernel writes a page the child shares */
    CHECK(n == 4 && memcmp(rbuf, "one\n", 4) == 0, "read must give the parent \"one\\n\", got %d",
          n);
    reap_ok(pid, "child");
    CHECK(data_var == 1 && bss_var == 2 && stack_var == 3 && *heap == 4 && *region == 5,
          "the child's writes must not reach the parent: data %d bss %d stack %d heap %d "
          "region %d", data_var, bss_var, stack_var, *heap, *region);
    CHECK(memcmp(rbuf, "one\n", 4) == 0, "the kernel's write into the child (read) must not "
          "reach the parent's buffer");
    CHECK(mem_free(region) == 0, "mem_free of a region fork shared must succeed");
    free(heap);
    return check_verdict("t_cow both");
}

static int mode_chain(void)
{
    int *region = mem_alloc(2 * PAGE);
    if (region == NULL)
        return 2;
    int *kept = region + PAGE / sizeof(int); /* written before fork only: shared three ways */
    data_var = 10;
    *region = 10;
    *kept = 77;
    int pid = fork();
    if (pid == 0) {
        int bad = (data_var != 10 || *region != 10 || *kept != 77) << 0;
        data_var = 20;
        *region = 20;
        int g = fork();
        if (g == 0) {
            int gbad = (data_var != 20 || *region != 20 || *kept != 77) << 0;
            data_var = 30;
            *region = 30;
            exit(gbad == 0 ? 0 : 100 + gbad);
        }
        int st = -1;
        bad |= (g <= 0 || wait(g, &st) != g || st != 0) << 1;
        bad |= (data_var != 20 || *region != 20) << 2; /* the grandchild's writes stay its own */
        bad |= (mem_free(region) != 0) << 3;          /* the parent's mapping must stay */
        exit(bad == 0 ? 0 : 100 + bad);
    }
    reap_ok(pid, "child (which forked a grandchild)");
    CHECK(data_var == 10 && *region == 10 && *kept == 77,
          "neither the child's nor the grandchild's writes (nor the child's mem_free) may reach "
          "the parent: data %d region %d kept %d", data_var, *region, *kept);
    *kept = 78; /* no sharer left: written in place */
    CHECK(*kept == 78, "a page no other process shares must be writable again");
    return check_verdict("t_cow chain");
}

static int mode_text(void)
{
    int pid = fork();
    if (pid == 0) {
        *(volatile unsigned char *)(uintptr_t)mode_text = 0xCC; /* must end this process */
        exit(1);
    }
    int status = -1;
    CHECK(wait(pid, &status) == pid, "wait for the child must reap it");
    CHECK(!ABI_WIFEXITED(status) && ABI_WKILLREASON(status) == ABI_KILLED_MEMORY,
          "a child writing its program text must be ended (#PF) even though fork shares that "
          "page: status %#x", status);
    CHECK(*(volatile unsigned char *)(uintptr_t)mode_text != 0xCC,
          "the parent's text must be untouched");
    return check_verdict("t_cow text");
}

static int mode_share(int pages)
{
    char *r = mem_alloc((unsigned)pages * PAGE);
    if (pages <= 0 || r == NULL)
        return 2;
    for (int i = 0; i < pages; i++)
        r[i * PAGE] = (char)(i + 1);
    int pid = fork();
    if (pid == 0) {
        char line[8];
        read(0, line, sizeof line); /* the kernel looks at both address spaces meanwhile */
        int bad = 0;
        for (int i = 0; i < pages; i++)
            bad |= r[i * PAGE] != (char)(i + 1);
        exit(bad);
    }
    reap_ok(pid, "child");
    return check_verdict("t_cow share");
}

/* Touch the stack some pages down, so the parent needs no new page later. */
static __attribute__((noinline)) void touch_stack(void)
{
    volatile char deep[3 * PAGE];
    for (unsigned i = 0; i < sizeof deep; i += PAGE / 2)
        deep[i] = 1;
}

static int mode_oom(void)
{
    char *r = mem_alloc(2 * PAGE);
    if (r == NULL)
        return 2;
    r[0] = 'a';
    r[PAGE] = 'b';
    touch_stack();
    int pid = fork();
    if (pid == 0) {
        r[0] = 'A';               /* a private copy now, while frames are free */
        read(0, r, 16);           /* the kernel takes every free frame, then sends a line */
        r[PAGE] = 'B';            /* no frame for the copy: the kernel must end this process */
        exit(1);
    }
    int status = -1;
    CHECK(wait(pid, &status) == pid, "wait for the child must reap it");
    CHECK(!ABI_WIFEXITED(status) && ABI_WKILLREASON(status) == ABI_KILLED_MEMORY,
          "a copy-on-write fault with no free frame must end the child (#PF), status %#x",
          status);
    CHECK(r[0] == 'a' && r[PAGE] == 'b', "the parent's pages must be intact: '%c' '%c'", r[0],
          r[PAGE]);
    return check_verdict("t_cow oom");
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "both") == 0)
        return mode_both();
    if (strcmp(mode, "chain") == 0)
        return mode_chain();
    if (strcmp(mode, "text") == 0)
        return mode_text();
    if (strcmp(mode, "share") == 0 && argc > 2)
        return mode_share(atoi(argv[2]));
    if (strcmp(mode, "oom") == 0)
        return mode_oom();
    printf("usage: t_cow both|chain|text|share N|oom\n");
    return 2;
}
