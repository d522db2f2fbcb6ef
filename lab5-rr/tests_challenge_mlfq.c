/* tests_challenge_mlfq.c: lab 5 challenge tests: MLFQ slices per level, an interactive thread on top, a yielder keeps its level; judged in ticks. */
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "lab1-boot/pit.h"
#include "tests_challenge_mlfq.h"

static uint32_t mq_saved_q, mq_saved_boost;

void mq_begin(uint32_t boost)
{
    TESTS_REQUIRE_THREADS();
    if (!mlfq_active())
        KT_FAIL("the scheduler's policy is %s, not mlfq: this challenge test needs a boot "
                "with sched=mlfq", scheduler_policy()->name);
    mq_saved_q = mlfq_quantum();
    mq_saved_boost = mlfq_boost_period();
    mlfq_configure(MQ_Q, boost);
}

void mq_end(void)
{
    mlfq_configure(mq_saved_q, mq_saved_boost);
}

void mq_start_together(const struct mq_worker *w, int n, int *ids, volatile uint32_t *t0)
{
    struct thread *ts[MQ_WORKERS_MAX];
    KT_ASSERT(n <= MQ_WORKERS_MAX);
    for (int i = 0; i < n; i++) {
        ts[i] = thread_create_named(w[i].name, w[i].fn, w[i].arg, 0);
        if (ts[i] == NULL) {
            enum intr_level old = intr_disable();
            while (i-- > 0)
                thread_destroy(ts[i]); /* never ran: freed at once */
            intr_set_level(old);
            KT_FAIL("thread_create(\"%s\") failed", w[i].name);
        }
        ids[i] = thread_id(ts[i]);
    }
    enum intr_level old = intr_disable();
    if (t0 != NULL)
        *t0 = timer_ticks();
    for (int i = 0; i < n; i++)
        scheduler_add(ts[i]);
    intr_set_level(old);
}

void mq_wait_all(const int *ids, int n)
{
    for (int i = 0; i < n; i++)
        while (thread_alive(ids[i]))
            scheduler_sleep(5);
}

/* One atomic look at the running thread: dispatches, CPU ticks, level. */
struct mq_sample {
    unsigned long dispatches, cpu;
    int level;
};

static struct mq_sample mq_sample_self(void)
{
    enum intr_level old = intr_disable();
    struct thread *me = thread_current();
    struct mq_sample s = {me->dispatches, me->cpu_ticks, mlfq_level(me)};
    intr_set_level(old);
    return s;
}

/* ---- slices per level ------------------------------------------------------ */

#define SL_RUNS 7 /* run starts recorded: 6 complete runs (levels 0, 1, 2, 2, 2, 2) */

struct sl_spinner {
    int level[SL_RUNS];                   /* level at the run's first sample */
    unsigned long first[SL_RUNS], last[SL_RUNS]; /* cpu_ticks at its first and last sample */
    volatile int runs;
};

static struct sl_spinner sl[2];

/* Spin, recording each run (a dispatch), until both spinners saw SL_RUNS
 * run starts (so every recorded run but the last ended by preemption). */
static void sl_body(void *arg)
{
    struct sl_spinner *me = arg, *other = me == &sl[0] ? &sl[1] : &sl[0];
    unsigned long seen = ~0ul;
    for (;;) {
        struct mq_sample s = mq_sample_self();
        if (s.dispatches != seen) {
            seen = s.dispatches;
            if (me->runs < SL_RUNS) {
                me->level[me->runs] = s.level;
                me->first[me->runs] = me->last[me->runs] = s.cpu;
                me->runs++;
            }
        } else if (me->runs <= SL_RUNS) {
            me->last[me->runs - 1] = s.cpu;
        }
        if ((me->runs >= SL_RUNS && other->runs >= SL_RUNS) || s.cpu > MQ_CPU_LIMIT)
            return;
    }
}

/* Check spinner K's runs: run R lasted slice(level R) ticks of its CPU time.
 * Run R starts at cpu E_R with E_0 in [0, first_0] and, for R > 0, E_R in
 * [last_{R-1} + 1, first_R] (the tick that ended run R-1 came after its
 * last sample). */
