/* tests_sched.c: lab 4 tests of the FIFO scheduler: yield, order, ping-pong, block/resume, sleep and idle, policies. */
#include "common/intr_level.h"
#include "fifo_policy.h"
#include "lab1-boot/pit.h"
#include "tests_util.h"
#include "thread_demos.h"

KTEST(sched_yield_alone)
{
    TESTS_REQUIRE_THREADS();
    KT_ASSERT_EQ(scheduler_ready_count(), 0);
    unsigned long switches = scheduler_stats()->switches;
    for (int i = 0; i < 100; i++)
        scheduler_yield();
    KT_ASSERT_EQ(scheduler_stats()->switches, switches); /* nobody else to run */
    KT_ASSERT_EQ(thread_current()->state, THREAD_RUNNING);
}

/* ---- FIFO order: N threads that each yield R times run round after round -- */

#define ORDER_THREADS 5
#define ORDER_ROUNDS 3
static volatile int order_log[ORDER_THREADS * ORDER_ROUNDS];
static volatile int order_n;

static void order_body(void *arg)
{
    for (int r = 0; r < ORDER_ROUNDS; r++) {
        order_log[order_n++] = (int)(uintptr_t)arg;
        scheduler_yield();
    }
}

KTEST(sched_fifo_order)
{
    TESTS_REQUIRE_THREADS();
    int ids[ORDER_THREADS];
    order_n = 0;
    for (int i = 0; i < ORDER_THREADS; i++)
        ids[i] = tests_spawn("order", order_body, (void *)(uintptr_t)i);
    tests_wait_all(ids, ORDER_THREADS);
    KT_ASSERT_EQ(order_n, ORDER_THREADS * ORDER_ROUNDS);
    for (int k = 0; k < ORDER_THREADS * ORDER_ROUNDS; k++)
        if (order_log[k] != k % ORDER_THREADS)
            KT_FAIL("step 4 (yield): turn %d ran thread #%d, expected #%d: a yield puts "
                    "the caller at the tail and runs the head (strict rounds)", k,
                    (int)order_log[k], k % ORDER_THREADS);
}

/* ---- the course's ping-pong (the grader checks the printed order too) ----- */

static struct pingpong pp;

static void check_pingpong_log(void)
{
    int k = 0;
    for (int b = 0; b < PINGPONG_LOG; b++)
        for (int n = 1; n <= pp.n_threads; n++)
            if (b < pp.bursts[n - 1]) {
                if (k >= pp.logged)
                    KT_FAIL("step 4 (yield): log ends after %d bursts", k);
                if (pp.log[k] != n * 1000 + b)
                    KT_FAIL("step 4 (yield): burst %d of the log: expected thread %d burst %d, got "
                            "thread %d burst %d", k, n, b, pp.log[k] / 1000,
                            pp.log[k] % 1000);
                k++;
            }
    KT_ASSERT_EQ(pp.logged, k);
}

KTEST(sched_pingpong)
{
    TESTS_REQUIRE_THREADS();
    pp = (struct pingpong){.n_threads = 4, .bursts = {10, 10, 10, 10}};
    KT_ASSERT_EQ(pingpong_start(&pp), 4);
    tests_wait_all(pp.ids, 4);
    KT_ASSERT_EQ(pp.finished, 4);
    check_pingpong_log();
}

KTEST(sched_pingpong_terminate)
{
    TESTS_REQUIRE_THREADS();
    struct tests_baseline base;
    tests_baseline_take(&base, 4, 0, 0);
    /* Threads 1 and 2 end after 10 bursts (1 returns, 2 calls thread_exit);
     * 3 and 4 keep passing the CPU to each other up to 20. */
    pp = (struct pingpong){.n_threads = 4, .bursts = {10, 10, 20, 20},
                           .use_exit = {false, true, false, false}};
    KT_ASSERT_EQ(pingpong_start(&pp), 4);
    tests_wait_all(pp.ids, 2);
    KT_ASSERT(thread_alive(pp.ids[2]) && thread_alive(pp.ids[3]));
    tests_wait_all(pp.ids, 4);
    KT_ASSERT_EQ(pp.finished, 4);
    check_pingpong_log();
    KT_ASSERT_EQ(thread_end_of(pp.ids[0]), THREAD_END_RETURNED);
    KT_ASSERT_EQ(thread_end_of(pp.ids[1]), THREAD_END_EXITED);
    TESTS_ASSERT_BASELINE(&base);
}

/* ---- block and resume: resume appends to the tail ------------------------- */

static struct thread *sleeper_self;
static volatile int block_step;

static void blocker_body(void *arg)
{
    (void)arg;
    enum intr_level old = intr_disable();
    block_step = 1;
    scheduler_block(); /* until main resumes us */
    intr_set_level(old);
    block_step = block_step == 2 ? 3 : -1;
}

static void bystander_body(void *arg)
{
    (void)arg;
    block_step = block_step == 3 ? 4 : -2; /* runs after the resumed blocker */
}

