/* test_fifo_policy.c: host unit tests of the FIFO policy's hooks, including the interrupts-off contract. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/host_tests/host_support.h"
#include "lab4-threads/fifo_policy.h"
#include "lab4-threads/thread.h"

static bool interrupts_off = true; /* what the policy believes the IF flag is */

bool sched_host_interrupts_off(void)
{
    return interrupts_off;
}

static struct thread threads[8];

static int setup(void **state)
{
    (void)state;
    interrupts_off = true;
    memset(threads, 0, sizeof threads);
    for (int i = 0; i < 8; i++) {
        threads[i].id = i;
        threads[i].state = THREAD_READY;
        list_elem_init(&threads[i].sched_elem);
    }
    fifo_reset();
    return 0;
}

static void test_hooks_are_fifo(void **state)
{
    (void)state;
    const struct sched_policy *p = &fifo_policy;
    assert_string_equal(p->name, "fifo");
    assert_null(p->on_tick); /* cooperative: never preempts */
    for (int i = 0; i < 5; i++)
        p->enqueue(&threads[i]);
    assert_int_equal(p->ready_count(), 5);
    assert_ptr_equal(fifo_peek(), &threads[0]);
    p->remove(&threads[2]);
    assert_int_equal(p->pick_next()->id, 0);
    assert_int_equal(p->pick_next()->id, 1);
    assert_int_equal(p->pick_next()->id, 3);
    p->enqueue(&threads[0]); /* a yielding thread goes to the tail */
    assert_int_equal(p->pick_next()->id, 4);
    assert_int_equal(p->pick_next()->id, 0);
    assert_null(p->pick_next());
    assert_null(fifo_check());
}

/* A cooperative round: every thread yields once per turn; the order repeats. */
static void test_yield_rotation(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i++)
        fifo_enqueue(&threads[i]);
    struct thread *running = fifo_pick_next();
    int order[40];
    for (int step = 0; step < 40; step++) {
        order[step] = running->id;
        fifo_enqueue(running); /* yield */
        running = fifo_pick_next();
    }
    for (int step = 0; step < 40; step++)
        assert_int_equal(order[step], step % 4);
}

static void test_needs_interrupts_off(void **state)
{
    (void)state;
    interrupts_off = false; /* a caller that forgot intr_disable() */
    /* (enqueue and pick_next are on the switch path: the switch checks.) */
    expect_assert_failure(fifo_ready_count());
    expect_assert_failure(fifo_remove(&threads[0]));
    expect_assert_failure(fifo_peek());
    interrupts_off = true;
    assert_int_equal(fifo_ready_count(), 0);
}

static void test_only_ready_threads(void **state)
{
    (void)state;
    threads[1].state = THREAD_BLOCKED;
    expect_assert_failure(fifo_enqueue(&threads[1]));
    fifo_enqueue(&threads[0]);
    expect_assert_failure(fifo_enqueue(&threads[0])); /* already queued */
    expect_assert_failure(fifo_remove(&threads[2]));  /* not queued */
    assert_int_equal(fifo_ready_count(), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_hooks_are_fifo, setup),
        cmocka_unit_test_setup(test_yield_rotation, setup),
        cmocka_unit_test_setup(test_needs_interrupts_off, setup),
        cmocka_unit_test_setup(test_only_ready_threads, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