static void sl_check(int k)
{
    struct sl_spinner *s = &sl[k];
    kprintf("mlfq: spinner %d runs (level: cpu at first..last sample):", k);
    for (int r = 0; r < s->runs && r < SL_RUNS; r++)
        kprintf(" %d:%lu..%lu", s->level[r], s->first[r], s->last[r]);
    kprintf("\n");
    if (s->runs < SL_RUNS)
        KT_FAIL("spinner %d was dispatched only %d times in %d ticks of CPU: two "
                "CPU-bound threads must take turns, each preempted when its slice is used "
                "up", k, s->runs, MQ_CPU_LIMIT);
    for (int r = 0; r + 1 < SL_RUNS; r++) {
        int want_level = r < MQ_BOTTOM ? r : MQ_BOTTOM;
        if (s->level[r] != want_level)
            KT_FAIL("spinner %d's run %d was at level %d, expected %d: a thread that uses "
                    "its whole slice moves down one level (the last level keeps it)", k, r,
                    s->level[r], want_level);
        unsigned long lo_start = r == 0 ? 0 : s->last[r - 1] + 1, hi_start = s->first[r];
        unsigned long lo_end = s->last[r] + 1, hi_end = s->first[r + 1];
        unsigned long lo = lo_end > hi_start ? lo_end - hi_start : 0;
        unsigned long hi = hi_end - lo_start;
        uint32_t want = MQ_Q << want_level;
        if (want < lo || want > hi)
            KT_FAIL("spinner %d's run %d at level %d lasted %lu..%lu ticks of its CPU "
                    "time, expected %lu: a slice at level L is %d << L ticks, counted in "
                    "the tick hook", k, r, want_level, lo, hi, (unsigned long)want, MQ_Q);
    }
}

KTEST(mlfq_slices_double_per_level)
{
    mq_begin(0); /* no boost: nothing interrupts the slices */
    int ids[2];
    const struct mq_worker w[2] = {{"mlfq-slice", sl_body, &sl[0]},
                                   {"mlfq-slice", sl_body, &sl[1]}};
    sl[0] = sl[1] = (struct sl_spinner){.runs = 0};
    mq_start_together(w, 2, ids, NULL);
    /* Every tick of this sleep hits a spinner: 300 > 2 * (4 + 8 + 4 * 16). */
    scheduler_sleep(300);
    mq_wait_all(ids, 2);
    struct mlfq_stats st = mlfq_stats();
    mq_end();
    sl_check(0);
    sl_check(1);
    if (st.expiries[0] < 2 || st.expiries[1] < 2 || st.expiries[MQ_BOTTOM] < 6)
        KT_FAIL("slices used up per level: %lu, %lu, %lu; expected at least 2, 2, 6 "
                "(mlfq_stats counts every expiry)", st.expiries[0], st.expiries[1],
                st.expiries[MQ_BOTTOM]);
}

/* ---- an interactive thread stays on top, a CPU-bound one sinks -------------- */

#define IA_ITER 40

static volatile bool ia_done, ia_spin_gave_up;
static volatile int ia_worst_level, ia_spin_bottom;
static volatile unsigned long ia_longest_run, ia_spin_ticks;
static volatile unsigned long ia_spin_cpu; /* the spinner's cpu_ticks, as it last saw them */

static void ia_spin(void *arg)
{
    (void)arg;
    while (!ia_done) {
        if ((ia_spin_cpu = thread_cpu_ticks(thread_current())) >= MQ_CPU_LIMIT) {
            ia_spin_gave_up = true;
            return;
        }
        if (mlfq_level(thread_current()) == MQ_BOTTOM)
            ia_spin_bottom = 1;
    }
}

/* Wake, look at its level, sleep one tick: IA_ITER times. */
static void ia_interactive(void *arg)
{
    (void)arg;
    unsigned long s0 = ia_spin_cpu;
    unsigned long before = 0; /* its cpu_ticks just before the last sleep (0: at spawn) */
    for (int i = 0; i < IA_ITER; i++) {
        int l = mlfq_level(thread_current());
        if (l > ia_worst_level)
            ia_worst_level = l;
        unsigned long now = thread_cpu_ticks(thread_current());
        if (now - before > ia_longest_run) /* all its ticks since it last slept */
            ia_longest_run = now - before;
        before = now;
        scheduler_sleep(1);
    }
    ia_spin_ticks = ia_spin_cpu - s0;
    ia_done = true;
}

