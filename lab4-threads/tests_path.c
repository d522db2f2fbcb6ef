/* tests_path.c: invariants of the thread path: counters per switch, the caller's interrupt level, on_yield per voluntary stop, terminating a sleeper. */
#include <stdint.h>

#include "common/intr_level.h"
#include "fifo_policy.h"
#include "tests_util.h"

#define COUNT_ROUNDS 3

/* ---- every switch to a thread: RUNNING, one dispatch, one switch ------------ */

static volatile unsigned long seen_dispatches[COUNT_ROUNDS];
static volatile int seen_state[COUNT_ROUNDS];

static void count_body(void *arg)
{
    (void)arg;
    struct thread *me = thread_current();
    for (int i = 0; i < COUNT_ROUNDS; i++) {
        seen_dispatches[i] = me->dispatches;
        seen_state[i] = me->state;
        scheduler_yield();
    }
}

KTEST(threads_switch_counts_and_state)
{
    TESTS_REQUIRE_THREADS();
    struct thread *main_t = thread_current();
    for (int i = 0; i < COUNT_ROUNDS; i++)
        seen_dispatches[i] = 0, seen_state[i] = -1;
    int id = tests_spawn("counted", count_body, NULL);
    for (int i = 0; i < COUNT_ROUNDS; i++) {
        unsigned long sw = scheduler_stats()->switches, mine = main_t->dispatches;
        scheduler_yield(); /* to "counted" and back: two switches */
        unsigned long d_sw = scheduler_stats()->switches - sw;
        if (d_sw != 2)
            KT_FAIL("step 2 (context switch): a yield to one thread and back counted %lu "
                    "switches, want 2: thread_switch_to counts every real switch once", d_sw);
        if (main_t->dispatches != mine + 1)
            KT_FAIL("step 2 (context switch): main was switched back to once but its "
                    "dispatches went from %lu to %lu: count one per switch to a thread",
                    mine, main_t->dispatches);
        if (main_t->state != THREAD_RUNNING)
            KT_FAIL("step 2 (context switch): main runs again in state %s, want RUNNING: "
                    "the thread switched to becomes RUNNING",
                    thread_state_name(main_t->state));
        if (seen_dispatches[i] != (unsigned long)i + 1 || seen_state[i] != THREAD_RUNNING)
            KT_FAIL("step 2 (context switch): on its run %d the thread saw dispatches = %lu "
                    "and state %s, want %d and RUNNING", i + 1, seen_dispatches[i],
                    thread_state_name(seen_state[i]), i + 1);
    }
    thread_wait(id);
}

/* ---- the caller's interrupt level comes back from every scheduler call ------ */

static struct thread *level_waiter;

static void level_quick(void *arg)
{
    (void)arg;
}

static void level_resumer(void *arg)
{
    (void)arg;
    scheduler_resume(level_waiter);
}

/* Run each scheduler call with interrupts at LEVEL; returns the name
 * of the first that came back at another level, or NULL. */
static const char *level_round(enum intr_level level)
{
    level_waiter = thread_current();
    intr_set_level(level);
    thread_spawn("lvl-quick", level_quick, NULL);
    scheduler_yield(); /* a switch away and back */
    if (intr_get_level() != level)
        return "scheduler_yield (to another thread and back)";
    scheduler_yield(); /* nobody else ready: no switch */
    if (intr_get_level() != level)
        return "scheduler_yield (nobody else ready)";
    scheduler_sleep(1);
    if (intr_get_level() != level)
        return "scheduler_sleep(1)";
    struct thread *t = thread_create_named("lvl-resume", level_resumer, NULL, 0);
    if (t == NULL)
        return "thread_create (out of memory)";
    thread_dispatch_to(t);
    if (intr_get_level() != level)
        return "thread_dispatch_to (and a resume back)";
    t = thread_spawn("lvl-victim", level_quick, NULL);
    if (t == NULL)
        return "thread_spawn (out of memory)";
    scheduler_terminate(t); /* READY, never ran */
    if (intr_get_level() != level)
        return "scheduler_terminate (a ready thread)";
    return NULL;
}

KTEST(sched_calls_keep_interrupt_level)
{
    TESTS_REQUIRE_THREADS();
    enum intr_level old = intr_get_level();
    const char *on = level_round(INTR_ON);
    const char *off = level_round(INTR_OFF);
    intr_set_level(old);
    if (on != NULL)
        KT_FAIL("step 4 (yield): %s returned with interrupts OFF to a caller that had "
                "them ON: restore the caller's level (intr_set_level(old)) before "
                "returning", on);
    if (off != NULL)
        KT_FAIL("step 4 (yield): %s returned with interrupts ON to a caller that had "
                "them OFF: the level belongs to the thread", off);
}

