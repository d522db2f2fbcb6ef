/* bench_scale.c: lab 5 scaling benchmark: a timer-preempted switch with 2 to 256 threads in the ready queue. */
#include "common/format.h"
#include "common/ktest.h"
#include "common/x86.h"
#include "tests_rr_util.h"

#define SCALE_MAX_THREADS 256
#define SCALE_SAMPLES 32

static const int scale_threads[] = {2, 4, 16, 64, 256};

/* As in bench_rr.c: each spinner stamps every loop iteration; the first
 * iteration of a new owner measures the way from the previous owner's last
 * iteration, through the timer IRQ, the tick hook and the switch, to here.
 * The median ignores samples where a preemption fell mid-measurement. */
static volatile uint32_t scale_last[SCALE_MAX_THREADS];
static volatile int scale_owner;
static volatile uint32_t scale_sample[SCALE_SAMPLES];
static volatile unsigned long scale_samples;
static volatile bool scale_stop;

static void scale_spinner(void *arg)
{
    int me = (int)(uintptr_t)arg;
    while (!scale_stop) {
        if (scale_owner != me) {
            uint32_t now = (uint32_t)rdtsc();
            int prev = scale_owner;
            if (prev >= 0 && scale_samples < SCALE_SAMPLES)
                scale_sample[scale_samples++] = now - scale_last[prev];
            scale_owner = me;
        }
        scale_last[me] = (uint32_t)rdtsc();
    }
}

static uint32_t scale_median(void)
{
    for (int i = 1; i < SCALE_SAMPLES; i++) /* insertion sort */
        for (int j = i; j > 0 && scale_sample[j - 1] > scale_sample[j]; j--) {
            uint32_t x = scale_sample[j];
            scale_sample[j] = scale_sample[j - 1];
            scale_sample[j - 1] = x;
        }
    return scale_sample[SCALE_SAMPLES / 2];
}

static void scale_measure(int n)
{
    static int ids[SCALE_MAX_THREADS];
    scale_owner = -1;
    scale_samples = 0;
    scale_stop = false;
    for (int i = 0; i < n; i++)
        ids[i] = tests_spawn("scale", scale_spinner, (void *)(uintptr_t)i);
    /* Sleep long enough for SCALE_SAMPLES preemptions among the spinners;
     * this thread wakes behind all of them. */
    uint32_t slice = rr_quantum_ticks() + rr_jitter_ticks();
    while (scale_samples < SCALE_SAMPLES)
        scheduler_sleep(2 * SCALE_SAMPLES * slice + 50);
    scale_stop = true;
    tests_wait_all(ids, n);
    char name[40];
    ksnprintf(name, sizeof name, "sched_preempt_ready_n%d", n);
    ktest_metric(name, scale_median(), "insns");
}

KBENCH(bench_scale_preempt_ready)
{
    TESTS_REQUIRE_RR();
    for (unsigned i = 0; i < sizeof scale_threads / sizeof scale_threads[0]; i++)
        scale_measure(scale_threads[i]);
}
