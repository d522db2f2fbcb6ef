/* rr_queue.h: round robin's ready queue: FIFO order, interrupt-safe from any context (nesting critical sections). */
#ifndef LAB5_RR_QUEUE_H
#define LAB5_RR_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

struct thread;

/*
 * The threads waiting for the CPU, oldest first, over lab 4's ready_queue.
 * The scheduler calls these with interrupts off (from thread context and
 * from the timer and disk interrupts); the monitor and the tests call them
 * with interrupts on. So every function is its own critical section, with
 * the nesting-safe idiom: it disables interrupts, and gives the caller back
 * the level it had (off inside the scheduler, on in the monitor).
 */

/* Make the queue empty. Any context. */
void rr_queue_init(void);

/* Append T (READY, in no queue) at the tail. Any context. */
void rr_queue_push(struct thread *t);

/* Remove and return the head (the thread waiting longest), or NULL. Any
 * context. */
struct thread *rr_queue_pop(void);

/* Take T, which must be in the queue, out of it. Any context. */
void rr_queue_remove(struct thread *t);

/* Threads in the queue. Any context. */
size_t rr_queue_size(void);

/* True if T is in the queue. Any context. */
bool rr_queue_contains(const struct thread *t);

/* Copy the ids of at most MAX queued threads, head first, into IDS; return
 * how many were copied. One consistent snapshot. Any context. */
size_t rr_queue_snapshot(int *ids, size_t max);

/* NULL if the queue's links and count are sound, else what is wrong. Any
 * context. */
const char *rr_queue_check(void);

/* Queue operations that found interrupts on inside (each one is a race with
 * the timer: a bug); the tests read it. */
unsigned long rr_queue_unprotected(void);

#endif
