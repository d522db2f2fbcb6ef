/* challenge_mlfq.c: lab 5 challenge: the multilevel feedback queue policy (levels, slices per level, demotion, boost). */
#include "common/debug.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/kstring.h"
#include "lab1-boot/cmdline.h"
#include "lab1-boot/monitor.h"
#include "lab4-threads/scheduler.h"
#include "challenge_mlfq.h"
#include "rr.h"
#include "rr_quantum.h"

CMDLINE_KEY(sched, "scheduling policy: rr (default) or mlfq (lab 5 challenge)");
CMDLINE_NUM_KEY(mlfq_boost, "mlfq: ticks between boosts to level 0 (0: never; default 100)",
                0, MLFQ_BOOST_MAX);

static struct list queues[MLFQ_LEVELS]; /* READY threads by level, oldest first; interrupts off */
static size_t n_ready;
static uint32_t quantum = RR_DEFAULT_QUANTUM_MS; /* level-0 slice, ticks */
static uint32_t boost_period = MLFQ_DEFAULT_BOOST;
static uint32_t since_boost;  /* ticks counted since the last boost */
static struct mlfq_stats stats;

/* ---- A thread's level and used ticks (policy_data) ---------------------- */

static int pd_level(const struct thread *t)
{
    int l = (int)(t->policy_data & MLFQ_PD_LEVEL_MASK);
    return l < MLFQ_LEVELS ? l : MLFQ_LEVELS - 1;
}

static uint32_t pd_used(const struct thread *t)
{
    return (uint32_t)(t->policy_data >> MLFQ_PD_USED_SHIFT);
}

static void pd_set(struct thread *t, int level, uint32_t used)
{
    t->policy_data = ((uintptr_t)used << MLFQ_PD_USED_SHIFT) | (uintptr_t)level;
}

uint32_t mlfq_slice_ticks(int level)
{
    return quantum << level;
}

/* ---- The ready queues ------------------------------------------------------- */

static void mlfq_enqueue(struct thread *t)
{
    KASSERT(intr_get_level() == INTR_OFF && t->state == THREAD_READY);
    list_push_back(&queues[pd_level(t)], &t->sched_elem);
    n_ready++;
}

/* The highest non-empty level, or MLFQ_LEVELS if none. Interrupts off. */
static int top_ready_level(void)
{
    int l = 0;
    while (l < MLFQ_LEVELS && list_empty(&queues[l]))
        l++;
    return l;
}

static struct thread *mlfq_pick_next(void)
{
    KASSERT(intr_get_level() == INTR_OFF);
    int l = top_ready_level();
    if (l == MLFQ_LEVELS)
        return NULL;
    n_ready--;
    return LIST_ENTRY(list_pop_front(&queues[l]), struct thread, sched_elem);
}

static void mlfq_remove(struct thread *t)
{
    KASSERT(intr_get_level() == INTR_OFF);
    KASSERT(list_contains(&queues[pd_level(t)], &t->sched_elem));
    list_remove(&t->sched_elem);
    n_ready--;
}

static size_t mlfq_ready_count(void)
{
    return n_ready;
}

/* Every thread back to level 0 with a fresh slice: the ready ones keep
 * their order, level by level. Interrupts off. */
static void mlfq_boost(void)
{
    /* LAB 5: TODO move the ready threads of the lower levels to the tail of
     * level 0 (level 1's first), then put every live thread
     * (thread_all_list, through all_elem) at level 0 with nothing used. */
    /* LAB 5: BEGIN SOLUTION challenge */
    for (int l = 1; l < MLFQ_LEVELS; l++)
        while (!list_empty(&queues[l]))
            list_push_back(&queues[0], list_pop_front(&queues[l]));
    struct list *all = thread_all_list();
    for (struct list_elem *e = list_begin(all); e != list_end(all); e = list_next(e))
        pd_set(LIST_ENTRY(e, struct thread, all_elem), 0, 0);
    /* LAB 5: END SOLUTION */
}

