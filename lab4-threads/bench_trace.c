/* bench_trace.c: what the scheduling trace costs: one recorded event, a merged timer tick, and a yield with recording on and off. */
#include "common/intr_level.h"
#include "common/ktest.h"
#include "common/sched_trace.h"
#include "common/x86.h"
#include "tests_util.h"

#define BENCH_EVENTS 4000
#define BENCH_TRACE_YIELDS 2000

static volatile bool trace_bench_stop;

static void trace_yielder(void *arg)
{
    (void)arg;
    while (!trace_bench_stop)
        scheduler_yield();
}

static unsigned long per_op(uint64_t t, unsigned long n)
{
    return t > 0xFFFFFFFFull ? 0xFFFFFFFFul : (unsigned long)(uint32_t)t / n;
}

/* Instructions (Bochs) of a loop of N iterations doing nothing but the
 * loop itself, to subtract. */
static uint64_t empty_loop(unsigned long n)
{
    uint64_t t0 = rdtsc();
    for (volatile unsigned long i = 0; i < n; i++)
        ;
    return rdtsc() - t0;
}

KBENCH(bench_trace_event)
{
    bool was = sched_trace_set_recording(true); /* benchmarks boot with it off */
    uint64_t base = empty_loop(BENCH_EVENTS);
    uint64_t t0 = rdtsc();
    for (volatile unsigned long i = 0; i < BENCH_EVENTS; i++)
        sched_trace_event(ST_YIELD, 1, 0, 0);
    uint64_t t = rdtsc() - t0;
    KT_ASSERT(sched_trace_count() > 0);
    ktest_metric("trace_event", per_op(t > base ? t - base : 0, BENCH_EVENTS), "insns");
    /* A timer tick right after another is merged into the same event (as
     * an interrupt handler records it: interrupts off). The empty loop is
     * timed with interrupts off too: a tick landing in it would otherwise
     * move this figure with the timer's phase, not with the code. */
    enum intr_level old = intr_disable();
    base = empty_loop(BENCH_EVENTS);
    sched_trace_irq(SCHED_TRACE_TIMER_IRQ);
    size_t before = sched_trace_count();
    t0 = rdtsc();
    for (volatile unsigned long i = 0; i < BENCH_EVENTS; i++)
        sched_trace_irq(SCHED_TRACE_TIMER_IRQ);
    t = rdtsc() - t0;
    size_t after = sched_trace_count();
    intr_set_level(old);
    sched_trace_set_recording(was);
    KT_ASSERT_EQ(after, before);
    ktest_metric("trace_timer_tick_merged", per_op(t > base ? t - base : 0, BENCH_EVENTS),
                 "insns");
}

/* One yield to another thread and back, recording on or off. */
static unsigned long yield_cost(bool recording)
{
    trace_bench_stop = false;
    int id = tests_spawn("trace-yielder", trace_yielder, NULL);
    scheduler_yield(); /* it has started */
    bool was = sched_trace_set_recording(recording);
    uint64_t t0 = rdtsc();
    for (int i = 0; i < BENCH_TRACE_YIELDS; i++)
        scheduler_yield();
    uint64_t t = rdtsc() - t0;
    sched_trace_set_recording(was);
    trace_bench_stop = true;
    thread_wait(id);
    return per_op(t, BENCH_TRACE_YIELDS);
}

KBENCH(bench_trace_yield_overhead)
{
    TESTS_REQUIRE_THREADS();
    unsigned long off = yield_cost(false), on = yield_cost(true);
    ktest_metric("yield_round_trip_trace_off", off, "insns");
    ktest_metric("yield_round_trip_trace_on", on, "insns");
    ktest_metric("yield_round_trip_trace_cost", on > off ? on - off : 0, "insns");
}
