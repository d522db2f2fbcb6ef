/* tests_zombie.c: lab 4 tests of thread ending: zombies freed right after the switch, no leak over many threads. */
#include "common/intr_level.h"
#include "tests_util.h"

static volatile unsigned long bodies_run;

static void count_body(void *arg)
{
    (void)arg;
    enum intr_level old = intr_disable();
    bodies_run++;
    intr_set_level(old);
}

KTEST(zombie_freed_after_switch)
{
    TESTS_REQUIRE_THREADS();
    struct tests_baseline base;
    tests_baseline_take(&base, 4, 0, 0);
    unsigned long reaped = scheduler_stats()->reaped;
    int id = tests_spawn("zombie", count_body, NULL);
    thread_wait(id);
    /* The switch away from the zombie came straight to us (nobody else is
     * ready), and its memory is already back: nothing is left to a later
     * exit or to the idle thread. */
    unsigned long freed = scheduler_stats()->reaped - reaped;
    if (freed != 1)
        KT_FAIL("step 5 (zombies): %lu threads freed after one thread ended and we ran "
                "again, want 1: the thread that runs next frees the zombie right after "
                "the switch", freed);
    TESTS_ASSERT_BASELINE(&base);
}

KTEST(zombie_chain_of_exits)
{
    TESTS_REQUIRE_THREADS();
    struct tests_baseline base;
    tests_baseline_take(&base, 50, 0, 0);
    int ids[50];
    unsigned long reaped = scheduler_stats()->reaped;
    bodies_run = 0;
    for (int i = 0; i < 50; i++)
        ids[i] = tests_spawn("chain", count_body, NULL);
    /* One yield: the 50 run back to back, each freeing the one before. */
    scheduler_yield();
    KT_ASSERT_EQ(bodies_run, 50);
    for (int i = 0; i < 50; i++)
        KT_ASSERT(!thread_alive(ids[i]));
    unsigned long freed = scheduler_stats()->reaped - reaped;
    if (freed != 50)
        KT_FAIL("step 5 (zombies): %lu of 50 ended threads freed: each is freed right "
                "after the switch away from it", freed);
    TESTS_ASSERT_BASELINE(&base);
}

KTEST(zombie_create_exit_1000)
{
    TESTS_REQUIRE_THREADS();
    struct tests_baseline base;
    tests_baseline_take(&base, 10, 0, 0);
    unsigned long created = thread_created_total();
    bodies_run = 0;
    for (int round = 0; round < 100; round++) {
        int ids[10];
        for (int i = 0; i < 10; i++)
            ids[i] = tests_spawn("cycle", count_body, NULL);
        tests_wait_all(ids, 10);
    }
    KT_ASSERT_EQ(bodies_run, 1000);
    KT_ASSERT_EQ(thread_created_total(), created + 1000);
    TESTS_ASSERT_BASELINE(&base);
}
