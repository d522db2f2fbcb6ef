/* tests_challenge_priority.c: lab 4 challenge tests: priority order and donation (one, multiple, nest, chain, lower), judged by the order of events. */
#include "common/format.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/kstring.h"
#include "lab1-boot/pit.h"
#include "challenge_prio_lock.h"
#include "challenge_priority.h"
#include "tests_util.h"

/*
 * Each test runs a scenario in the style of Pintos's priority-donate-*:
 * threads (and main) log labelled events with their effective priority at
 * that moment; main releases every lock, waits for every thread, and only
 * then compares the log with the one order that strict priority scheduling
 * with donation allows. Nothing is judged by time.
 */

#define CP_EVENTS 40
#define CP_THREADS 16
#define D PRIO_DEFAULT
#define CP_WAKE_SPIN_TICKS 50 /* main spins this long at most for a woken thread */

struct cp_event {
    const char *label;
    int prio;
};

static struct cp_event cp_log[CP_EVENTS];
static volatile int cp_n;
static int cp_ids[CP_THREADS];
static int cp_nids;

/* Log LABEL with the running thread's effective priority. Any thread. */
static void cp_note(const char *label)
{
    enum intr_level old = intr_disable();
    if (cp_n < CP_EVENTS)
        cp_log[cp_n] = (struct cp_event){label, prio_get(thread_current())};
    cp_n++;
    intr_set_level(old);
}

/* Fail unless the priority policy runs; start main at PRIO_DEFAULT. */
static void cp_begin(void)
{
    TESTS_REQUIRE_THREADS();
    if (!prio_active())
        KT_FAIL("the scheduler's policy is %s, not priority: this challenge test needs a "
                "boot with sched=priority", scheduler_policy()->name);
    prio_set(PRIO_DEFAULT);
    cp_n = 0;
    cp_nids = 0;
}

/* Spawn a logging thread at priority P (may run at once). */
static void cp_spawn(const char *name, int p, thread_fn *fn, void *arg)
{
    int id = prio_spawn(name, p, fn, arg);
    if (id < 0)
        KT_FAIL("prio_spawn(%s) failed", name);
    if (cp_nids < CP_THREADS)
        cp_ids[cp_nids++] = id;
}

/* Main drops to the lowest priority until every spawned thread ended
 * (threads that outrank it run first), then goes back to PRIO_DEFAULT. */
static void cp_finish(void)
{
    prio_set(PRIO_MIN);
    tests_wait_all(cp_ids, cp_nids);
    prio_set(PRIO_DEFAULT);
}

/* The log as text, for failure messages. */
static const char *cp_log_text(void)
{
    static char buf[640];
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < cp_n && i < CP_EVENTS && used + 1 < sizeof buf; i++)
        used += (size_t)ksnprintf(buf + used, sizeof buf - used, "%s%s(%d)", i ? ", " : "",
                                  cp_log[i].label, cp_log[i].prio);
    return buf;
}

/* Fail unless the log's labels are EXPECT[0..N) in that order. WHY: the rule. */
static void cp_expect_order(const char *const *expect, int n, const char *why)
{
    for (int i = 0; i < n; i++)
        if (i >= cp_n || strcmp(cp_log[i].label, expect[i]) != 0)
            KT_FAIL("event %d: expected '%s', got '%s' (%s). Log: %s", i, expect[i],
                    i < cp_n ? cp_log[i].label : "nothing", why, cp_log_text());
    if (cp_n != n)
        KT_FAIL("%d events, expected %d. Log: %s", cp_n, n, cp_log_text());
}

/* Fail unless the event LABEL was logged at effective priority P. */
static void cp_expect_prio(const char *label, int p, const char *why)
{
    for (int i = 0; i < cp_n && i < CP_EVENTS; i++)
        if (strcmp(cp_log[i].label, label) == 0) {
            if (cp_log[i].prio != p)
                KT_FAIL("'%s' ran at priority %d, expected %d (%s). Log: %s", label,
                        cp_log[i].prio, p, why, cp_log_text());
            return;
        }
    KT_FAIL("no event '%s'. Log: %s", label, cp_log_text());
}

/* A thread whose whole life is one event: its label (the argument). */
static void cp_logger(void *label)
{
    cp_note(label);
}

/* ---- strict priority order ------------------------------------------------- */

