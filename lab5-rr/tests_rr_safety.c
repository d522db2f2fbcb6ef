/* tests_rr_safety.c: lab 5 tests of interrupt safety under preemption: critical sections, races, many threads, frames. */
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "lab1-boot/pit.h"
#include "lab2-frames/frames.h"
#include "lab3-paging/kmalloc.h"
#include "rr_queue.h"
#include "rr_race.h"
#include "rr_spin.h"
#include "tests_rr_util.h"

/* ---- threads yielding as fast as they can while the timer preempts them ------ */

#define STORM_THREADS 6
static volatile unsigned long storm_yields[STORM_THREADS];
static volatile uint32_t storm_until;

static void storm_body(void *arg)
{
    int k = (int)(uintptr_t)arg;
    uint32_t slice = rr_quantum_ticks() + rr_jitter_ticks();
    while ((int32_t)(timer_ticks() - storm_until) < 0) {
        scheduler_yield();
        storm_yields[k]++;
        if (storm_yields[k] % 8 == (unsigned long)k) { /* now and then, outlast a slice */
            uint32_t t0 = timer_ticks();
            while (timer_ticks() - t0 <= slice)
                ;
        }
    }
}

KTEST(rr_yield_storm)
{
    TESTS_REQUIRE_RR();
    int ids[STORM_THREADS];
    unsigned long pre = scheduler_stats()->preemptions;
    storm_until = timer_ticks() + 80;
    for (int k = 0; k < STORM_THREADS; k++) {
        storm_yields[k] = 0;
        ids[k] = tests_spawn("storm", storm_body, (void *)(uintptr_t)k);
    }
    for (int k = 0; k < STORM_THREADS; k++)
        thread_wait(ids[k]);
    const char *why = rr_queue_check();
    if (why != NULL || rr_queue_size() != 0)
        KT_FAIL("step 1 (ready queue): after the storm the queue holds %lu thread(s) (%s): "
                "every thread that ended must have left it and its links must be sound",
                (unsigned long)rr_queue_size(), why != NULL ? why : "links sound");
    for (int k = 0; k < STORM_THREADS; k++)
        KT_ASSERT(storm_yields[k] > 0);
    unsigned long n_pre = scheduler_stats()->preemptions - pre;
    kprintf("rr: yield storm: %lu preemptions among the yields\n", n_pre);
    KT_ASSERT(n_pre > 0);
}

/* ---- the frame pools under preemption (cfp_set_guard) ---------------------- */

#define FRAME_THREADS 4
static volatile unsigned long frame_mismatch, frame_errors, frame_rounds;

static void frame_body(void *arg)
{
    uint32_t sig = 0xF0000000u | ((uint32_t)(uintptr_t)arg << 16);
    struct thread *me = thread_current();
    struct cont_frame_pool *pool = frames_kernel_pool(); /* identity-mapped frames */
    unsigned long rounds = 0;

    while (thread_cpu_ticks(me) < 25) {
        unsigned long f = cfp_get_frames(pool, 1);
        if (f == 0)
            continue;
        volatile uint32_t *word = (volatile uint32_t *)(f << 12);
        *word = sig | (rounds & 0xFFFF);
        for (volatile int i = 0; i < 50; i++)
            ;
        enum intr_level old = intr_disable();
        if (*word != (sig | (rounds & 0xFFFF)))
            frame_mismatch++; /* someone else got the same frame */
        intr_set_level(old);
        if (cfp_release_frames(f) != 0) {
            old = intr_disable();
            frame_errors++;
            intr_set_level(old);
        }
        rounds++;
    }
    enum intr_level old = intr_disable();
    frame_rounds += rounds;
    intr_set_level(old);
}

KTEST(rr_frame_pool_under_preemption)
{
    TESTS_REQUIRE_RR();
    int ids[FRAME_THREADS];
    struct tests_baseline base;
    tests_baseline_take(&base, FRAME_THREADS, 0, 0);
    frame_mismatch = frame_errors = frame_rounds = 0;
    unsigned long pre = scheduler_stats()->preemptions;
    for (int k = 0; k < FRAME_THREADS; k++)
        ids[k] = tests_spawn("frames", frame_body, (void *)(uintptr_t)k);
    for (int k = 0; k < FRAME_THREADS; k++)
        thread_wait(ids[k]);
    KT_ASSERT(scheduler_stats()->preemptions - pre > 0);
    kprintf("rr: %lu frame get/release rounds under preemption\n", frame_rounds);
    KT_ASSERT(frame_rounds > 0);
    KT_ASSERT_EQ(frame_mismatch, 0);
    KT_ASSERT_EQ(frame_errors, 0);
    TESTS_ASSERT_BASELINE(&base);
}

/* ---- 64 threads created (by threads) and ended under preemption -------------- */

#define PARENTS 8
#define CHILDREN 8
static volatile uint8_t child_done[PARENTS * CHILDREN];
static volatile int children_ran, children_failed;

