/* bench_scale.c: lab 4 scaling benchmark: a cooperative yield with 2 to 256 threads taking turns. */
#include "common/format.h"
#include "common/ktest.h"
#include "common/x86.h"
#include "tests_util.h"

#define SCALE_MAX_THREADS 256
#define SCALE_SWITCHES 2048 /* at least this many switches timed per size */

static const int scale_threads[] = {2, 4, 16, 64, 256};
static volatile bool scale_stop;

static void scale_yielder(void *arg)
{
    (void)arg;
    while (!scale_stop)
        scheduler_yield();
}

/* N threads take turns (the caller and N - 1 yielders): instructions per
 * switch over enough rounds for SCALE_SWITCHES switches. */
static void scale_measure(int n)
{
    static int ids[SCALE_MAX_THREADS];
    scale_stop = false;
    for (int i = 0; i < n - 1; i++)
        ids[i] = tests_spawn("scale", scale_yielder, NULL);
    scheduler_yield(); /* every yielder has started */
    int rounds = SCALE_SWITCHES / n + 1;
    unsigned long s0 = scheduler_stats()->switches;
    uint64_t t0 = rdtsc();
    for (int r = 0; r < rounds; r++)
        scheduler_yield(); /* once around all N */
    uint64_t t1 = rdtsc();
    unsigned long switches = scheduler_stats()->switches - s0;
    scale_stop = true;
    tests_wait_all(ids, n - 1);
    KT_ASSERT(switches >= (unsigned long)rounds * (unsigned long)n);
    uint64_t d = t1 - t0;
    char name[40];
    ksnprintf(name, sizeof name, "sched_yield_ready_n%d", n);
    ktest_metric(name, d > 0xFFFFFFFFull ? 0xFFFFFFFFul : (unsigned long)(uint32_t)d / switches,
                 "insns");
}

KBENCH(bench_scale_yield_ready)
{
    TESTS_REQUIRE_THREADS();
    for (unsigned i = 0; i < sizeof scale_threads / sizeof scale_threads[0]; i++)
        scale_measure(scale_threads[i]);
}
