/* tests_user.c: lab 7's kernel tests that run user programs: arguments, exit codes, wait, fork, orphans, limits, many processes; no leaks. */
#include "common/kstring.h"
#include "lab4-threads/scheduler.h"
#include "setup.h"
#include "tests_user_util.h"

/* Run LINE twice (the first run warms the kernel heap up to the same peak)
 * expecting exit CODE, and check the second run gives everything back. */
static void run_twice_no_leak(const char *line, int code)
{
    struct user_baseline b;
    user_expect_exit(line, user_run(line), code);
    user_baseline_take(&b);
    user_expect_exit(line, user_run(line), code);
    USER_ASSERT_NO_LEAK(&b, line);
}

KTEST(user_hello_runs_in_ring3)
{
    USER_REQUIRE();
    run_twice_no_leak("hello", 0);
}

KTEST(user_args_reach_main)
{
    USER_REQUIRE();
    /* args exits with argc (255 if argv[argc] is not NULL) */
    user_expect_exit("args", user_run("args"), 1);
    user_expect_exit("args a b c", user_run("args a b c"), 4);
    user_expect_exit("args x 2 3 4 5 6 7 8 9 10 11 12 13 14 15",
                     user_run("args x 2 3 4 5 6 7 8 9 10 11 12 13 14 15"), ABI_ARGV_MAX);
    user_expect_exit("t_spawn", user_run("t_spawn"), 0);
}