static void child_body(void *arg)
{
    int idx = (int)(uintptr_t)arg;
    struct thread *me = thread_current();
    char *buf = kmalloc(64 + (size_t)idx);
    if (buf != NULL)
        for (int i = 0; i < 64 + idx; i++)
            buf[i] = (char)idx;
    while (thread_cpu_ticks(me) < (unsigned long)(idx % 4) * 3)
        ; /* some outlive their slice: preempted while others are created */
    enum intr_level old = intr_disable();
    bool ok = buf != NULL && buf[63 + idx] == (char)idx;
    child_done[idx]++;
    children_ran++;
    children_failed += !ok;
    intr_set_level(old);
    kfree(buf);
}

static void parent_body(void *arg)
{
    int p = (int)(uintptr_t)arg;
    int ids[CHILDREN];
    int n = 0;
    for (int c = 0; c < CHILDREN; c++) {
        struct thread *t = thread_spawn("child", child_body, (void *)(uintptr_t)(p * CHILDREN + c));
        if (t != NULL)
            ids[n++] = thread_id(t);
    }
    for (int i = 0; i < n; i++)
        thread_wait(ids[i]);
}

KTEST(rr_threads_64_no_leak)
{
    TESTS_REQUIRE_RR();
    struct tests_baseline base;
    int ids[PARENTS];
    tests_baseline_take(&base, PARENTS + PARENTS * CHILDREN, PARENTS * CHILDREN,
                           64 + PARENTS * CHILDREN);
    unsigned long created = thread_created_total();
    children_ran = children_failed = 0;
    for (int i = 0; i < PARENTS * CHILDREN; i++)
        child_done[i] = 0;
    for (int p = 0; p < PARENTS; p++)
        ids[p] = tests_spawn("parent", parent_body, (void *)(uintptr_t)p);
    unsigned long pre = scheduler_stats()->preemptions;
    for (int p = 0; p < PARENTS; p++)
        thread_wait(ids[p]);
    KT_ASSERT(scheduler_stats()->preemptions - pre > 0);
    KT_ASSERT_EQ(thread_created_total() - created, PARENTS + PARENTS * CHILDREN);
    KT_ASSERT_EQ(children_ran, PARENTS * CHILDREN);
    KT_ASSERT_EQ(children_failed, 0);
    for (int i = 0; i < PARENTS * CHILDREN; i++)
        if (child_done[i] != 1)
            KT_FAIL("child %d ran %d times", i, child_done[i]);
    TESTS_ASSERT_BASELINE(&base);
}

/* ---- a shared counter: exact inside a critical section, racy without ---------- */

static struct rr_race race;

KTEST(rr_counter_race)
{
    TESTS_REQUIRE_RR();
    unsigned long pre = scheduler_stats()->preemptions;
    race = (struct rr_race){.n = 4, .ticks = 25};
    KT_ASSERT_EQ(rr_race_start(&race), 4);
    rr_race_wait(&race);
    unsigned long lost = race.total - race.unprotected_count;
    kprintf("rr: %lu increments; with interrupts off %lu (exact); unprotected %lu: "
            "%lu updates lost to %lu preemptions (the race is the lesson, not a failure)\n",
            race.total, race.protected_count, race.unprotected_count, lost,
            scheduler_stats()->preemptions - pre);
    ktest_metric("rr_unprotected_lost_updates", lost, "updates");
    KT_ASSERT(race.total > 0);
    KT_ASSERT(scheduler_stats()->preemptions - pre > 0); /* the race needs preemption */
    if (race.protected_count != race.total)
        KT_FAIL("step 7 (shared counter): %lu increments made, the protected counter "
                "holds %lu: its read-dawdle-write must be one critical section",
                race.total, race.protected_count);
    KT_ASSERT(race.unprotected_count <= race.total);
}

/* ---- interrupts off means no preemption; a yield keeps the caller's level ------ */

KTEST(rr_critical_section_not_preempted)
{
    TESTS_REQUIRE_RR();
    static struct rr_spin one;
    one = (struct rr_spin){.n = 1, .max_ticks = 1000};
    KT_ASSERT_EQ(rr_spin_start(&one), 1);
    enum intr_level old = intr_disable();
    uint32_t t0 = timer_ticks();
    unsigned long sw0 = scheduler_stats()->switches, c0 = one.count[0];
    for (volatile unsigned long i = 0; i < 2000000; i++)
        ; /* many quanta of wall time, interrupts off */
    uint32_t t1 = timer_ticks();
    unsigned long sw1 = scheduler_stats()->switches, c1 = one.count[0];
    scheduler_yield(); /* voluntary: the spinner runs until its slice ends */
    enum intr_level after = intr_get_level();
    unsigned long c2 = one.count[0];
    bool preempted = thread_alive(one.ids[0]); /* not ended on its own */
    intr_set_level(old);
    rr_spin_stop(&one);
    KT_ASSERT_EQ(t1, t0);   /* no tick was even delivered */
    KT_ASSERT_EQ(sw1, sw0); /* so no switch */
    KT_ASSERT_EQ(c1, c0);   /* and the spinner did not run */
    KT_ASSERT(c2 > c1);     /* the yield let it run */
    KT_ASSERT(preempted);   /* and the timer took the CPU back */
    KT_ASSERT_EQ(after, INTR_OFF); /* and we came back with our own level */
}
