/* tests_cow.c: lab 7's challenge tests: copy-on-write fork (ucow.c): frames shared, memory private on both sides, counts back to zero, a fault with no frame. */
#include "common/format.h"
#include "common/intr_level.h"
#include "lab1-boot/input.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab3-paging/page_table.h"
#include "lab4-threads/scheduler.h"
#include "setup.h"
#include "tests_user_util.h"
#include "ucow.h"

#define SHARE_PAGES 16      /* t_cow share: the region fork must share */
#define POLL_LIMIT 200000   /* yields a test waits for a process to reach a point, at most */
#define HOARD_RUNS 256      /* runs of frames the out-of-memory test may hold */

/* Copy-on-write fork on (the challenge section also boots with fork=cow). */
#define COW_REQUIRE()                                                           \
    do {                                                                        \
        USER_REQUIRE();                                                         \
        ucow_set_enabled(true);                                                 \
    } while (0)

/* Type LINE on the console, as COM1's interrupt handler would. */
static void push_input(const char *line)
{
    enum intr_level old = intr_disable();
    for (const char *s = line; *s != '\0'; s++)
        input_push(*s);
    intr_set_level(old);
}

/* The invariant of the counts: they add up to the user pages mapped. */
static void expect_counts_consistent(const char *when)
{
    unsigned long sum = ucow_ref_total(), pages = uvm_total_pages();
    if (sum != pages)
        KT_FAIL("%s: the reference counts must add up to the user pages mapped (each entry "
                "that maps a frame counts once): %lu pages, counts sum to %lu", when, pages,
                sum);
}

/* Nothing alive: every count must be back to zero. */
static void expect_counts_zero(const char *when)
{
    expect_counts_consistent(when);
    if (proc_count() == 0 && (ucow_ref_total() != 0 || ucow_frames_shared() != 0))
        KT_FAIL("%s: with no process left every count must be 0, sum %lu, frames shared %lu",
                when, ucow_ref_total(), ucow_frames_shared());
}

/* The child of PPID once it has made SYSCALLS system calls (NULL: not in time). */
static struct process *child_after(int ppid, unsigned long syscalls)
{
    for (int i = 0; i < POLL_LIMIT; i++) {
        struct abi_procinfo info;
        enum intr_level old = intr_disable();
        struct process *c = NULL;
        for (int k = 0; proc_info(k, &info) == 0 && c == NULL; k++)
            if (info.ppid == ppid)
                c = proc_by_pid(info.pid);
        bool there = c != NULL && c->state == PROC_ALIVE && c->syscalls >= syscalls;
        intr_set_level(old);
        if (there)
            return c;
        scheduler_yield();
    }
    return NULL;
}

/* Run LINE (stdin holding INPUT) twice, expecting exit 0; the second run gives everything back. */
static void run_twice_no_leak(const char *line, const char *input)
{
    struct user_baseline b;
    push_input(input);
    user_expect_exit(line, user_run(line), 0);
    user_baseline_take(&b);
    push_input(input);
    user_expect_exit(line, user_run(line), 0);
    USER_ASSERT_NO_LEAK(&b, line);
    expect_counts_zero(line);
}

KTEST(user_cow_fork_shares_frames)
{
    COW_REQUIRE();
    char line[32];
    ksnprintf(line, sizeof line, "t_cow share %d", SHARE_PAGES);
    run_twice_no_leak(line, "\n");
    int pid = user_start(line);
    struct process *c = child_after(pid, 1); /* its first call: read(0), which waits */
    struct process *p = proc_by_pid(pid);
    unsigned shared = 0, cow = 0, counted = 0;
    uint32_t start = 0;
    for (unsigned i = 0; c != NULL && i < UHEAP_REGIONS; i++)
        if (p->us.heap[i].size == SHARE_PAGES * PAGE_SIZE)
            start = p->us.heap[i].start;
    for (uint32_t va = start; c != NULL && start != 0 && va < start + SHARE_PAGES * PAGE_SIZE;
         va += PAGE_SIZE) {
        uint32_t pp = uvm_pte(&p->us, va), cp = uvm_pte(&c->us, va);
        if (!pte_present(pp) || !pte_present(cp) || pte_frame(pp) != pte_frame(cp))
            continue;
        shared++;
        cow += !(pp & PTE_WRITABLE) && !(cp & PTE_WRITABLE) && (pp & PTE_COW) && (cp & PTE_COW);
        counted += ucow_ref_count(pte_frame(pp)) == 2;
    }
    unsigned long sum = ucow_ref_total(), pages = uvm_total_pages();
    push_input("\n");
    int st = 0;
    KT_ASSERT_EQ(proc_wait(pid, &st), pid);
    if (c == NULL || start == 0)
        KT_FAIL("'%s': its child never waited in read(0) (a read into a page fork shared "
                "must work: uaccess gives the page its own copy first), or no region of %d "
                "pages", line, SHARE_PAGES);
    if (shared != SHARE_PAGES)
        KT_FAIL("fork=cow: the child must map the parent's frames, not copies: %u of %d pages "
                "of a region shared (ucow_share says -E_NOSYS until written)", shared,
                SHARE_PAGES);
    if (cow != SHARE_PAGES || counted != SHARE_PAGES)
        KT_FAIL("a page fork shared must be read-only with PTE_COW on both sides (%u of %d) "
                "and its frame counted twice (%u of %d)", cow, SHARE_PAGES, counted,
                SHARE_PAGES);
    if (sum != pages)
        KT_FAIL("while shared, the counts must add up to the user pages mapped: %lu, got %lu",
                pages, sum);
    user_expect_exit(line, st, 0);
    expect_counts_zero(line);
}