/* Count one tick against CUR's slice. Returns true if that used it up:
 * then CUR has moved down a level (not below the last) with a fresh slice.
 * Interrupts off. */
static bool mlfq_charge(struct thread *cur)
{
    /* LAB 5: TODO add the tick to CUR's used ticks. When they reach the
     * slice of its level (mlfq_slice_ticks), count the expiry in
     * stats.expiries[level], move CUR one level down (the last level keeps
     * it) with nothing used, and return true. */
    /* LAB 5: BEGIN SOLUTION challenge */
    int level = pd_level(cur);
    uint32_t used = pd_used(cur) + 1;
    if (used < mlfq_slice_ticks(level)) {
        pd_set(cur, level, used);
        return false;
    }
    stats.expiries[level]++;
    pd_set(cur, level + 1 < MLFQ_LEVELS ? level + 1 : level, 0);
    return true;
    /* LAB 5: END SOLUTION */
    (void)cur;
    return false;
}

/* Should CUR (whose slice just ran out if EXPIRED) give up the CPU? Interrupts off. */
static bool mlfq_should_preempt(struct thread *cur, bool expired)
{
    /* LAB 5: TODO after a used-up slice: if anyone else is ready. Otherwise:
     * if a ready thread sits at a higher level (a smaller number) than CUR. */
    /* LAB 5: BEGIN SOLUTION challenge */
    if (expired)
        return n_ready > 0;
    return top_ready_level() < pd_level(cur);
    /* LAB 5: END SOLUTION */
    (void)cur;
    (void)expired;
    return false;
}

/* A timer tick found CUR (not idle) running. Interrupts off, EOI sent.
 * Returns true to preempt CUR (it goes back through mlfq_enqueue). */
static bool mlfq_on_tick(struct thread *cur)
{
    stats.ticks++;
    bool expired = mlfq_charge(cur);
    if (boost_period != 0 && ++since_boost >= boost_period) {
        since_boost = 0;
        stats.boosts++;
        mlfq_boost();
    }
    return mlfq_should_preempt(cur, expired);
}

/* CUR gives up the CPU by itself: it keeps its level, and its next slice
 * starts fresh. Interrupts off. */
static void mlfq_on_yield(struct thread *cur)
{
    /* LAB 5: TODO keep CUR's level, forget the ticks it used. */
    /* LAB 5: BEGIN SOLUTION challenge */
    pd_set(cur, pd_level(cur), 0);
    /* LAB 5: END SOLUTION */
    (void)cur;
}

/* Empty queues, every thread at level 0, counters at 0. Interrupts off. */
static void mlfq_reset(void)
{
    for (int l = 0; l < MLFQ_LEVELS; l++)
        list_init(&queues[l]);
    n_ready = 0;
    since_boost = 0;
    memset(&stats, 0, sizeof stats);
    struct list *all = thread_all_list();
    for (struct list_elem *e = list_begin(all); e != list_end(all); e = list_next(e))
        pd_set(LIST_ENTRY(e, struct thread, all_elem), 0, 0);
}

const struct sched_policy mlfq_policy = {
    .name = "mlfq",
    .enqueue = mlfq_enqueue,
    .pick_next = mlfq_pick_next,
    .remove = mlfq_remove,
    .ready_count = mlfq_ready_count,
    .on_tick = mlfq_on_tick,
    .on_yield = mlfq_on_yield,
    .activate = mlfq_reset,
};

bool mlfq_active(void)
{
    return scheduler_policy() == &mlfq_policy;
}

void mlfq_configure(uint32_t q, uint32_t boost)
{
    enum intr_level old = intr_disable();
    quantum = q < 1 ? 1 : q > RR_QUANTUM_MAX ? RR_QUANTUM_MAX : q;
    boost_period = boost > MLFQ_BOOST_MAX ? MLFQ_BOOST_MAX : boost;
    since_boost = 0;
    memset(&stats, 0, sizeof stats);
    for (int l = 1; l < MLFQ_LEVELS; l++) /* everyone starts over at the top */
        while (!list_empty(&queues[l]))
            list_push_back(&queues[0], list_pop_front(&queues[l]));
    struct list *all = thread_all_list();
    for (struct list_elem *e = list_begin(all); e != list_end(all); e = list_next(e))
        pd_set(LIST_ENTRY(e, struct thread, all_elem), 0, 0);
    intr_set_level(old);
}