KTEST(prio_highest_first_fifo_among_equals)
{
    cp_begin();
    prio_set(PRIO_MAX); /* nobody outranks main while it spawns */
    static const struct { const char *name; int p; } ts[] = {
        {"a10", 10}, {"b40", 40}, {"c40", 40}, {"d20", 20}, {"e50", 50}, {"f40", 40},
    };
    for (unsigned i = 0; i < sizeof ts / sizeof ts[0]; i++)
        cp_spawn(ts[i].name, ts[i].p, cp_logger, (void *)ts[i].name);
    prio_set(PRIO_MIN); /* everyone outranks main now: they all run first */
    cp_note("main");
    cp_finish();
    static const char *const order[] = {"e50", "b40", "c40", "f40", "d20", "a10", "main"};
    cp_expect_order(order, 7, "the highest-priority ready thread runs, the oldest first "
                    "among equals, as soon as main lowers itself below them");
}

KTEST(prio_preempt_on_spawn_and_set)
{
    cp_begin();
    cp_spawn("high", D + 1, cp_logger, "high");
    cp_note("main: spawned high");
    cp_spawn("low", D - 1, cp_logger, "low");
    cp_note("main: spawned low");
    prio_set(D - 2);
    cp_note("main: lowered");
    cp_finish();
    static const char *const order[] = {"high", "main: spawned high", "main: spawned low",
                                        "low", "main: lowered"};
    cp_expect_order(order, 5, "a thread that outranks the runner runs at once: when it is "
                    "made ready, or when the runner lowers its own priority");
}

static void cp_sleeper(void *arg)
{
    (void)arg;
    scheduler_sleep(2);
    cp_note("sleeper woke");
}

KTEST(prio_wakeup_preempts_at_tick)
{
    cp_begin();
    cp_spawn("sleeper", D + 5, cp_sleeper, NULL); /* runs, sleeps 2 ticks */
    uint32_t t0 = timer_ticks();
    while (cp_n == 0 && timer_ticks() - t0 < CP_WAKE_SPIN_TICKS)
        __asm__ volatile("pause"); /* main computes, interrupts on, never yields */
    cp_note("main: stopped spinning");
    cp_finish();
    static const char *const order[] = {"sleeper woke", "main: stopped spinning"};
    cp_expect_order(order, 2, "a sleeper that outranks the running thread runs at the tick "
                    "that wakes it (on_tick preempts), not when the runner yields");
}

/* ---- donation -------------------------------------------------------------- */

struct cp_locker {
    struct prio_lock *lock;
    const char *got, *done;
};

/* Take the lock, log, release it, log. */
static void cp_locker_body(void *arg)
{
    const struct cp_locker *k = arg;
    prio_lock_acquire(k->lock);
    cp_note(k->got);
    prio_lock_release(k->lock);
    cp_note(k->done);
}

KTEST(prio_donate_one)
{
    static struct prio_lock l;
    static const struct cp_locker a1 = {&l, "a1 got lock", "a1 done"},
                                  a2 = {&l, "a2 got lock", "a2 done"};
    cp_begin();
    prio_lock_init(&l, "one");
    prio_lock_acquire(&l);
    cp_spawn("a1", D + 1, cp_locker_body, (void *)&a1); /* blocks on L: donates */
    cp_note("main: a1 waits");
    cp_spawn("a2", D + 2, cp_locker_body, (void *)&a2);
    cp_note("main: a2 waits");
    prio_lock_release(&l);
    cp_note("main: released");
    cp_finish();
    static const char *const order[] = {"main: a1 waits", "main: a2 waits", "a2 got lock",
                                        "a2 done", "a1 got lock", "a1 done", "main: released"};
    cp_expect_order(order, 7, "the lock goes to its highest-priority waiter, which runs at "
                    "once; main, no longer donated to, runs last");
    cp_expect_prio("main: a1 waits", D + 1, "a waiter donates its priority to the holder");
    cp_expect_prio("main: a2 waits", D + 2, "the holder gets its best waiter's priority");
    cp_expect_prio("main: released", D, "releasing the lock gives the donation back");
}