/* ---- the policy hears on_yield once per voluntary stop, naming who stops ---- */

#define STOP_LOG 8
static int stop_log[STOP_LOG];
static volatile int stop_n;

static void stop_on_yield(struct thread *cur)
{
    if (stop_n < STOP_LOG)
        stop_log[stop_n] = thread_id(cur);
    stop_n++;
}

static const struct sched_policy stop_policy = {
    .name = "fifo-stops", .enqueue = fifo_enqueue, .pick_next = fifo_pick_next,
    .remove = fifo_remove, .ready_count = fifo_ready_count, .on_yield = stop_on_yield,
};

static struct thread *stop_main;

static void stop_quick(void *arg)
{
    (void)arg;
}

static void stop_resume_main(void *arg)
{
    (void)arg;
    scheduler_resume(stop_main);
}

KTEST(sched_on_yield_every_voluntary_stop)
{
    TESTS_REQUIRE_THREADS();
    const struct sched_policy *saved = scheduler_policy();
    stop_main = thread_current();
    int me = thread_id(stop_main), want[6];
    stop_n = 0;
    scheduler_set_policy(&stop_policy);
    struct thread *t = thread_spawn("stop-yield", stop_quick, NULL);
    want[0] = me, want[1] = t ? thread_id(t) : -1;
    scheduler_yield();                      /* main yields; T runs and exits */
    struct thread *u = thread_spawn("stop-block", stop_resume_main, NULL);
    want[2] = me, want[3] = u ? thread_id(u) : -1;
    enum intr_level old = intr_disable();
    scheduler_block();                      /* main blocks; U resumes it and exits */
    intr_set_level(old);
    struct thread *v = thread_create_named("stop-dispatch", stop_resume_main, NULL, 0);
    want[4] = me, want[5] = v ? thread_id(v) : -1;
    if (v != NULL)
        thread_dispatch_to(v);              /* main hands over; V resumes it and exits */
    scheduler_set_policy(saved);
    KT_ASSERT(t != NULL && u != NULL && v != NULL);
    static const char *const why[6] = {"main's yield", "a thread's return", "main's block",
                                       "a thread's return", "main's dispatch_to",
                                       "a thread's return"};
    for (int i = 0; i < 6; i++)
        if (i >= stop_n || stop_log[i] != want[i])
            KT_FAIL("steps 4-5 (yield, exit): on_yield call %d should name thread %d (%s), "
                    "got %s%d: the policy hears on_yield(cur) once every time a thread "
                    "gives up the CPU by itself (yield, block, dispatch_to, exit)", i + 1,
                    want[i], why[i], i >= stop_n ? "no call, " : "thread ",
                    i >= stop_n ? stop_n : stop_log[i]);
    if (stop_n != 6)
        KT_FAIL("steps 4-5 (yield, exit): %d on_yield calls for 6 voluntary stops", stop_n);
}

/* ---- terminating a sleeping thread takes it off the sleep list -------------- */

#define SLEEPER_TICKS 200 /* long enough that it is still asleep when we end it */
#define SLEEPER_TRIES 5

static volatile int sleeper_woke;

static void sleeper_body(void *arg)
{
    (void)arg;
    scheduler_sleep(SLEEPER_TICKS);
    sleeper_woke = 1;
}

KTEST(sched_terminate_sleeping_thread)
{
    TESTS_REQUIRE_THREADS();
    struct tests_baseline base;
    tests_baseline_take(&base, 2, 0, 0);
    int id = -1;
    bool asleep = false;
    /* Check it sleeps and end it with interrupts off, so it cannot wake in
     * between; a host stalled past its deadline just costs a retry. */
    for (int try = 0; try < SLEEPER_TRIES && !asleep; try++) {
        sleeper_woke = 0;
        struct thread *s = thread_spawn("sleeper", sleeper_body, NULL);
        KT_ASSERT(s != NULL);
        id = thread_id(s);
        scheduler_yield(); /* it runs and goes to sleep */
        enum intr_level old = intr_disable();
        asleep = s->state == THREAD_BLOCKED && !sleeper_woke;
        KT_ASSERT(!asleep || scheduler_can_terminate(s));
        scheduler_terminate(s);
        intr_set_level(old);
    }
    KT_ASSERT(asleep);
    /* Past its deadline: a sleeper left on the sleep list would be woken now,
     * freed memory and all. */
    scheduler_sleep(2 * SLEEPER_TICKS);
    if (sleeper_woke || thread_alive(id))
        KT_FAIL("step 5 (exit): a terminated sleeper %s", sleeper_woke ? "woke up and ran"
                                                                       : "is still alive");
    KT_ASSERT_EQ(thread_end_of(id), THREAD_END_TERMINATED);
    TESTS_ASSERT_BASELINE(&base);
}
