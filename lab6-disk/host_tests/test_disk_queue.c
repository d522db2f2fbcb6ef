/* test_disk_queue.c: host unit tests of the disk request queue, hw_lock and the dual-queue pick, with a random model check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/host_tests/host_support.h"
#include "lab6-disk/disk_error.h"
#include "lab6-disk/disk_queue.h"

/* Fake threads: just distinct addresses. */
static int thread_a, thread_b, thread_c;

static void submit_sleep(struct disk_queue *q, struct disk_request *r, void *who)
{
    disk_request_init(r, who);
    disk_queue_submit(q, r);
    disk_queue_sleep(q, r);
}

static void test_single_request_lifecycle(void **state)
{
    (void)state;
    struct disk_queue q;
    struct disk_request r;

    disk_queue_init(&q);
    assert_true(disk_queue_idle(&q));
    disk_request_init(&r, &thread_a);
    disk_queue_submit(&q, &r);
    assert_int_equal(r.state, DISK_REQ_PENDING);
    assert_false(disk_queue_idle(&q));
    assert_true(disk_queue_can_start(&q, &r));
    /* The submitter is running, not sleeping: nothing to pick. */
    assert_null(disk_queue_pick(&q));
    disk_queue_start(&q, &r);
    assert_ptr_equal(disk_queue_active(&q), &r);
    assert_int_equal(r.state, DISK_REQ_ACTIVE);
    disk_queue_sleep(&q, &r);
    assert_null(disk_queue_pick(&q)); /* asleep, but not finished */
    assert_true(disk_queue_finish(&q, &r, DISK_OK));
    assert_null(disk_queue_active(&q));
    assert_int_equal(r.state, DISK_REQ_DONE);
    assert_int_equal(r.completions, 1);
    assert_true(disk_queue_has_ready(&q));
    assert_ptr_equal(disk_queue_pick(&q), &r);
    assert_false(r.sleeping);
    assert_false(disk_queue_has_ready(&q));
    assert_null(disk_queue_pick(&q));
    assert_true(disk_queue_idle(&q));
    assert_int_equal(q.submitted, 1);
    assert_int_equal(q.started, 1);
    assert_int_equal(q.finished, 1);
}

static void test_finish_while_waiter_runs(void **state)
{
    (void)state;
    struct disk_queue q;
    struct disk_request r;

    disk_queue_init(&q);
    disk_request_init(&r, &thread_a);
    disk_queue_submit(&q, &r);
    disk_queue_start(&q, &r);
    /* The interrupt came before the waiter went to sleep: nobody to wake. */
    assert_false(disk_queue_finish(&q, &r, DISK_ERR_DRIVE));
    assert_int_equal(r.result, DISK_ERR_DRIVE);
    assert_null(disk_queue_pick(&q));
}

static void test_fifo_and_one_owner(void **state)
{
    (void)state;
    struct disk_queue q;
    struct disk_request a, b, c;

    disk_queue_init(&q);
    disk_request_init(&a, &thread_a);
    disk_queue_submit(&q, &a);
    disk_queue_start(&q, &a);
    disk_queue_sleep(&q, &a);
    submit_sleep(&q, &b, &thread_b);
    submit_sleep(&q, &c, &thread_c);
    assert_int_equal(disk_queue_pending_count(&q), 2);
    assert_false(disk_queue_can_start(&q, &b)); /* a owns hw_lock */
    assert_false(disk_queue_can_start(&q, &c));
    assert_null(disk_queue_pick(&q));            /* disk busy, nothing done */

    assert_true(disk_queue_finish(&q, &a, DISK_OK));
    /* Disk free: the pending head starts before the completed one returns. */
    assert_ptr_equal(disk_queue_pick(&q), &b);
    assert_true(disk_queue_can_start(&q, &b));
    assert_false(disk_queue_can_start(&q, &c)); /* not the head */
    /* b is running (not sleeping) but has not started: a is next. */
    assert_ptr_equal(disk_queue_pick(&q), &a);
    assert_null(disk_queue_pick(&q));
    disk_queue_start(&q, &b);
    disk_queue_sleep(&q, &b);
    assert_null(disk_queue_pick(&q)); /* c waits for the disk */
    assert_true(disk_queue_finish(&q, &b, DISK_OK));
    assert_ptr_equal(disk_queue_pick(&q), &c);
    disk_queue_start(&q, &c);
    assert_ptr_equal(disk_queue_pick(&q), &b);
    assert_false(disk_queue_finish(&q, &c, DISK_OK));
    assert_true(disk_queue_idle(&q));
}

static void test_misuse_is_caught(void **state)
{
    (void)state;
    struct disk_queue q;
    struct disk_request a, b;

    disk_queue_init(&q);
    disk_request_init(&a, &thread_a);
    disk_request_init(&b, &thread_b);
    expect_assert_failure(disk_queue_start(&q, &a)); /* not submitted */
    disk_queue_submit(&q, &a);
    disk_queue_submit(&q, &b);
    expect_assert_failure(disk_queue_start(&q, &b)); /* not the head */
    disk_queue_start(&q, &a);
    expect_assert_failure(disk_queue_finish(&q, &b, DISK_OK)); /* not active */
    disk_queue_finish(&q, &a, DISK_OK);
    expect_assert_failure(disk_queue_finish(&q, &a, DISK_OK)); /* twice */
    expect_assert_failure(disk_queue_submit(&q, &a));          /* resubmit */
}