KTEST(prio_donate_multiple)
{
    static struct prio_lock a, b;
    static const struct cp_locker ta = {&a, "ta got A", "ta done"},
                                  td = {&a, "td got A", "td done"},
                                  tb = {&b, "tb got B", "tb done"};
    cp_begin();
    prio_lock_init(&a, "A");
    prio_lock_init(&b, "B");
    prio_lock_acquire(&a);
    prio_lock_acquire(&b);
    cp_spawn("ta", D + 3, cp_locker_body, (void *)&ta);
    cp_note("main: ta waits on A");
    cp_spawn("td", D + 4, cp_locker_body, (void *)&td);
    cp_note("main: td waits on A");
    cp_spawn("tb", D + 5, cp_locker_body, (void *)&tb);
    cp_note("main: tb waits on B");
    cp_spawn("tc", D + 1, cp_logger, "tc ran"); /* outranked by main's donation */
    prio_lock_release(&a); /* td gets A, but main still holds B for tb (D+5) */
    cp_note("main: released A");
    prio_lock_release(&b);
    cp_note("main: released B");
    cp_finish();
    static const char *const order[] = {
        "main: ta waits on A", "main: td waits on A", "main: tb waits on B",
        "main: released A", "tb got B", "tb done", "td got A", "td done", "ta got A",
        "ta done", "tc ran", "main: released B"};
    cp_expect_order(order, 12, "a holder of two locks keeps the best donation of the lock "
                    "it still holds; a lock goes to its highest-priority waiter");
    cp_expect_prio("main: td waits on A", D + 4, "two donors on one lock: the higher wins");
    cp_expect_prio("main: tb waits on B", D + 5, "donations through two locks: the highest");
    cp_expect_prio("main: released A", D + 5, "after releasing A, B's waiter still donates");
    cp_expect_prio("main: released B", D, "with no lock held, the base priority is back");
}

KTEST(prio_donate_to_sleeping_holder)
{
    static struct prio_lock l;
    static const struct cp_locker x = {&l, "x got lock", "x done"},
                                  y = {&l, "y got lock", "y done"};
    cp_begin();
    prio_lock_init(&l, "sleepy");
    prio_lock_acquire(&l);
    cp_spawn("x", D + 3, cp_locker_body, (void *)&x); /* waits: main at D+3 */
    cp_spawn("y", D + 1, cp_locker_body, (void *)&y); /* outranked: waits its turn */
    cp_note("main: x waits");
    scheduler_sleep(2); /* main blocks holding the lock: y runs and waits too */
    cp_note("main: woke");
    prio_lock_release(&l);
    cp_note("main: released");
    cp_finish();
    static const char *const order[] = {"main: x waits", "main: woke", "x got lock",
                                        "x done", "y got lock", "y done", "main: released"};
    cp_expect_order(order, 7, "a lower waiter that arrives later does not get the lock "
                    "first");
    cp_expect_prio("main: woke", D + 3, "a lower donor arriving while the holder sleeps "
                   "must not lower what a higher donor gave (donations only raise)");
    cp_expect_prio("main: released", D, "releasing the lock gives both donations back");
}

static struct prio_lock nest_a, nest_b;

static void cp_medium(void *arg)
{
    (void)arg;
    prio_lock_acquire(&nest_b);
    prio_lock_acquire(&nest_a); /* held by main: donates */
    cp_note("medium got A");
    prio_lock_release(&nest_a);
    cp_note("medium released A");
    prio_lock_release(&nest_b); /* high gets B and runs at once */
    cp_note("medium done");
}

KTEST(prio_donate_nest)
{
    static const struct cp_locker high = {&nest_b, "high got B", "high done"};
    cp_begin();
    prio_lock_init(&nest_a, "A");
    prio_lock_init(&nest_b, "B");
    prio_lock_acquire(&nest_a);
    cp_spawn("medium", D + 1, cp_medium, NULL);
    cp_note("main: medium waits");
    cp_spawn("high", D + 2, cp_locker_body, (void *)&high); /* waits on B (medium) */
    cp_note("main: high waits");
    prio_lock_release(&nest_a);
    cp_note("main: released A");
    cp_finish();
    static const char *const order[] = {
        "main: medium waits", "main: high waits", "medium got A", "medium released A",
        "high got B", "high done", "medium done", "main: released A"};
    cp_expect_order(order, 8, "a donation passes through a blocked holder to the holder "
                    "of the lock it waits for");
    cp_expect_prio("main: high waits", D + 2, "high -> B (medium) -> A (main): nested "
                   "donation reaches main");
    cp_expect_prio("medium got A", D + 2, "medium still holds B, which high waits for");
    cp_expect_prio("medium released A", D + 2, "releasing A keeps B's donation");
    cp_expect_prio("medium done", D + 1, "releasing B gives high's donation back");
    cp_expect_prio("main: released A", D, "main's donation is gone with A");
}

