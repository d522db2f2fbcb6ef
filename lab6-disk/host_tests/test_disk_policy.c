/* test_disk_policy.c: host unit tests of the dual-queue policy (disk-woken threads first) over a FIFO base, with the disk queue's wake order. */
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
#include "lab6-disk/disk_error.h"
#include "lab6-disk/disk_queue.h"
#include "lab6-disk/disk_sched.h"

static bool interrupts_off = true; /* what the policies believe the IF flag is */

bool sched_host_interrupts_off(void)
{
    return interrupts_off;
}

/* A round-robin-like base: FIFO hooks plus a slice of 3 ticks. */
static int ticks_used, base_activations, base_yields;

static bool base_on_tick(struct thread *cur)
{
    (void)cur;
    if (++ticks_used < 3)
        return false;
    ticks_used = 0;
    return fifo_ready_count() > 0;
}

static void base_on_yield(struct thread *cur)
{
    (void)cur;
    ticks_used = 0;
    base_yields++;
}

static void base_activate(void)
{
    fifo_reset();
    base_activations++;
}

static const struct sched_policy base = {
    .name = "test-rr", .enqueue = fifo_enqueue, .pick_next = fifo_pick_next,
    .remove = fifo_remove, .ready_count = fifo_ready_count, .on_tick = base_on_tick,
    .on_yield = base_on_yield, .activate = base_activate,
};

#define N 8
static struct thread threads[N];

static int setup(void **state)
{
    (void)state;
    interrupts_off = true;
    memset(threads, 0, sizeof threads);
    for (int i = 0; i < N; i++) {
        threads[i].id = i;
        threads[i].state = THREAD_READY;
        list_elem_init(&threads[i].sched_elem);
    }
    ticks_used = base_activations = base_yields = 0;
    disk_policy_set_base(&base);
    disk_policy.activate();
    return 0;
}

/* What the scheduler does when T becomes ready (scheduler_make_ready). */
static void ready(struct thread *t)
{
    t->state = THREAD_READY;
    disk_policy.enqueue(t);
}

static int pick(void)
{
    struct thread *t = disk_policy.pick_next();
    return t != NULL ? t->id : -1;
}

static void test_io_threads_run_first(void **state)
{
    (void)state;
    assert_int_equal(base_activations, 1);
    ready(&threads[0]); /* CPU-bound threads, in the base queue */
    ready(&threads[1]);
    disk_policy_boost(&threads[5]);
    ready(&threads[5]);
    ready(&threads[2]);
    disk_policy_boost(&threads[6]);
    ready(&threads[6]);
    assert_int_equal(disk_policy_io_ready(), 2);
    assert_int_equal(disk_policy.ready_count(), 5);
    assert_int_equal(pick(), 5); /* the I/O queue, oldest first */
    assert_int_equal(pick(), 6);
    assert_int_equal(pick(), 0); /* then round robin */
    assert_int_equal(pick(), 1);
    assert_int_equal(pick(), 2);
    assert_int_equal(pick(), -1);
    assert_int_equal(disk_policy_stats()->io_dispatches, 2);
    assert_int_equal(disk_policy_stats()->cpu_dispatches, 3);
}

static void test_boost_is_one_shot(void **state)
{
    (void)state;
    ready(&threads[0]);
    disk_policy_boost(&threads[3]);
    ready(&threads[3]);
    assert_int_equal(pick(), 3);
    ready(&threads[3]); /* preempted later: an ordinary ready thread now */
    assert_int_equal(pick(), 0);
    assert_int_equal(pick(), 3);
}

static void test_remove_and_count(void **state)
{
    (void)state;
    ready(&threads[0]);
    disk_policy_boost(&threads[1]);
    ready(&threads[1]);
    ready(&threads[2]);
    disk_policy.remove(&threads[1]);
    disk_policy.remove(&threads[0]);
    assert_int_equal(disk_policy.ready_count(), 1);
    assert_int_equal(disk_policy_io_ready(), 0);
    assert_int_equal(pick(), 2);
    assert_int_equal(pick(), -1);
}

static void test_on_tick(void **state)
{
    (void)state;
    struct thread *cur = &threads[7];
    assert_false(disk_policy.on_tick(cur)); /* nothing ready, slice not over */
    ready(&threads[0]);
    assert_false(disk_policy.on_tick(cur));
    assert_true(disk_policy.on_tick(cur));  /* the base's slice ran out */
    disk_policy_boost(&threads[1]);
    ready(&threads[1]);
    assert_true(disk_policy.on_tick(cur));  /* an I/O thread waits: preempt */
    disk_policy.on_yield(cur);
    assert_int_equal(base_yields, 1);
}

static void test_interrupts_must_be_off(void **state)
{
    (void)state;
    interrupts_off = false;
    expect_assert_failure(disk_policy.enqueue(&threads[0]));
    expect_assert_failure(disk_policy.pick_next());
    expect_assert_failure(disk_policy_boost(&threads[0]));
    interrupts_off = true;
}

/* The whole rule: a request finishes on a busy channel with two more
 * waiting; the disk layer wakes (boost + ready) what disk_queue_pick names,
 * and the scheduler then runs the next request's thread (to start it), then
 * the finished one's, then the compute threads. */
static void test_dual_queue_wake_order(void **state)
{
    (void)state;
    struct disk_queue q;
    struct disk_request a, b, c;
    struct disk_request *r;

    disk_queue_init(&q);
    ready(&threads[0]); /* compute threads */
    ready(&threads[1]);
    disk_request_init(&a, &threads[4]);
    disk_queue_submit(&q, &a);
    disk_queue_start(&q, &a);
    disk_queue_sleep(&q, &a);
    threads[4].state = THREAD_BLOCKED;
    disk_request_init(&b, &threads[5]);
    disk_queue_submit(&q, &b);
    disk_queue_sleep(&q, &b);
    threads[5].state = THREAD_BLOCKED;
    disk_request_init(&c, &threads[6]);
    disk_queue_submit(&q, &c);
    disk_queue_sleep(&q, &c);
    threads[6].state = THREAD_BLOCKED;
    /* The interrupt: a finishes; wake what the rule names. */
    disk_queue_finish(&q, &a, DISK_OK);
    while ((r = disk_queue_pick(&q)) != NULL) {
        disk_policy_boost(r->waiter);
        ready(r->waiter);
    }
    assert_int_equal(pick(), 5); /* b's thread: starts its command */
    assert_int_equal(pick(), 4); /* a's thread: takes its data */
    assert_int_equal(pick(), 0); /* c waits for the disk; compute threads run */
    disk_queue_start(&q, &b);
    assert_false(disk_queue_has_ready(&q));
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_io_threads_run_first),
        T(test_boost_is_one_shot),
        T(test_remove_and_count),
        T(test_on_tick),
        T(test_interrupts_must_be_off),
        T(test_dual_queue_wake_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
