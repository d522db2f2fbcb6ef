/* tests_user_util.c: helpers for lab 7's kernel tests (tests_user_util.h). */
#include "common/intr_level.h"
#include "common/kstring.h"
#include "lab1-boot/gdt.h"
#include "lab3-paging/kmalloc.h"
#include "setup.h"
#include "tests_user_util.h"
#include "trap.h"

#define LINE_MAX 200

void user_baseline_take(struct user_baseline *b)
{
    tests_baseline_now(&b->k);
    b->procs = proc_count();
    b->upages = uvm_total_pages();
}

/* Split LINE into ARGV (at most ABI_ARGV_MAX words, in BUF): argc. */
static int split(const char *line, char *buf, char **argv)
{
    int argc = 0;
    strlcpy(buf, line, LINE_MAX);
    for (char *s = buf; *s != '\0' && argc < ABI_ARGV_MAX;) {
        while (*s == ' ')
            *s++ = '\0';
        if (*s == '\0')
            break;
        argv[argc++] = s;
        while (*s != '\0' && *s != ' ')
            s++;
    }
    return argc;
}

int user_start(const char *line)
{
    char buf[LINE_MAX];
    char *argv[ABI_ARGV_MAX];
    int argc = split(line, buf, argv);
    int pid = proc_spawn(argv[0], argc, argv);
    if (pid <= 0)
        KT_FAIL("spawn '%s' must give a pid, got error %d", line, pid);
    return pid;
}

int user_start_in_ring0(const char *line, void (*kernel_entry)(void))
{
    KT_ASSERT(intr_get_level() == INTR_OFF);
    int pid = user_start(line);
    struct process *p = proc_by_pid(pid);
    KT_ASSERT(p != NULL && p->state == PROC_ALIVE && !p->entered);
    p->start.f.eip = (uint32_t)kernel_entry;
    p->start.f.cs = GDT_KERNEL_CODE;
    p->start.f.ds = p->start.f.es = p->start.f.fs = p->start.f.gs = GDT_KERNEL_DATA;
    p->start.f.eflags = EFLAGS_RESERVED | EFLAGS_IF;
    return pid;
}

enum proc_state user_state_of(int pid)
{
    enum intr_level old = intr_disable();
    struct process *p = proc_by_pid(pid);
    enum proc_state st = p != NULL ? p->state : PROC_FREE;
    intr_set_level(old);
    return st;
}

int user_run(const char *line)
{
    int status = -1;
    int pid = user_start(line);
    enum intr_level before = intr_get_level();
    int r = proc_wait(pid, &status);
    if (intr_get_level() != before)
        KT_FAIL("step 6 (wait's reaping): wait for '%s' returned with interrupts %s: "
                "proc_wait must give back its caller's interrupt level on every return", line,
                intr_get_level() == INTR_ON ? "on" : "off");
    if (r != pid)
        KT_FAIL("wait for '%s' (pid %d) must reap it, got %d", line, pid, r);
    return status;
}

int user_find(const char *name, int ppid)
{
    struct abi_procinfo info;
    for (int i = 0; proc_info(i, &info) == 0; i++)
        if (strcmp(info.name, name) == 0 && info.ppid == ppid)
            return info.pid;
    return -1;
}

void user_expect_exit(const char *line, int status, int code)
{
    if (!ABI_WIFEXITED(status))
        KT_FAIL("'%s' must exit with %d, but the kernel ended it (reason %u; see its report)",
                line, code, ABI_WKILLREASON(status));
    if (ABI_WEXITSTATUS(status) != code)
        KT_FAIL("'%s' must exit with %d, got %d (its output says why)", line, code,
                ABI_WEXITSTATUS(status));
}

void user_expect_killed(const char *line, int status, int reason, int alt)
{
    if (ABI_WIFEXITED(status))
        KT_FAIL("'%s' must be ended by the kernel, but it exited with %d (1: the forbidden "
                "thing worked)", line, ABI_WEXITSTATUS(status));
    int got = (int)ABI_WKILLREASON(status);
    if (got != reason && got != alt)
        KT_FAIL("'%s' must be ended with reason %d, got %d", line, reason, got);
}
