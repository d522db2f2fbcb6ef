/* challenge_priority.h: lab 4 challenge: priority scheduling with priority donation through sleeping locks. */
#ifndef LAB4_CHALLENGE_PRIORITY_H
#define LAB4_CHALLENGE_PRIORITY_H

#include <stdbool.h>

#include "challenge_prio_thread.h"
#include "sched_policy.h"
#include "thread.h"

/*
 * An optional challenge (lab4-threads/README.md, "Challenge"), selected at
 * boot with `sched=priority`. Every thread has a base priority (PRIO_MIN ..
 * PRIO_MAX, PRIO_DEFAULT unless set) and an effective one: the highest of
 * its base and the effective priorities of the threads waiting for a
 * prio_lock it holds (donation, followed through chains of locks up to
 * PRIO_DONATION_DEPTH deep; challenge_prio_lock.h). The scheduler always
 * runs the ready thread with the highest effective priority, oldest first
 * among equals. The priorities themselves: challenge_prio_thread.h.
 */

/* The priority policy (sched_policy.h hooks). */
extern const struct sched_policy prio_policy;

/* Install prio_policy if the command line says `sched=priority` (`fifo` or
 * no key: keep FIFO; anything else is reported). After scheduler_init().
 * Boot only. */
void challenge_priority_select(void);

/* True while prio_policy is the scheduler's policy. Any context. */
bool prio_active(void);

/* T's effective and base priority. Any context. */
int prio_get(const struct thread *t);
int prio_base(const struct thread *t);

/* Set the running thread's base priority to P (clamped to PRIO_MIN..PRIO_MAX).
 * Its effective priority stays at least what it is donated. Yields at once
 * if a ready thread now has a higher effective priority. Thread context. */
void prio_set(int p);

/* Create a thread named NAME running FN(ARG) with base priority P, make it
 * ready, and yield at once if it outranks the caller. Returns its id, or -1
 * (message printed) if it could not be created. Thread context. */
int prio_spawn(const char *name, int p, thread_fn *fn, void *arg);

/* Yield if a ready thread has a higher effective priority than the running
 * one (after something made a thread ready or lowered the runner). Thread
 * context, any interrupt level. */
void prio_yield_if_outranked(void);

#endif
