/* bench_rr.c: lab 5 benchmarks: a timer-preempted switch and a cooperative yield under round robin. */
#include "common/intr_level.h"
#include "common/ktest.h"
#include "common/x86.h"
#include "lab1-boot/pit.h"
#include "tests_rr_util.h"

#define BENCH_PREEMPTIONS 64
#define BENCH_YIELDS 2000

/* Two threads that never yield. Each stores the time stamp of its latest
 * loop iteration; its first iteration after the other one ran measures the
 * way from the other's last iteration (interrupted by the timer), through
 * the IRQ, the tick hook, the switch and back out of the interrupt, to here.
 * A preemption can also fall between the owner check and the time stamp of
 * the new owner (then a whole slice is counted): the median ignores those. */
static volatile uint32_t last_tsc[2];
static volatile int owner;
static volatile uint32_t sample[BENCH_PREEMPTIONS];
static volatile unsigned long samples;
static volatile bool bench_stop;

static void preempted_body(void *arg)
{
    int me = (int)(uintptr_t)arg;
    while (!bench_stop) {
        if (owner != me) {
            uint32_t now = (uint32_t)rdtsc();
            if (owner == 1 - me && samples < BENCH_PREEMPTIONS)
                sample[samples++] = now - last_tsc[1 - me];
            owner = me;
        }
        last_tsc[me] = (uint32_t)rdtsc();
    }
}

KBENCH(bench_rr_preempted_switch)
{
    TESTS_REQUIRE_RR();
    int ids[2];
    owner = -1;
    samples = 0;
    bench_stop = false;
    unsigned long pre = scheduler_stats()->preemptions;
    ids[0] = tests_spawn("preempted0", preempted_body, (void *)0);
    ids[1] = tests_spawn("preempted1", preempted_body, (void *)1);
    /* One long sleep, so that main never runs between two spinners. */
    uint32_t slice = rr_quantum_ticks() + rr_jitter_ticks();
    while (samples < BENCH_PREEMPTIONS)
        scheduler_sleep(2 * BENCH_PREEMPTIONS * slice + 50);
    bench_stop = true;
    thread_wait(ids[0]);
    thread_wait(ids[1]);
    KT_ASSERT(scheduler_stats()->preemptions - pre >= BENCH_PREEMPTIONS);
    for (int i = 1; i < BENCH_PREEMPTIONS; i++) /* insertion sort */
        for (int j = i; j > 0 && sample[j - 1] > sample[j]; j--) {
            uint32_t x = sample[j];
            sample[j] = sample[j - 1];
            sample[j - 1] = x;
        }
    ktest_metric("sched_preempt_switch", sample[BENCH_PREEMPTIONS / 2], "insns");
    ktest_metric("sched_preempt_switch_min", sample[0], "insns");
}

static void yielder(void *arg)
{
    (void)arg;
    while (!bench_stop)
        scheduler_yield();
}

KBENCH(bench_rr_yield_switch)
{
    TESTS_REQUIRE_RR();
    bench_stop = false;
    int id = tests_spawn("yielder", yielder, NULL);
    scheduler_yield();
    unsigned long s0 = scheduler_stats()->switches;
    uint64_t t0 = rdtsc();
    for (int i = 0; i < BENCH_YIELDS; i++)
        scheduler_yield();
    uint64_t t1 = rdtsc();
    unsigned long switches = scheduler_stats()->switches - s0;
    bench_stop = true;
    thread_wait(id);
    KT_ASSERT(switches > 0);
    uint64_t d = t1 - t0;
    ktest_metric("sched_rr_yield_switch",
                 d > 0xFFFFFFFFull ? 0xFFFFFFFFul : (unsigned long)(uint32_t)d / switches,
                 "insns");
}