KTEST(sched_block_resume)
{
    TESTS_REQUIRE_THREADS();
    block_step = 0;
    sleeper_self = thread_create_named("blocker", blocker_body, NULL, 0);
    KT_ASSERT(sleeper_self != NULL);
    int id = thread_id(sleeper_self);
    scheduler_add(sleeper_self);
    for (int i = 0; i < 5; i++)
        scheduler_yield(); /* it blocks; yielding again does not run it */
    KT_ASSERT_EQ(block_step, 1);
    KT_ASSERT_EQ(sleeper_self->state, THREAD_BLOCKED);
    KT_ASSERT_EQ(scheduler_ready_count(), 0);
    block_step = 2;
    scheduler_resume(sleeper_self);
    int other = tests_spawn("bystander", bystander_body, NULL); /* queued behind it */
    KT_ASSERT_EQ(scheduler_ready_count(), 2);
    thread_wait(id);
    thread_wait(other);
    KT_ASSERT_EQ(block_step, 4);
}

/* ---- sleeping: main sleeps with nothing else ready, the idle thread halts -- */

KTEST(sched_sleep_runs_idle)
{
    TESTS_REQUIRE_THREADS();
    unsigned long halts = scheduler_stats()->idle_halts;
    unsigned long idle_ticks = scheduler_stats()->idle_ticks;
    uint32_t t0 = timer_ticks();
    scheduler_sleep(20);
    uint32_t slept = timer_ticks() - t0;
    KT_ASSERT(slept >= 20);
    KT_ASSERT(slept < 200);
    KT_ASSERT(scheduler_stats()->idle_halts > halts);
    KT_ASSERT(scheduler_stats()->idle_ticks >= idle_ticks + 15);
    KT_ASSERT_EQ(thread_current()->state, THREAD_RUNNING);
}

/* ---- terminating a thread that is not running ------------------------------- */

static volatile int victim_ran;

static void victim_body(void *arg)
{
    (void)arg;
    victim_ran++;
}

KTEST(sched_terminate_ready_thread)
{
    TESTS_REQUIRE_THREADS();
    struct tests_baseline base;
    tests_baseline_take(&base, 4, 0, 0);
    victim_ran = 0;
    struct thread *a = thread_spawn("victim-a", victim_body, NULL);
    struct thread *b = thread_spawn("victim-b", victim_body, NULL);
    KT_ASSERT(a != NULL && b != NULL);
    int idb = thread_id(b);
    KT_ASSERT_EQ(scheduler_ready_count(), 2);
    scheduler_terminate(a); /* READY: out of the queue and freed, never ran */
    KT_ASSERT_EQ(scheduler_ready_count(), 1);
    thread_wait(idb);
    KT_ASSERT_EQ(victim_ran, 1);
    TESTS_ASSERT_BASELINE(&base);
}

/* ---- policy hooks: a newest-first policy installed and removed at run time --
 * Threads made ready by someone else go to the front; a thread that yields
 * goes to the back (else it would be picked again at once). */

static struct list lifo;
static size_t lifo_n, lifo_yields;

static void lifo_enqueue(struct thread *t)
{
    if (t == thread_current())
        list_push_back(&lifo, &t->sched_elem);
    else
        list_push_front(&lifo, &t->sched_elem);
    lifo_n++;
}

static struct thread *lifo_pick(void)
{
    if (list_empty(&lifo))
        return NULL;
    lifo_n--;
    return LIST_ENTRY(list_pop_front(&lifo), struct thread, sched_elem);
}

static void lifo_remove(struct thread *t)
{
    list_remove(&t->sched_elem);
    lifo_n--;
}

static size_t lifo_count(void)
{
    return lifo_n;
}

static void lifo_on_yield(struct thread *cur)
{
    (void)cur;
    lifo_yields++;
}

static void lifo_activate(void)
{
    list_init(&lifo);
    lifo_n = 0;
}

static const struct sched_policy lifo_policy = {
    .name = "lifo-test", .enqueue = lifo_enqueue, .pick_next = lifo_pick,
    .remove = lifo_remove, .ready_count = lifo_count, .on_yield = lifo_on_yield,
    .activate = lifo_activate,
};

static void lifo_body(void *arg)
{
    order_log[order_n++] = (int)(uintptr_t)arg;
}

KTEST(sched_policy_hooks)
{
    TESTS_REQUIRE_THREADS();
    const struct sched_policy *saved = scheduler_policy();
    int ids[3];
    order_n = 0;
    lifo_yields = 0;
    scheduler_set_policy(&lifo_policy);
    for (int i = 0; i < 3; i++)
        ids[i] = tests_spawn("lifo", lifo_body, (void *)(uintptr_t)i);
    tests_wait_all(ids, 3);
    scheduler_set_policy(saved);
    KT_ASSERT_EQ(order_n, 3);
    for (int i = 0; i < 3; i++) /* newest first */
        KT_ASSERT_EQ(order_log[i], 2 - i);
    KT_ASSERT(lifo_yields > 0);
    KT_ASSERT_EQ(scheduler_policy(), saved);
    enum intr_level old = intr_disable();
    const char *problem = fifo_check();
    intr_set_level(old);
    KT_ASSERT(problem == NULL);
}
