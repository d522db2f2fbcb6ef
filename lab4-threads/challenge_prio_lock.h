/* challenge_prio_lock.h: lab 4 challenge: sleeping locks whose waiters donate their priority to the holder. */
#ifndef LAB4_CHALLENGE_PRIO_LOCK_H
#define LAB4_CHALLENGE_PRIO_LOCK_H

#include <stdbool.h>

#include "challenge_prio_thread.h"

/* Make L a free lock named NAME. */
void prio_lock_init(struct prio_lock *l, const char *name);

/* Take L, blocking while another thread holds it; while blocked, the caller
 * donates its effective priority to the holder (and on down the chain of
 * holders). Not recursive: the caller must not hold L (KASSERT). Thread
 * context, interrupts on or off. */
void prio_lock_acquire(struct prio_lock *l);

/* Give L to its highest-priority waiter (or free it), drop the priority
 * donated through it, and yield if that leaves the caller outranked. The
 * caller must hold L (KASSERT). Thread context. */
void prio_lock_release(struct prio_lock *l);

/* True if the running thread holds L. Any context. */
bool prio_lock_held_by_current(const struct prio_lock *l);

#endif
