/* tests_quantum_bounds.c: lab 5 tests that every slice lasts exactly its length in ticks, judged tick by tick. */
#include "common/format.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "lab1-boot/pit.h"
#include "rr_queue.h"
#include "rr_spin.h"
#include "tests_rr_util.h"

/*
 * The test installs an observing copy of rr_policy whose on_tick and
 * on_yield call round robin's own hooks and judge each call, in the timer
 * interrupt, by the kernel's tick count: a run (from the switch to a thread,
 * or from a fresh slice it got while alone) must end exactly at the tick
 * that uses up the slice it started with: preempted then if another thread
 * is ready, else given a new slice; never a tick earlier or later, and never
 * preempted with nobody else ready. A voluntary yield must leave a fresh
 * slice. No wall-clock time is involved: only ticks the hooks see.
 */

#define QB_MSG 200

static struct qb_state {
    struct thread *run;        /* thread of the current run; NULL: a new run starts */
    unsigned long run_disp;    /* its dispatch count when the run started */
    uint32_t k;                /* ticks of the current run so far */
    uint32_t len;              /* length of the slice it started with */
    unsigned long ticks, preempts, renewals, yields, errors;
    struct rr_stats stats0; /* rr_stats() when the counting above started */
    char first_error[QB_MSG];
} qb;

static struct sched_policy qb_policy; /* rr_policy with observing hooks */
static const struct sched_policy *qb_prev; /* the policy before it (lab 6 wraps rr_policy) */

static void qb_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void qb_error(const char *fmt, ...)
{
    if (qb.errors++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        kvsnprintf(qb.first_error, sizeof qb.first_error, fmt, ap);
        va_end(ap);
    }
}

/* Timer tick for CUR (interrupts off): round robin decides, we judge. */
static bool qb_on_tick(struct thread *cur)
{
    if (cur != qb.run || cur->dispatches != qb.run_disp) {
        qb.run = cur; /* switched to CUR since the last tick: a new run */
        qb.run_disp = cur->dispatches;
        qb.k = 0;
        qb.len = rr_slice_length();
    }
    qb.k++;
    qb.ticks++;
    size_t ready = rr_queue_size();
    bool preempt = rr_policy.on_tick(cur);
    bool fresh = rr_slice_left() == rr_slice_length();
    if (preempt) {
        qb.preempts++;
        if (ready == 0)
            qb_error("step 3 (end of quantum): thread %d was preempted with no other thread ready: at the end "
                     "of a slice it must just get a new one", thread_id(cur));
        else if (qb.k != qb.len)
            qb_error("step 3 (end of quantum): thread %d was preempted after %lu ticks of a %lu-tick slice: a "
                     "slice of N ticks ends exactly at its Nth tick", thread_id(cur),
                     (unsigned long)qb.k, (unsigned long)qb.len);
    } else if (fresh && qb.k == qb.len) {
        qb.renewals++; /* its slice ended and it got a new one */
        if (ready > 0)
            qb_error("step 3 (end of quantum): thread %d used up its %lu-tick slice with %lu thread(s) ready and "
                     "was not preempted", thread_id(cur), (unsigned long)qb.len,
                     (unsigned long)ready);
        qb.k = 0;
        qb.len = rr_slice_length();
    } else if (fresh) {
        qb_error("step 3 (end of quantum): thread %d got a new slice after %lu ticks of its %lu-tick slice: a "
                 "slice is renewed only when used up", thread_id(cur),
                 (unsigned long)qb.k, (unsigned long)qb.len);
        qb.k = 0;
        qb.len = rr_slice_length();
    } else if (qb.k >= qb.len) {
        qb_error("step 3 (end of quantum): thread %d ran %lu ticks on a %lu-tick slice (%lu left) without being "
                 "preempted or starting a new slice", thread_id(cur), (unsigned long)qb.k,
                 (unsigned long)qb.len, (unsigned long)rr_slice_left());
        qb.run = NULL; /* judge the next run on its own */
    }
    return preempt;
}

/* CUR gives up the CPU by itself (interrupts off). */
static void qb_on_yield(struct thread *cur)
{
    rr_policy.on_yield(cur);
    qb.yields++;
    qb.run = NULL; /* the next run, even CUR's own, starts on this slice */
    if (rr_slice_left() != rr_slice_length() || rr_slice_length() == 0)
        qb_error("step 4 (yield): after thread %d yielded, the slice has %lu of %lu ticks left: a "
                 "voluntary yield starts a fresh slice", thread_id(cur),
                 (unsigned long)rr_slice_left(), (unsigned long)rr_slice_length());
}

static void qb_install(void)
{
    qb_policy = rr_policy;
    qb_policy.name = "round-robin (observed)";
    qb_policy.on_tick = qb_on_tick;
    qb_policy.on_yield = qb_on_yield;
    enum intr_level old = intr_disable(); /* counting starts with the observer */
    qb = (struct qb_state){0};
    qb.stats0 = *rr_stats();
    qb_prev = scheduler_policy();
    scheduler_set_policy(&qb_policy);
    intr_set_level(old);
}

