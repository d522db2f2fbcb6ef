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
 * Which pending request takes the channel next is the queue's ORDER:
 * DISK_ORDER_FIFO, the oldest (the default), or DISK_ORDER_SCAN, the
 * elevator's choice (disk_scan.c, the challenge): disk_queue_next() says.
 * The queue also keeps the head position, the block of the last request
 * that took the channel, and the head movement: the sum of the distances
 * between successive requests' blocks (host-speed independent).
 *
 * The scheduler asks disk_queue_pick() before its ready queue: if the disk is
 * free and the thread of the next request to start sleeps, that thread runs first
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

/* The order in which pending requests take the channel. */
enum disk_order {
    DISK_ORDER_FIFO,  /* arrival order */
    DISK_ORDER_SCAN,  /* the elevator: sweep up, then down (challenge) */
    DISK_ORDER_COUNT,
};

struct disk_request {
    struct list_elem elem;     /* in `pending` or `completed` */
    enum disk_req_state state;
    unsigned long seq;         /* arrival number (the queue's `submitted` before it) */
    bool positioned;           /* has a block the head moves to (false: a mode switch) */
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
    enum disk_order order;          /* who starts next (DISK_ORDER_FIFO at init) */
    /* The head: where the last positioned request that started was. */
    uint32_t head_block;            /* its block (0 at init) */
    unsigned long head_seq;         /* `submitted` when it started: requests for the same
                                       block that arrived later wait for the next sweep */
    bool sweep_up;                  /* the head last moved up (true at init) */
    unsigned long head_movement;    /* sum of |block - previous block| over starts */
    unsigned long reversals;        /* times the head changed direction */
};

/* Empty queue, hw_lock free. */
void disk_queue_init(struct disk_queue *q);

/* Prepare R (state NEW) for WAITER. */
void disk_request_init(struct disk_request *r, void *waiter);

/* Append R (NEW) to `pending`. */
void disk_queue_submit(struct disk_queue *q, struct disk_request *r);

/* The pending request that takes the channel next in the queue's order
 * (FIFO: the oldest; SCAN: disk_scan_choose's, or the oldest if the
 * elevator is not implemented), or NULL if none is pending. */
struct disk_request *disk_queue_next(const struct disk_queue *q);

/* True if R (PENDING) may start now: hw_lock is free and R is
 * disk_queue_next(). */
bool disk_queue_can_start(const struct disk_queue *q, const struct disk_request *r);

/* R takes hw_lock: PENDING -> ACTIVE, and the head moves to R's block (if
 * R is positioned). Requires disk_queue_can_start(). */
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

/* The request whose sleeping waiter should run next, or NULL: the next
 * request to start (disk_queue_next) if hw_lock is free and its waiter
 * sleeps (it will start its command), else the oldest
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

/* The elevator (disk_scan.c, the challenge). Pure, like everything here. */

/* Set *OUT to the pending request SCAN serves next, NULL if none: the
 * nearest one ahead of the head in its direction (q->sweep_up), a request
 * for the head's own block counting as ahead only if it was pending when
 * the head got there (seq < head_seq); if none is ahead, the nearest one
 * behind (the sweep reverses); failing that (only newcomers for the head's
 * block), the oldest of those. Ties: the oldest. A request that is not
 * positioned sits at the head. Returns DISK_OK, or DISK_ERR_NOT_IMPLEMENTED
 * while the challenge is not done. */
int disk_scan_choose(const struct disk_queue *q, struct disk_request **out);

/* Name of ORDER ("fifo", "scan"); its value by NAME, DISK_ORDER_COUNT if none. */
const char *disk_order_name(enum disk_order order);
enum disk_order disk_order_by_name(const char *name);

#endif
