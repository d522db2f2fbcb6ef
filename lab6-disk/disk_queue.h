/* disk_queue.h: a channel's request queue and hw_lock, and the dual-queue pick (pure logic, host-tested). */
#ifndef LAB6_DISK_QUEUE_H
#define LAB6_DISK_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/list.h"

/*
 * Every disk request of a channel goes through one disk_queue:
 *
 *   NEW --submit--> PENDING --start--> ACTIVE --finish--> DONE
 *                  (FIFO in pending)  (owns hw_lock)     (exactly once)
 *
 * `pending` is the disk queue: requests waiting for the channel,
 * in arrival order. `hw_lock` is the request that owns the controller's
 * registers (at most one per channel: master and slave share them). When a
 * request finishes and its thread is asleep, it goes on `completed` until the
 * scheduler dispatches that thread.
 *
 * The scheduler asks disk_queue_pick() before its ready queue: if the disk is
 * free and a thread sleeps at the head of `pending`, that thread runs first
 * (it starts its command: the disk never idles while someone waits for it);
 * else a thread whose request completed runs; else the ready queue decides.
 *
 * Nothing here touches hardware, threads or interrupts: every function must
 * be called with the channel's queue_lock held (in the kernel: interrupts
 * off), and none of them sleeps. Thread pointers are opaque (`waiter`).
 */

enum disk_req_state {
    DISK_REQ_NEW,     /* filled in, not submitted */
    DISK_REQ_PENDING, /* in `pending`, waiting for the channel */
    DISK_REQ_ACTIVE,  /* holds hw_lock: its command is (being) issued */
    DISK_REQ_DONE,    /* finished; `result` is valid */
};

struct disk_request {
    struct list_elem elem;     /* in `pending` or `completed` */
    enum disk_req_state state;
    void *waiter;              /* the thread that submitted it */
    bool sleeping;             /* the waiter is blocked and must be woken */
    bool irq_driven;           /* completion comes from the interrupt */
    bool issued;               /* its command went out: the interrupt may finish it */
    int result;                /* DISK_OK or a negative disk_error, once DONE */
    unsigned completions;      /* times finished: must end at exactly 1 */
    /* For the layer above: what to do and when it happened. */
    void *disk;
    bool write;
    uint32_t block;
    void *buf;
    uint32_t t_submit, t_start, t_done; /* microseconds, filled in by the caller */
    /* Event counts for the tests (disk_trace.c), not times: */
    unsigned long trace_reads0;  /* the channel's status reads when the transfer began */
    unsigned long trace_halts0;  /* the idle thread's halts when the command went out */
    unsigned long trace_switches_done; /* thread switches when it finished */
    bool trace_slept;            /* its waiter was asleep in the queue when it finished */
};

struct disk_queue {
    struct list pending;            /* PENDING requests, oldest first */
    struct list completed;          /* DONE requests whose waiter still sleeps */
    struct disk_request *hw_lock;   /* ACTIVE request owning the registers, or NULL */
    unsigned long submitted, started, finished;
};

/* Empty queue, hw_lock free. */
void disk_queue_init(struct disk_queue *q);

/* Prepare R (state NEW) for WAITER. */
void disk_request_init(struct disk_request *r, void *waiter);

/* Append R (NEW) to `pending`. */
void disk_queue_submit(struct disk_queue *q, struct disk_request *r);

/* True if R (PENDING) may start now: hw_lock is free and R is the oldest
 * pending request. */
bool disk_queue_can_start(const struct disk_queue *q, const struct disk_request *r);

/* R takes hw_lock: PENDING -> ACTIVE. Requires disk_queue_can_start(). */
void disk_queue_start(struct disk_queue *q, struct disk_request *r);

/* The request holding hw_lock, or NULL if the channel is free. */
struct disk_request *disk_queue_active(const struct disk_queue *q);

/* R's waiter is about to block until R starts or finishes. R must be
 * PENDING or ACTIVE. */
void disk_queue_sleep(struct disk_queue *q, struct disk_request *r);

/* The ACTIVE request R finished with RESULT: ACTIVE -> DONE, hw_lock is
 * released. If R's waiter sleeps, R goes on `completed` (the waiter is woken
 * by the scheduler through disk_queue_pick). Returns true if the waiter
 * sleeps (a thread became ready), false if it is still running. */
bool disk_queue_finish(struct disk_queue *q, struct disk_request *r, int result);

/* The request whose sleeping waiter should run next, or NULL: the pending
 * head if hw_lock is free (it will start its command), else the oldest
 * completed request. The returned request is no longer `sleeping` (and no
 * longer on `completed`): its waiter must be dispatched now. */
struct disk_request *disk_queue_pick(struct disk_queue *q);

/* True if disk_queue_pick() would return a request. */
bool disk_queue_has_ready(const struct disk_queue *q);

/* True if no request is ACTIVE or PENDING. */
bool disk_queue_idle(const struct disk_queue *q);

/* Number of PENDING requests. */
unsigned disk_queue_pending_count(const struct disk_queue *q);

/* Dual-queue choice over N queues (a scheduler's view of several channels):
 * the first non-NULL disk_queue_pick() in order, else NULL (the caller then
 * uses its ready queue). */
struct disk_request *disk_queue_pick_any(struct disk_queue *const *queues, int n);

#endif
