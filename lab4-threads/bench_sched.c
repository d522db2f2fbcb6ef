/* bench_sched.c: lab 4 benchmarks: a cooperative yield (one switch), a raw dispatch, thread create+exit. */
#include "common/ktest.h"
#include "common/x86.h"
#include "tests_util.h"

#define BENCH_YIELDS 2000
#define BENCH_THREADS 100

static volatile bool bench_stop;

static void yielder(void *arg)
{
    (void)arg;
    while (!bench_stop)
        scheduler_yield();
}

/* Instructions (Bochs) per operation, from a 64-bit difference. */
static unsigned long per(uint64_t t, unsigned long n)
{
    return t > 0xFFFFFFFFull ? 0xFFFFFFFFul : (unsigned long)(uint32_t)t / n;
}

KBENCH(bench_sched_yield_switch)
{
    TESTS_REQUIRE_THREADS();
    bench_stop = false;
    int id = tests_spawn("yielder", yielder, NULL);
    scheduler_yield(); /* it has started */
    unsigned long s0 = scheduler_stats()->switches;
    uint64_t t0 = rdtsc();
    for (int i = 0; i < BENCH_YIELDS; i++)
        scheduler_yield(); /* to the yielder and back: two switches */
    uint64_t t1 = rdtsc();
    unsigned long switches = scheduler_stats()->switches - s0;
    bench_stop = true;
    thread_wait(id);
    KT_ASSERT_EQ(switches, 2 * BENCH_YIELDS);
    ktest_metric("sched_yield_switch", per(t1 - t0, switches), "insns");
}

KBENCH(bench_thread_create_exit)
{
    TESTS_REQUIRE_THREADS();
    bench_stop = true; /* each thread returns at once */
    uint64_t t0 = rdtsc();
    for (int i = 0; i < BENCH_THREADS; i++)
        thread_wait(tests_spawn("bench", yielder, NULL));
    uint64_t t1 = rdtsc();
    ktest_metric("thread_create_run_exit_8k", per(t1 - t0, BENCH_THREADS), "insns");
}