KTEST(user_cow_memory_independent)
{
    COW_REQUIRE();
    struct ucow_stats s0, s1;
    ucow_get_stats(&s0);
    run_twice_no_leak("t_cow both", "one\ntwo\n");
    ucow_get_stats(&s1);
    if (s1.copies == s0.copies || s1.reuses == s0.reuses)
        KT_FAIL("fork=cow: 't_cow both' writes shared pages on both sides: some faults must "
                "copy a shared page (%lu) and some make an unshared one writable again (%lu)",
                s1.copies - s0.copies, s1.reuses - s0.reuses);
}

KTEST(user_cow_fork_chain)
{
    COW_REQUIRE();
    struct ucow_stats s0, s1;
    ucow_get_stats(&s0);
    run_twice_no_leak("t_cow chain", "");
    ucow_get_stats(&s1);
    if (s1.shared == s0.shared)
        KT_FAIL("fork=cow: a fork of a fork must share pages, none were");
    run_twice_no_leak("t_cow text", "");
}

/* Take every free frame of the process pool into RUNS (at most HOARD_RUNS): how many runs. */
static unsigned hoard_take(unsigned long runs[], unsigned n)
{
    struct cont_frame_pool *pool = paging_process_pool();
    unsigned size = 1024;
    while (n < HOARD_RUNS) {
        unsigned long f = cfp_get_frames(pool, size);
        if (f != 0)
            runs[n++] = f;
        else if (size == 1)
            break;
        else
            size /= 2;
    }
    return n;
}

/* One run of `t_cow oom`: every free frame taken while its child waits in
 * read(0), given back once the child has ended. Its wait status; *WHY says
 * what went wrong with the set-up (NULL: nothing). */
static int oom_run(const char **why)
{
    static unsigned long runs[HOARD_RUNS];
    *why = NULL;
    int pid = user_start("t_cow oom");
    struct process *c = child_after(pid, 1); /* in read(0): its private page is made */
    enum intr_level old = intr_disable();
    struct process *p = proc_by_pid(pid);
    bool parent_waits = p != NULL && p->waiter != NULL;
    intr_set_level(old);
    for (int i = 0; c != NULL && !parent_waits && i < POLL_LIMIT; i++) {
        scheduler_yield();
        old = intr_disable();
        parent_waits = p->waiter != NULL;
        intr_set_level(old);
    }
    unsigned n = hoard_take(runs, 0);
    unsigned long left = cfp_free_count(paging_process_pool());
    int cpid = c != NULL ? c->pid : -1;
    push_input("go\n");
    for (int i = 0; cpid > 0 && i < POLL_LIMIT; i++) { /* until the child has ended */
        old = intr_disable();
        struct process *q = proc_by_pid(cpid);
        bool ended = q == NULL || q->state != PROC_ALIVE;
        intr_set_level(old);
        if (ended)
            break;
        n = hoard_take(runs, n); /* a frame given back meanwhile (a thread's stack) */
        scheduler_yield();
    }
    for (unsigned i = 0; i < n; i++)
        cfp_release_frames(runs[i]);
    int st = 0;
    if (proc_wait(pid, &st) != pid)
        *why = "t_cow oom could not be reaped";
    else if (c == NULL || !parent_waits)
        *why = "t_cow oom: its child never reached read(0), or its parent never waited";
    else if (left != 0)
        *why = "the test could not take every free frame";
    return st;
}

KTEST(user_cow_fault_out_of_memory)
{
    COW_REQUIRE();
    struct user_baseline b;
    const char *why;
    const char *line = "t_cow oom (a copy-on-write fault with no free frame ends only that "
                       "process)";
    int st = oom_run(&why); /* warms the kernel heap up */
    if (why != NULL)
        KT_FAIL("%s", why);
    user_expect_exit(line, st, 0);
    user_baseline_take(&b);
    st = oom_run(&why);
    if (why != NULL)
        KT_FAIL("%s", why);
    user_expect_exit(line, st, 0);
    USER_ASSERT_NO_LEAK(&b, "a process ended by a copy-on-write fault at out of memory");
    expect_counts_zero("t_cow oom");
    user_expect_exit("hello after t_cow oom", user_run("hello"), 0);
}