/* A thread that runs one tick of its own CPU time, then yields, until told. */
static volatile bool qb_stop;

static void qb_yielder(void *arg)
{
    (void)arg;
    struct thread *me = thread_current();
    while (!qb_stop) {
        unsigned long c = thread_cpu_ticks(me);
        while (thread_cpu_ticks(me) == c && !qb_stop)
            ;
        scheduler_yield();
    }
}

/* One phase: QUANTUM ticks, SPINNERS CPU-bound threads plus YIELDERS, until
 * the observer saw MIN_PREEMPTS preemptions (main sleeps in between, so it
 * is one of the threads taking turns). */
static bool qb_phase(uint32_t quantum, int spinners, int yielders, unsigned long min_preempts,
                     uint32_t limit)
{
    static struct rr_spin spin;
    int ids[2];
    rr_set_quantum_ticks(quantum);
    unsigned long p0 = qb.preempts;
    qb_stop = false;
    spin = (struct rr_spin){.n = spinners, .max_ticks = limit};
    KT_ASSERT_EQ(rr_spin_start(&spin), spinners);
    for (int i = 0; i < yielders; i++)
        ids[i] = tests_spawn("qb-yield", qb_yielder, NULL);
    bool ok = TESTS_RR_SLEEP_UNTIL(qb.preempts - p0 >= min_preempts || qb.errors > 0, limit);
    qb_stop = true;
    rr_spin_stop(&spin);
    tests_wait_all(ids, yielders);
    return ok;
}

KTEST(rr_slice_exact_ticks)
{
    TESTS_REQUIRE_RR();
    uint32_t saved = rr_quantum_ticks();
    qb_install();
    bool ok = qb_phase(3, 3, 0, 24, 3000)        /* several spinners */
              && qb_phase(1, 2, 0, 24, 3000)     /* the 1-tick edge */
              && qb_phase(4, 2, 1, 16, 3000)     /* a yielder among them */
              && qb_phase(4, 1, 1, 12, 3000);    /* a yielder and one other thread */
    /* A lone spinner: its slices are renewed while main sleeps, and when
     * main wakes up it is preempted at the end of the slice it is in. */
    unsigned long renewals = qb.renewals;
    static struct rr_spin alone;
    rr_set_quantum_ticks(3);
    alone = (struct rr_spin){.n = 1, .max_ticks = 3000};
    KT_ASSERT_EQ(rr_spin_start(&alone), 1);
    scheduler_sleep(40);
    rr_spin_stop(&alone);
    enum intr_level old = intr_disable();
    unsigned long ended = qb.preempts + qb.renewals;
    struct rr_stats st = *rr_stats(), st0 = qb.stats0;
    unsigned long expiries = rr_expiries() - st0.expiries;
    struct qb_state seen = qb; /* the same moment as ST */
    intr_set_level(old);
    scheduler_set_policy(qb_prev);
    rr_set_quantum_ticks(saved);
    kprintf("rr: observed %lu ticks: %lu preemptions, %lu renewed slices, %lu yields\n",
            qb.ticks, qb.preempts, qb.renewals, qb.yields);
    if (qb.errors > 0)
        KT_FAIL("%s (%lu violation(s) in %lu ticks)", qb.first_error, qb.errors, qb.ticks);
    if (!ok)
        KT_FAIL("step 3 (end of quantum): only %lu preemptions observed: CPU-bound threads were not preempted",
                qb.preempts);
    if (qb.renewals - renewals < 3)
        KT_FAIL("step 3 (end of quantum): a thread running alone for 40 ticks got %lu new slices of 3 ticks: at the "
                "end of a slice with nobody else ready, it must get a new one",
                qb.renewals - renewals);
    KT_ASSERT(qb.yields > 0);
    if (expiries != ended)
        KT_FAIL("step 3 (end of quantum): rr_expiries() counted %lu used-up slices, the "
                "timer hook ended %lu (preempted or renewed): count every expiry", expiries,
                ended);
    /* The counters say what the timer did: every tick, every expiry as a
     * preemption or a renewal, every voluntary yield. */
    unsigned long d_ticks = st.ticks - st0.ticks, d_pre = st.preemptions - st0.preemptions;
    unsigned long d_ren = st.renewals - st0.renewals, d_yield = st.yields - st0.yields;
    if (d_ticks != seen.ticks || d_pre != seen.preempts || d_ren != seen.renewals)
        KT_FAIL("step 3 (end of quantum): the timer hook saw %lu ticks, %lu preemptions, %lu "
                "renewals; rr_stats() counted %lu, %lu, %lu", seen.ticks, seen.preempts,
                seen.renewals, d_ticks, d_pre, d_ren);
    if (st.late_eois != st0.late_eois)
        KT_FAIL("step 5 (EOI before switch): %lu late EOIs counted although lab 1 had "
                "acknowledged every tick: send and count one only while IRQ 0 is in service",
                st.late_eois - st0.late_eois);
    if (d_yield != seen.yields)
        KT_FAIL("step 4 (yield): %lu voluntary yields, rr_stats()->yields grew by %lu",
                seen.yields, d_yield);
}