#define CHAIN 7 /* threads in the chain: donation depth 7 */

static struct prio_lock chain_locks[CHAIN + 1];
static const char *const chain_got[CHAIN + 1] = {
    "", "t1 got", "t2 got", "t3 got", "t4 got", "t5 got", "t6 got", "t7 got"};
static const char *const chain_done[CHAIN + 1] = {
    "", "t1 done", "t2 done", "t3 done", "t4 done", "t5 done", "t6 done", "t7 done"};
static const char *const chain_inter[CHAIN + 1] = {
    "", "i1", "i2", "i3", "i4", "i5", "i6", "i7"};
static const char *const chain_main[CHAIN + 1] = {
    "", "main: t1 waits", "main: t2 waits", "main: t3 waits", "main: t4 waits",
    "main: t5 waits", "main: t6 waits", "main: t7 waits"};

/* Thread I (priority 3I) holds lock I and waits for lock I-1. */
static void cp_chain_link(void *arg)
{
    int i = (int)(uintptr_t)arg;
    prio_lock_acquire(&chain_locks[i]);
    prio_lock_acquire(&chain_locks[i - 1]);
    cp_note(chain_got[i]);
    prio_lock_release(&chain_locks[i - 1]);
    prio_lock_release(&chain_locks[i]);
    cp_note(chain_done[i]);
}

KTEST(prio_donate_chain)
{
    cp_begin();
    prio_set(PRIO_MIN);
    for (int i = 0; i <= CHAIN; i++)
        prio_lock_init(&chain_locks[i], "chain");
    prio_lock_acquire(&chain_locks[0]);
    for (int i = 1; i <= CHAIN; i++) {
        cp_spawn("link", 3 * i, cp_chain_link, (void *)(uintptr_t)i);
        cp_note(chain_main[i]);
        cp_spawn("interloper", 3 * i - 1, cp_logger, (void *)chain_inter[i]);
    }
    prio_lock_release(&chain_locks[0]);
    cp_note("main: released");
    cp_finish();
    const char *order[4 * CHAIN + 1];
    int n = 0;
    for (int i = 1; i <= CHAIN; i++)
        order[n++] = chain_main[i];
    for (int i = 1; i <= CHAIN; i++)
        order[n++] = chain_got[i];
    for (int i = CHAIN; i >= 1; i--) {
        order[n++] = chain_done[i];
        order[n++] = chain_inter[i];
    }
    order[n++] = "main: released";
    cp_expect_order(order, n, "the top of a 7-lock chain lends its priority down to main; "
                    "each link runs as soon as it gets its lock, and an interloper just "
                    "below a link runs only after it");
    for (int i = 1; i <= CHAIN; i++) {
        cp_expect_prio(chain_main[i], 3 * i, "donation follows the whole chain to main");
        cp_expect_prio(chain_got[i], 3 * CHAIN, "a link keeps the chain top's priority "
                       "while it holds the lock the next link waits for");
        cp_expect_prio(chain_done[i], 3 * i, "a link's base priority is back once it "
                       "released its locks");
    }
    cp_expect_prio("main: released", PRIO_MIN, "main's donations are gone");
}

KTEST(prio_donate_lower)
{
    static struct prio_lock l;
    static const struct cp_locker acq = {&l, "acq got lock", "acq done"};
    cp_begin();
    prio_lock_init(&l, "lower");
    prio_lock_acquire(&l);
    cp_spawn("acq", D + 10, cp_locker_body, (void *)&acq);
    cp_note("main: acq waits");
    prio_set(D - 10); /* lower the base while donated to */
    cp_note("main: lowered base");
    int base = prio_base(thread_current());
    prio_lock_release(&l);
    cp_note("main: released");
    cp_finish();
    static const char *const order[] = {"main: acq waits", "main: lowered base",
                                        "acq got lock", "acq done", "main: released"};
    cp_expect_order(order, 5, "lowering the base priority does not cancel a donation");
    KT_ASSERT_EQ(base, D - 10);
    cp_expect_prio("main: lowered base", D + 10, "the donation still holds after "
                   "prio_set lowered the base");
    cp_expect_prio("main: released", D - 10, "on release, the new (lower) base priority "
                   "is what remains");
}