static void test_pick_any_two_channels(void **state)
{
    (void)state;
    struct disk_queue q0, q1;
    struct disk_queue *qs[2] = {&q0, &q1};
    struct disk_request a, b;

    disk_queue_init(&q0);
    disk_queue_init(&q1);
    assert_null(disk_queue_pick_any(qs, 2));
    disk_request_init(&a, &thread_a);
    disk_queue_submit(&q1, &a);
    disk_queue_start(&q1, &a);
    disk_queue_sleep(&q1, &a);
    submit_sleep(&q1, &b, &thread_b);
    assert_null(disk_queue_pick_any(qs, 2));
    disk_queue_finish(&q1, &a, DISK_OK);
    assert_ptr_equal(disk_queue_pick_any(qs, 2), &b);
    assert_ptr_equal(disk_queue_pick_any(qs, 2), &a);
    assert_null(disk_queue_pick_any(qs, 2));
}

/* ---- Random model check ------------------------------------------------
 * N simulated threads each loop: submit, sleep until pickable, start, sleep
 * until finished, return. A random "interrupt" finishes the active request.
 * The model checks: one owner at a time, FIFO start order, every request
 * finished exactly once, a picked thread is always one that sleeps and may
 * run (a starter only when the disk is free), nobody is lost. */
#define NTHREADS 6
#define ROUNDS 20000

enum sim_state { SIM_IDLE, SIM_WAIT_START, SIM_WAIT_DONE, SIM_RUNNABLE_START,
                 SIM_RUNNABLE_DONE, SIM_RUNNING_ACTIVE };

struct sim_thread {
    struct disk_request req;
    enum sim_state st;
    unsigned long ticket; /* submission order */
    unsigned long done;
};

static void test_random_model(void **state)
{
    (void)state;
    struct disk_queue q;
    struct sim_thread t[NTHREADS];
    unsigned long next_ticket = 0, next_start = 0, total_done = 0;

    srand(12345);
    disk_queue_init(&q);
    memset(t, 0, sizeof t);
    for (int round = 0; round < ROUNDS; round++) {
        int i = rand() % NTHREADS;
        struct sim_thread *s = &t[i];
        switch (rand() % 4) {
        case 0: /* thread i (if idle) submits; starts at once if it can */
            if (s->st != SIM_IDLE)
                break;
            disk_request_init(&s->req, s);
            s->req.block = (uint32_t)round;
            disk_queue_submit(&q, &s->req);
            s->ticket = next_ticket++;
            if (disk_queue_can_start(&q, &s->req)) {
                assert_int_equal(s->ticket, next_start++);
                disk_queue_start(&q, &s->req);
                s->st = SIM_RUNNING_ACTIVE;
            } else {
                disk_queue_sleep(&q, &s->req);
                s->st = SIM_WAIT_START;
            }
            break;
        case 1: /* the active request's thread issued its command and sleeps */
            for (int k = 0; k < NTHREADS; k++)
                if (t[k].st == SIM_RUNNING_ACTIVE) {
                    disk_queue_sleep(&q, &t[k].req);
                    t[k].st = SIM_WAIT_DONE;
                }
            break;
        case 2: { /* interrupt: finish the active request */
            struct disk_request *r = disk_queue_active(&q);
            if (r == NULL || ((struct sim_thread *)r->waiter)->st != SIM_WAIT_DONE)
                break;
            assert_true(disk_queue_finish(&q, r, DISK_OK));
            break;
        }
        case 3: { /* scheduler: dispatch what pick says, run it to its next wait */
            struct disk_request *r = disk_queue_pick(&q);
            if (r == NULL)
                break;
            struct sim_thread *w = r->waiter;
            assert_ptr_equal(&w->req, r);
            assert_false(r->sleeping);
            if (r->state == DISK_REQ_PENDING) {
                assert_int_equal(w->st, SIM_WAIT_START);
                assert_true(disk_queue_can_start(&q, r));
                assert_int_equal(w->ticket, next_start++);
                disk_queue_start(&q, r);
                w->st = SIM_RUNNING_ACTIVE;
            } else {
                assert_int_equal(r->state, DISK_REQ_DONE);
                assert_int_equal(w->st, SIM_WAIT_DONE);
                assert_int_equal(r->completions, 1);
                w->done++;
                total_done++;
                w->st = SIM_IDLE;
            }
            break;
        }
        }
        /* Invariants after every step. */
        int active = 0;
        for (int k = 0; k < NTHREADS; k++)
            active += t[k].req.state == DISK_REQ_ACTIVE;
        assert_true(active <= 1);
        assert_true((disk_queue_active(&q) != NULL) == (active == 1));
        assert_int_equal(q.submitted - q.started, disk_queue_pending_count(&q));
    }
    /* Drain: everything submitted completes exactly once. */
    for (int guard = 0; guard < 1000 && q.finished < q.submitted; guard++) {
        struct disk_request *r = disk_queue_active(&q);
        if (r != NULL) {
            struct sim_thread *w = r->waiter;
            if (w->st == SIM_RUNNING_ACTIVE) {
                disk_queue_sleep(&q, r);
                w->st = SIM_WAIT_DONE;
            }
            disk_queue_finish(&q, r, DISK_OK);
        }
        while ((r = disk_queue_pick(&q)) != NULL) {
            struct sim_thread *w = r->waiter;
            if (r->state == DISK_REQ_PENDING) {
                disk_queue_start(&q, r);
                w->st = SIM_RUNNING_ACTIVE;
            } else {
                w->done++;
                total_done++;
                w->st = SIM_IDLE;
            }
        }
    }
    assert_int_equal(q.finished, q.submitted);
    assert_true(total_done > ROUNDS / 20);
    assert_true(disk_queue_idle(&q));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_request_lifecycle),
        cmocka_unit_test(test_finish_while_waiter_runs),
        cmocka_unit_test(test_fifo_and_one_owner),
        cmocka_unit_test(test_misuse_is_caught),
        cmocka_unit_test(test_pick_any_two_channels),
        cmocka_unit_test(test_random_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
