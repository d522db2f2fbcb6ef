/* tests_challenge_mlfq_boost.c: lab 5 challenge tests: the MLFQ boost lifts a starving thread, and bounds every wait for the CPU; judged in ticks. */
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "lab1-boot/pit.h"
#include "tests_challenge_mlfq.h"

/* ---- the boost lifts a starving thread ----------------------------------- */

#define BO_K 60          /* boost period in this test */
#define BO_WINDOW (3 * BO_K)

static volatile bool bo_stop, bo_gamers_on;
static volatile uint32_t bo_t0, bo_lifted_at, bo_bottom_at;

/* CPU-bound: notes when it reached the bottom, and when it first ran at
 * level 0 after the gamers started. */
static void bo_spin(void *arg)
{
    (void)arg;
    while (!bo_stop && thread_cpu_ticks(thread_current()) < MQ_CPU_LIMIT) {
        int l = mlfq_level(thread_current());
        if (l == MQ_BOTTOM && bo_bottom_at == 0)
            bo_bottom_at = timer_ticks() | 1;
        if (bo_gamers_on && bo_lifted_at == 0 && l == 0)
            bo_lifted_at = timer_ticks();
    }
}

/* Yields all the time: stays at level 0 and keeps it busy. */
static void bo_gamer(void *arg)
{
    (void)arg;
    while (!bo_stop && timer_ticks() - bo_t0 < 2 * BO_WINDOW)
        scheduler_yield();
}

KTEST(mlfq_boost_lifts_starving)
{
    mq_begin(BO_K);
    bo_stop = bo_gamers_on = false;
    bo_lifted_at = bo_bottom_at = 0;
    bo_t0 = timer_ticks();
    int ids[3];
    ids[0] = tests_spawn("mlfq-starved", bo_spin, NULL);
    TESTS_RR_SLEEP_UNTIL(bo_bottom_at != 0, 4 * BO_K);
    if (bo_bottom_at == 0) {
        bo_stop = true;
        mq_wait_all(ids, 1);
        mq_end();
        KT_FAIL("a CPU-bound thread alone did not reach level %d in %d ticks (slices %d, "
                "%d): a used-up slice moves it down", MQ_BOTTOM, 4 * BO_K, MQ_Q, 2 * MQ_Q);
    }
    static const struct mq_worker gamers[2] = {{"mlfq-gamer", bo_gamer, NULL},
                                               {"mlfq-gamer", bo_gamer, NULL}};
    bo_gamers_on = true;
    mq_start_together(gamers, 2, ids + 1, &bo_t0);
    scheduler_sleep(BO_WINDOW);
    bo_stop = true;
    mq_wait_all(ids, 3);
    struct mlfq_stats st = mlfq_stats();
    mq_end();
    kprintf("mlfq: starving thread lifted %ld ticks after the gamers started, %lu boosts\n",
            bo_lifted_at ? (long)(int32_t)(bo_lifted_at - bo_t0) : -1L, st.boosts);
    if (bo_lifted_at == 0)
        KT_FAIL("a thread at level %d got no CPU in %d ticks while two yielding threads "
                "held level 0 (%lu boosts counted): every %d ticks, a boost must put every "
                "thread back at level 0", MQ_BOTTOM, BO_WINDOW, st.boosts, BO_K);
    if ((int32_t)(bo_lifted_at - bo_t0) > 2 * BO_K)
        KT_FAIL("the starving thread first ran %lu ticks after the yielding threads took "
                "level 0: a boost every %d ticks must lift it within %d",
                (unsigned long)(int32_t)(bo_lifted_at - bo_t0), BO_K, 2 * BO_K);
}

/* ---- no thread waits for the CPU longer than a bound -------------------------- */

#define NS_K 50                 /* boost period */
#define NS_RUN (6 * NS_K)       /* ticks the mix runs */
#define NS_BOUND (2 * NS_K)     /* longest wait allowed */
#define NS_WORKERS 5

struct ns_worker {
    const char *kind;
    volatile uint32_t longest, from; /* longest gap between two samples, and where */
    volatile unsigned long samples;
};

static struct ns_worker ns[NS_WORKERS];
static volatile uint32_t ns_t0;

/* Sample the clock; record the longest time since the previous sample. */
static bool ns_sample(struct ns_worker *w, uint32_t *prev)
{
    uint32_t now = timer_ticks();
    if (now - *prev > w->longest) {
        w->longest = now - *prev;
        w->from = *prev - ns_t0;
    }
    *prev = now;
    w->samples++;
    return now - ns_t0 < NS_RUN;
}

static void ns_spinner(void *arg)
{
    uint32_t prev = ns_t0;
    while (ns_sample(arg, &prev))
        ;
}

static void ns_gamer(void *arg)
{
    uint32_t prev = ns_t0;
    while (ns_sample(arg, &prev))
        scheduler_yield();
}

static void ns_sleeper(void *arg)
{
    uint32_t prev = ns_t0;
    while (ns_sample(arg, &prev))
        scheduler_sleep(1);
}

KTEST(mlfq_no_starvation_bounded)
{
    static const struct { const char *kind; thread_fn *fn; } mix[NS_WORKERS] = {
        {"spinner", ns_spinner}, {"gamer", ns_gamer}, {"spinner", ns_spinner},
        {"gamer", ns_gamer}, {"sleeper", ns_sleeper},
    };
    mq_begin(NS_K);
    int ids[NS_WORKERS];
    struct mq_worker w[NS_WORKERS];
    for (int i = 0; i < NS_WORKERS; i++) {
        ns[i] = (struct ns_worker){.kind = mix[i].kind};
        w[i] = (struct mq_worker){"mlfq-mix", mix[i].fn, &ns[i]};
    }
    mq_start_together(w, NS_WORKERS, ids, &ns_t0);
    mq_wait_all(ids, NS_WORKERS);
    mq_end();
    kprintf("mlfq: longest waits (ticks):");
    for (int i = 0; i < NS_WORKERS; i++)
        kprintf(" %s %lu", ns[i].kind, (unsigned long)ns[i].longest);
    kprintf("\n");
    for (int i = 0; i < NS_WORKERS; i++)
        if (ns[i].longest > NS_BOUND)
            KT_FAIL("worker %d (%s) waited %lu ticks for the CPU (from tick %lu of the run) "
                    "among 2 spinners, 2 yielding threads and a sleeper: with a boost every "
                    "%d ticks no thread may wait more than %d", i, ns[i].kind,
                    (unsigned long)ns[i].longest, (unsigned long)ns[i].from, NS_K, NS_BOUND);
}
