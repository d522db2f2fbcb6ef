/* bench_rr.c: lab 5 benchmarks: a timer-preempted switch and a cooperative yield under round robin. */
#include "common/intr_level.h"
#include "common/ktest.h"
#include "common/x86.h"
#include "lab1-boot/pit.h"
#include "tests_rr_util.h"

#define BENCH_PREEMPTIONS 64
#define BENCH_YIELDS 2000

/* Two threads that never yield. Each keeps the time stamp of its latest
 * loop iteration; the first iteration after the other one ran measures the
 * way from the other's last iteration (interrupted by the timer), through
 * the IRQ, the tick hook, the switch and back out of the interrupt, to here. */
static volatile uint32_t last_tsc[2];
static volatile int owner;
static volatile unsigned long samples, sum, best;
static volatile bool bench_stop;

static void preempted_body(void *arg)
{
    int me = (int)(uintptr_t)arg;
    while (!bench_stop) {
        uint32_t now = (uint32_t)rdtsc();
        if (owner != me) {
            if (owner == 1 - me && samples < BENCH_PREEMPTIONS) {
                uint32_t d = now - last_tsc[1 - me];
                sum += d;
                best = d < best ? d : best;
                samples++;
            }
            owner = me;
        }
        last_tsc[me] = now;
    }
}

KBENCH(bench_rr_preempted_switch)
{
    TESTS_REQUIRE_RR();
    int ids[2];
    owner = -1;
    samples = sum = 0;
    best = ~0ul;
    bench_stop = false;
    unsigned long pre = scheduler_stats()->preemptions;
    ids[0] = tests_rr_spawn("preempted0", preempted_body, (void *)0);
    ids[1] = tests_rr_spawn("preempted1", preempted_body, (void *)1);
    /* One long sleep, so that main never runs between two spinners. */
    uint32_t slice = rr_quantum_ticks() + rr_jitter_ticks();
    while (samples < BENCH_PREEMPTIONS)
        scheduler_sleep(2 * BENCH_PREEMPTIONS * slice + 50);
    bench_stop = true;
    thread_wait(ids[0]);
    thread_wait(ids[1]);
    KT_ASSERT(scheduler_stats()->preemptions - pre >= BENCH_PREEMPTIONS);
    ktest_metric("sched_preempt_switch", sum / samples, "insns");
    ktest_metric("sched_preempt_switch_min", best, "insns");
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
    int id = tests_rr_spawn("yielder", yielder, NULL);
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
