/* tests_fifo_pick.c: lab 4 tests of who runs after a thread exits, blocks or yields, and of ready-queue counts. */
#include "common/intr_level.h"
#include "fifo_policy.h"
#include "lab1-boot/pit.h"
#include "tests_util.h"

#define PICK_LOG_MAX 16

/* What the threads log, in the order they run. */
enum pick_event {
    PICK_A_RAN = 1,  /* A ran, and now exits */
    PICK_B_RAN,      /* B ran, and now blocks */
    PICK_C_RAN,      /* C ran, and now yields */
    PICK_MAIN_BACK,  /* main got the CPU back */
    PICK_C_AGAIN,    /* C ran again, and now returns */
    PICK_B_RESUMED,  /* B came back from its block, and now returns */
};

static volatile int pick_log[PICK_LOG_MAX];
static volatile int pick_n;
static struct thread *pick_b;

static void pick_note(enum pick_event e)
{
    enum intr_level old = intr_disable();
    if (pick_n < PICK_LOG_MAX)
        pick_log[pick_n] = e;
    pick_n++;
    intr_set_level(old);
}

static void pick_a(void *arg)
{
    (void)arg;
    pick_note(PICK_A_RAN);
}

static void pick_b_body(void *arg)
{
    (void)arg;
    pick_note(PICK_B_RAN);
    enum intr_level old = intr_disable();
    scheduler_block();
    intr_set_level(old);
    pick_note(PICK_B_RESUMED);
}

static void pick_c(void *arg)
{
    (void)arg;
    pick_note(PICK_C_RAN);
    scheduler_yield();
    pick_note(PICK_C_AGAIN);
}

/* Fail unless the log is EXPECT[0..n) (the ready queue's head ran each time). */
static void pick_expect(const int *expect, int n, const char *after)
{
    static const char *const what[] = {"?", "A", "B", "C", "main", "C (again)",
                                       "B (resumed)"};
    KT_ASSERT_EQ(pick_n, n);
    for (int i = 0; i < n; i++)
        if (pick_log[i] != expect[i])
            KT_FAIL("steps 4-5 (yield, exit): %s, event %d was %s running, expected %s: the scheduler must run "
                    "the head of the ready queue (oldest ready thread first)", after, i,
                    what[pick_log[i]], what[expect[i]]);
}

KTEST(sched_next_after_exit_block_yield)
{
    TESTS_REQUIRE_THREADS();
    struct thread *idle = scheduler_idle_thread();
    unsigned long idle_dispatches = idle->dispatches;
    unsigned long reaped = scheduler_stats()->reaped;
    pick_n = 0;
    int ida = tests_spawn("pick-a", pick_a, NULL);
    pick_b = thread_create_named("pick-b", pick_b_body, NULL, 0);
    KT_ASSERT(pick_b != NULL);
    int idb = thread_id(pick_b);
    scheduler_add(pick_b);
    int idc = tests_spawn("pick-c", pick_c, NULL);
    tests_expect_ready(3);

    /* Queue: A B C main. A exits -> B (not C, not idle); B blocks -> C;
     * C yields -> main (C behind it). */
    scheduler_yield();
    pick_note(PICK_MAIN_BACK);
    static const int first[] = {PICK_A_RAN, PICK_B_RAN, PICK_C_RAN, PICK_MAIN_BACK};
    pick_expect(first, 4, "after A exited, B blocked and C yielded");
    KT_ASSERT(!thread_alive(ida));
    KT_ASSERT_EQ(pick_b->state, THREAD_BLOCKED);
    tests_expect_ready(1); /* C */

    /* Resume B (tail: behind C), then let both finish. */
    scheduler_resume(pick_b);
    tests_expect_ready(2);
    scheduler_yield();
    static const int all[] = {PICK_A_RAN, PICK_B_RAN, PICK_C_RAN, PICK_MAIN_BACK,
                              PICK_C_AGAIN, PICK_B_RESUMED};
    pick_expect(all, 6, "after B was resumed behind C");
    KT_ASSERT(!thread_alive(idb) && !thread_alive(idc));
    tests_expect_ready(0);
    KT_ASSERT_EQ(scheduler_stats()->reaped, reaped + 3);
    if (idle->dispatches != idle_dispatches)
        KT_FAIL("step 4 (yield): the idle thread ran %lu times while other threads were ready: it runs "
                "only when the ready queue is empty",
                idle->dispatches - idle_dispatches);
}

/* ---- a thread ends while nothing else is ready: the idle thread runs -------- */

#define LONE_SLEEP 20 /* ticks main sleeps while the lone thread runs and ends */
#define LONE_TRIES 5

static volatile int lone_ran;
static volatile uint32_t lone_end_tick;

static void lone_body(void *arg)
{
    (void)arg;
    lone_ran++;
    lone_end_tick = timer_ticks();
}

KTEST(sched_exit_with_nothing_ready_runs_idle)
{
    TESTS_REQUIRE_THREADS();
    struct tests_baseline base;
    tests_baseline_take(&base, 4, 0, 0);
    struct thread *idle = scheduler_idle_thread();
    for (int attempt = 1;; attempt++) {
        unsigned long idle_dispatches = idle->dispatches;
        unsigned long reaped = scheduler_stats()->reaped;
        lone_ran = 0;
        int id = tests_spawn("lone", lone_body, NULL);
        /* Main sleeps: the lone thread runs, ends with nobody ready (main is
         * on the sleep list), and the CPU must go to the idle thread, which
         * frees the zombie and halts until the timer wakes main. */
        uint32_t t0 = timer_ticks();
        scheduler_sleep(LONE_SLEEP);
        KT_ASSERT_EQ(lone_ran, 1);
        KT_ASSERT(!thread_alive(id));
        KT_ASSERT_EQ(scheduler_stats()->reaped, reaped + 1);
        if (idle->dispatches != idle_dispatches)
            break;
        /* Only conclusive if main was still asleep when the thread ended
         * (a stalled emulator may deliver the wake-up tick first). */
        if (lone_end_tick - t0 < LONE_SLEEP - 1)
            KT_FAIL("step 4 (yield): nothing was ready when the thread ended, yet the idle thread "
                    "never ran");
        if (attempt == LONE_TRIES)
            KT_FAIL("step 4 (yield): main's %d-tick sleep always ended before a thread that does "
                    "nothing did: the timer runs too fast to test", LONE_SLEEP);
    }
    tests_expect_ready(0);
    TESTS_ASSERT_BASELINE(&base);
}
