/* bench_user.c: lab 7 benchmarks (instructions under Bochs): a system call's round trip, spawn+exit+wait, fork+exit+wait (copying, and copy-on-write), a copy-on-write fault, a switch between user processes. */
#include "common/format.h"
#include "common/ktest.h"
#include "common/x86.h"
#include "setup.h"
#include "tests_user_util.h"
#include "ucow.h"

#define BENCH_N 200

/* Instructions of `bench WHAT N`: its whole life, spawn to reap. */
static uint64_t run_bench(const char *what, int n)
{
    char line[48];
    ksnprintf(line, sizeof line, "bench %s %d", what, n);
    uint64_t t0 = rdtsc();
    int st = user_run(line);
    uint64_t t1 = rdtsc();
    user_expect_exit(line, st, 0);
    return t1 - t0;
}

/* Report (run with N - run with 0) / (N * PER_ROUND) as METRIC. */
static void bench_one(const char *what, int n, unsigned per_round, const char *metric)
{
    USER_REQUIRE();
    run_bench(what, 1); /* warm the kernel heap up */
    uint64_t base = run_bench(what, 0);
    uint64_t full = run_bench(what, n);
    uint64_t d = full > base ? full - base : 0;
    uint32_t d32 = d > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)d; /* no 64-bit division here */
    ktest_metric(metric, (unsigned long)(d32 / ((uint32_t)n * per_round)), "insns");
}

KBENCH(bench_user_syscall_getpid)
{
    bench_one("getpid", 4 * BENCH_N, 1, "user_syscall_getpid_round_trip");
}

KBENCH(bench_user_spawn_exit_wait)
{
    bench_one("spawn", BENCH_N / 4, 1, "user_spawn_exit_wait");
}

KBENCH(bench_user_fork_exit_wait)
{
    bool was = ucow_set_enabled(false); /* fork copies every page */
    bench_one("fork", BENCH_N / 4, 1, "user_fork_exit_wait");
    ucow_set_enabled(was);
}

KBENCH(bench_user_fork_cow_exit_wait)
{
    bool was = ucow_set_enabled(true);
    bench_one("fork", BENCH_N / 4, 1, "user_fork_cow_exit_wait");
    ucow_set_enabled(was);
}

/* Report (run of B N - run of A N) / N as METRIC: what B's rounds cost more. */
static void bench_diff(const char *a, const char *b, int n, const char *metric)
{
    USER_REQUIRE();
    run_bench(b, 1); /* warm the kernel heap up */
    uint64_t base = run_bench(a, n);
    uint64_t full = run_bench(b, n);
    uint64_t d = full > base ? full - base : 0;
    uint32_t d32 = d > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)d;
    ktest_metric(metric, (unsigned long)(d32 / (uint32_t)n), "insns");
}

KBENCH(bench_user_cow_fault)
{
    bool was = ucow_set_enabled(true);
    bench_diff("cowread", "cowwrite", BENCH_N / 4, "user_cow_fault_copy");
    ucow_set_enabled(was);
}

KBENCH(bench_user_switch)
{
    bench_one("yield", BENCH_N, 2, "user_process_switch");
}