KTEST(user_exit_codes)
{
    USER_REQUIRE();
    static const struct { const char *line; int code; } cases[] = {
        {"exitcode 0", 0}, {"exitcode 1", 1}, {"exitcode 42", 42},
        {"exitcode 255", 255}, {"exitcode 300", 300 & 0xFF},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        user_expect_exit(cases[i].line, user_run(cases[i].line), cases[i].code);
}

KTEST(user_spawn_errors)
{
    USER_REQUIRE();
    struct user_baseline b;
    user_baseline_take(&b);
    char *argv[] = {"x"};
    KT_ASSERT_EQ(proc_spawn("no_such_program", 1, argv), -E_NOENT);
    KT_ASSERT_EQ(proc_spawn("", 1, argv), -E_NOENT);
    KT_ASSERT_EQ(proc_spawn("bad_class64", 1, argv), -E_NOEXEC);
    KT_ASSERT_EQ(proc_spawn("bad_kernel_segment", 1, argv), -E_NOEXEC);
    KT_ASSERT_EQ(proc_spawn("hello", ABI_ARGV_MAX + 1, argv), -E_2BIG);
    USER_ASSERT_NO_LEAK(&b, "a refused spawn");
    user_expect_exit("t_noexec", user_run("t_noexec"), 0);
}

KTEST(user_wait_and_zombies)
{
    USER_REQUIRE();
    struct user_baseline b;
    user_baseline_take(&b);
    /* A child that ended stays a zombie, holding no memory, until waited for. */
    int pid = user_start("exitcode 7");
    int st = 0;
    for (int i = 0; i < 100000 && proc_by_pid(pid)->state != PROC_ZOMBIE; i++)
        scheduler_yield();
    struct process *z = proc_by_pid(pid);
    KT_ASSERT(z != NULL && z->state == PROC_ZOMBIE);
    if (z->us.pages != 0 || z->thread != NULL)
        KT_FAIL("a zombie must hold no memory and no thread (pages %u)", z->us.pages);
    KT_ASSERT_EQ(proc_wait(pid, &st), pid);
    KT_ASSERT_EQ(st, ABI_STATUS_EXITED(7));
    KT_ASSERT(proc_by_pid(pid) == NULL);
    KT_ASSERT_EQ(proc_wait(pid, &st), -E_CHILD);
    KT_ASSERT_EQ(proc_wait(-1, &st), -E_CHILD);
    USER_ASSERT_NO_LEAK(&b, "a reaped zombie");
    user_expect_exit("t_wait", user_run("t_wait"), 0);
}

KTEST(user_fork_memory_independent)
{
    USER_REQUIRE();
    run_twice_no_leak("t_fork", 0);
}

/* One round of the orphan test: init (with a program to run) is the first
 * process, t_orphan's grandchild is adopted and reaped by it, then init is
 * ended and reaped. */
static void orphans_adopted_round(void)
{
    int init = user_start("init t_spin");
    int spin = -1;
    for (int i = 0; i < 100000 && (spin = user_find("t_spin", init)) < 0; i++)
        scheduler_yield();
    KT_ASSERT(spin > 0);
    int orphan_st = user_run("t_orphan");
    int st = 0;
    KT_ASSERT_EQ(proc_kill(spin), 0);
    KT_ASSERT_EQ(proc_wait(init, &st), init);
    user_expect_exit("t_orphan (init is the first process)", orphan_st, 0);
    user_expect_exit("init t_spin", st, 0);
}

KTEST(user_orphans_adopted)
{
    USER_REQUIRE();
    /* The first round warms the kernel heap up to the test's peak (five
     * processes alive at once): the heap keeps the pages a peak touched,
     * which is not a leak. The second must give everything back. */
    orphans_adopted_round();
    struct user_baseline b;
    user_baseline_take(&b);
    orphans_adopted_round();
    USER_ASSERT_NO_LEAK(&b, "the orphan test");
}

KTEST(user_stack_grows_to_limit)
{
    USER_REQUIRE();
    user_expect_exit("t_stack 900", user_run("t_stack 900"), 0);
    struct user_baseline b;
    user_baseline_take(&b);
    int st = user_run("t_stack overflow");
    user_expect_killed("t_stack overflow", st, ABI_KILLED_STACK, ABI_KILLED_STACK);
    USER_ASSERT_NO_LEAK(&b, "a process ended by a stack overflow");
}

KTEST(user_out_of_memory)
{
    USER_REQUIRE();
    int st = user_run("t_oom");
    user_expect_exit("t_oom", st, 0);
    struct user_baseline b;
    user_baseline_take(&b);
    st = user_run("t_oom malloc");
    user_expect_exit("t_oom malloc", st, 0);
    USER_ASSERT_NO_LEAK(&b, "t_oom");
    user_expect_exit("hello after t_oom", user_run("hello"), 0);
}

KTEST(user_many_processes)
{
    USER_REQUIRE();
    user_expect_exit("t_many 64", user_run("t_many 64"), 0);
    struct user_baseline b;
    user_baseline_take(&b);
    user_expect_exit("t_many 64", user_run("t_many 64"), 0);
    USER_ASSERT_NO_LEAK(&b, "64 processes at once");
}

KTEST(user_kill_spinning)
{
    USER_REQUIRE();
    struct user_baseline b;
    user_baseline_take(&b);
    int pid = user_start("t_spin");
    for (int i = 0; i < 20; i++)
        scheduler_yield(); /* let it reach ring 3 */
    KT_ASSERT_EQ(proc_kill(pid), 0);
    int st = 0;
    KT_ASSERT_EQ(proc_wait(pid, &st), pid);
    KT_ASSERT_EQ(st, ABI_STATUS_KILLED(ABI_KILLED_BY_KILL));
    KT_ASSERT_EQ(proc_kill(pid), -E_SRCH);
    USER_ASSERT_NO_LEAK(&b, "a killed process");
}

#define READ_REACH_TICKS 200 /* ticks t_read may take to make its first system call */
#define READ_KILL_TICKS  50  /* ticks a killed reader may take to end (one suffices) */

/* System calls PID made so far. */
static unsigned long syscalls_of(int pid)
{
    enum intr_level old = intr_disable();
    struct process *p = proc_by_pid(pid);
    unsigned long n = p != NULL ? p->syscalls : 0;
    intr_set_level(old);
    return n;
}

KTEST(user_kill_wakes_console_reader)
{
    USER_REQUIRE();
    struct user_baseline b;
    user_baseline_take(&b);
    int pid = user_start("t_read");
    for (int i = 0; i < READ_REACH_TICKS && syscalls_of(pid) == 0; i++)
        scheduler_sleep(1);
    KT_ASSERT(syscalls_of(pid) >= 1); /* it entered read(0, ...): nothing is typed */
    scheduler_sleep(2);                /* let it wait for the console */
    KT_ASSERT_EQ(proc_kill(pid), 0);
    int i = 0;
    for (; i < READ_KILL_TICKS && user_state_of(pid) == PROC_ALIVE; i++)
        scheduler_sleep(1);
    if (user_state_of(pid) == PROC_ALIVE)
        KT_FAIL("a process waiting for a console line must end when killed, without the "
                "line: t_read (pid %d) still runs %d ticks after kill()", pid, i);
    int st = 0;
    KT_ASSERT_EQ(proc_wait(pid, &st), pid);
    KT_ASSERT_EQ(st, ABI_STATUS_KILLED(ABI_KILLED_BY_KILL));
    USER_ASSERT_NO_LEAK(&b, "a process killed while reading the console");
}