KTEST(mlfq_interactive_stays_top)
{
    mq_begin(0);
    ia_done = ia_spin_gave_up = false;
    ia_worst_level = 0;
    ia_spin_bottom = 0;
    ia_longest_run = 0;
    ia_spin_ticks = ia_spin_cpu = 0;
    int ids[2];
    static const struct mq_worker w[2] = {{"mlfq-cpu", ia_spin, NULL},
                                          {"mlfq-interactive", ia_interactive, NULL}};
    mq_start_together(w, 2, ids, NULL);
    mq_wait_all(ids, 2);
    mq_end();
    kprintf("mlfq: interactive worst level %d, longest run %lu; cpu-bound reached the "
            "bottom: %s, ran %lu ticks during the %d sleeps\n", ia_worst_level,
            ia_longest_run, ia_spin_bottom ? "yes" : "no", ia_spin_ticks, IA_ITER);
    if (!ia_spin_bottom)
        KT_FAIL("the CPU-bound thread never reached level %d: a thread that uses its whole "
                "slice moves down one level", MQ_BOTTOM);
    if (ia_worst_level != 0 && ia_longest_run + 1 < MQ_Q)
        KT_FAIL("the interactive thread fell to level %d though it never ran a whole slice "
                "(%lu ticks at most between two sleeps, slice %d): a thread that "
                "gives up the CPU early keeps its level", ia_worst_level, ia_longest_run,
                MQ_Q);
    if (!ia_done || ia_spin_gave_up)
        KT_FAIL("the interactive thread did not finish its %d one-tick sleeps while the "
                "CPU-bound thread ran %d ticks: a thread of a higher level that wakes up must "
                "preempt the running one at the next tick", IA_ITER, MQ_CPU_LIMIT);
    if (ia_spin_ticks > 2 * IA_ITER + 3 * MQ_Q)
        KT_FAIL("the CPU-bound thread ran %lu ticks while the interactive one slept %d "
                "times for one tick: a thread of a higher level that wakes up must preempt "
                "the running one at the next tick (expected at most %d)", ia_spin_ticks,
                IA_ITER, 2 * IA_ITER + 3 * MQ_Q);
}

/* ---- a thread that yields before its slice ends keeps its level ---------- */

#define YK_RUNS 12
#define YK_TICKS (MQ_Q / 2) /* ticks of CPU per run before yielding */

static volatile bool yk_done;
static volatile int yk_worst_level, yk_runs, yk_companion_level;
static volatile unsigned long yk_longest;

/* Computes YK_TICKS ticks of its CPU time, then yields; YK_RUNS times. */
static void yk_yielder(void *arg)
{
    (void)arg;
    struct thread *me = thread_current();
    unsigned long before = 0; /* cpu_ticks just before the last yield (0: at spawn) */
    for (int i = 0; i < YK_RUNS; i++) {
        unsigned long c0 = thread_cpu_ticks(me);
        while (thread_cpu_ticks(me) - c0 < YK_TICKS)
            ;
        int l = mlfq_level(me);
        if (l > yk_worst_level)
            yk_worst_level = l;
        yk_runs++;
        unsigned long now = thread_cpu_ticks(me);
        if (now - before > yk_longest) /* all its ticks since the last yield */
            yk_longest = now - before;
        before = now;
        scheduler_yield();
    }
    yk_done = true;
}

/* A CPU-bound companion: it shares level 0 until its first slice runs out,
 * then sinks below the yielder (and notes its level when it runs again). */
static void yk_companion(void *arg)
{
    (void)arg;
    bool last = false;
    while (!last) {
        last = yk_done || thread_cpu_ticks(thread_current()) >= MQ_CPU_LIMIT;
        int l = mlfq_level(thread_current()); /* after the check: seen on the last run too */
        if (l > yk_companion_level)
            yk_companion_level = l;
    }
}

KTEST(mlfq_yield_keeps_level)
{
    mq_begin(0);
    yk_done = false;
    yk_worst_level = yk_runs = yk_companion_level = 0;
    yk_longest = 0;
    int ids[2];
    static const struct mq_worker w[2] = {{"mlfq-yielder", yk_yielder, NULL},
                                          {"mlfq-companion", yk_companion, NULL}};
    mq_start_together(w, 2, ids, NULL);
    mq_wait_all(ids, 2);
    mq_end();
    kprintf("mlfq: yielder ran %d times, %lu ticks at most, worst level %d\n", yk_runs,
            yk_longest, yk_worst_level);
    if (yk_runs != YK_RUNS)
        KT_FAIL("the yielding thread ran only %d of its %d runs", yk_runs, YK_RUNS);
    if (yk_companion_level == 0)
        KT_FAIL("the CPU-bound companion never left level 0: a thread that uses its whole "
                "slice moves down one level (without that, keeping the level proves nothing)");
    if (yk_worst_level != 0 && yk_longest + 1 < MQ_Q)
        KT_FAIL("a thread that yields after %d ticks of its %d-tick slice (%lu at most "
                "between two yields), %d times, fell to level %d: a thread that gives up the "
                "CPU by itself keeps its level and starts its next slice fresh (on_yield)",
                YK_TICKS, MQ_Q, yk_longest, YK_RUNS, yk_worst_level);
}
