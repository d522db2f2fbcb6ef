/* fifo_policy.h: first-in first-out, cooperative: the ready queue's hooks, reusable by later policies. */
#ifndef LAB4_FIFO_POLICY_H
#define LAB4_FIFO_POLICY_H

#include <stddef.h>

#include "sched_policy.h"

/* The FIFO policy: enqueue at the tail, run the head, never preempt. The
 * scheduler's default. */
extern const struct sched_policy fifo_policy;

/* Its hooks, for policies that keep a FIFO ready queue (lab 5's round robin
 * uses all four and adds on_tick/on_yield). They share one queue: only one
 * policy using them may be installed at a time. Interrupts off (KASSERT):
 * the timer and disk interrupts touch the queue too. */
void fifo_enqueue(struct thread *t);
struct thread *fifo_pick_next(void);
void fifo_remove(struct thread *t);
size_t fifo_ready_count(void);

/* Make the queue empty (policy activation). Interrupts off. */
void fifo_reset(void);

/* The head of the queue without removing it, or NULL. Interrupts off. */
struct thread *fifo_peek(void);

/* NULL if the queue is sound, else what is wrong (tests). Interrupts off. */
const char *fifo_check(void);

#endif