uint32_t mlfq_quantum(void)
{
    return quantum;
}

uint32_t mlfq_boost_period(void)
{
    return boost_period;
}

int mlfq_level(const struct thread *t)
{
    enum intr_level old = intr_disable();
    int l = pd_level(t);
    intr_set_level(old);
    return l;
}

uint32_t mlfq_used(const struct thread *t)
{
    enum intr_level old = intr_disable();
    uint32_t u = pd_used(t);
    intr_set_level(old);
    return u;
}

struct mlfq_stats mlfq_stats(void)
{
    enum intr_level old = intr_disable();
    struct mlfq_stats s = stats;
    intr_set_level(old);
    return s;
}

void challenge_mlfq_select(void)
{
    const char *want = cmdline_get("sched");
    if (want == NULL || strcmp(want, "rr") == 0)
        return;
    if (strcmp(want, "mlfq") != 0) {
        kprintf("sched=%s: unknown policy (rr, mlfq): keeping %s\n", want,
                scheduler_policy()->name);
        return;
    }
    quantum = rr_quantum_ticks();
    boost_period = (uint32_t)cmdline_get_ulong("mlfq_boost", MLFQ_DEFAULT_BOOST);
    scheduler_set_policy(&mlfq_policy);
    kprintf("lab5: challenge policy mlfq installed: %d levels, slices of %lu, %lu, %lu "
            "ticks, boost every %lu ticks\n", MLFQ_LEVELS, (unsigned long)mlfq_slice_ticks(0),
            (unsigned long)mlfq_slice_ticks(1), (unsigned long)mlfq_slice_ticks(2),
            (unsigned long)boost_period);
}

/* Monitor: `mlfq` shows the settings, counters and every thread's level;
 * `mlfq Q K` sets the level-0 slice and the boost period (ticks). */
static int cmd_mlfq(int argc, char **argv)
{
    if (argc == 3) {
        unsigned long q, k;
        const char *why;
        if (!cmdline_parse_number(argv[1], 1, RR_QUANTUM_MAX, &q, &why) ||
            !cmdline_parse_number(argv[2], 0, MLFQ_BOOST_MAX, &k, &why)) {
            kprintf("mlfq: %s (Q: 1..%u ticks, K: 0..%u ticks)\n", why, RR_QUANTUM_MAX,
                    MLFQ_BOOST_MAX);
            return 1;
        }
        mlfq_configure((uint32_t)q, (uint32_t)k);
    } else if (argc != 1) {
        kprintf("usage: mlfq [Q K]\n");
        return 1;
    }
    struct mlfq_stats st = mlfq_stats();
    kprintf("policy %s; slices %lu, %lu, %lu ticks; boost every %lu ticks (%lu so far)\n",
            scheduler_policy()->name, (unsigned long)mlfq_slice_ticks(0),
            (unsigned long)mlfq_slice_ticks(1), (unsigned long)mlfq_slice_ticks(2),
            (unsigned long)boost_period, st.boosts);
    kprintf("slices used up per level: %lu, %lu, %lu\n  id name             level used\n",
            st.expiries[0], st.expiries[1], st.expiries[2]);
    enum intr_level old = intr_disable();
    struct list *all = thread_all_list();
    for (struct list_elem *e = list_begin(all); e != list_end(all); e = list_next(e)) {
        struct thread *t = LIST_ENTRY(e, struct thread, all_elem);
        kprintf("%4d %-16s %5d %4lu\n", t->id, t->name, pd_level(t), (unsigned long)pd_used(t));
    }
    intr_set_level(old);
    return 0;
}
MONITOR_COMMAND(mlfq, "[Q K]", "MLFQ levels and counters (lab 5 challenge); Q K: set slice and boost",
                cmd_mlfq);
