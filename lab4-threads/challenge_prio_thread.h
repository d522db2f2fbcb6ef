/* challenge_prio_thread.h: lab 4 challenge: per-thread priorities and the lock data that donation reads (the bottom layer). */
#ifndef LAB4_CHALLENGE_PRIO_THREAD_H
#define LAB4_CHALLENGE_PRIO_THREAD_H

#include "common/list.h"
#include "thread.h"

/*
 * The layers of the priority challenge, each using only the ones below:
 *
 *   challenge_prio_lock.c    acquire/release, donation down a chain of holders
 *   challenge_priority.c     the policy (sched_policy.h hooks), prio_set/spawn
 *   challenge_prio_thread.c  this file: per-thread base and effective
 *                            priorities, and how a lock's waiters raise them
 *
 * Per-thread bookkeeping lives in a table of PRIO_SLOTS entries; a thread's
 * policy_data word is its slot number + 1 (0: no entry: base and effective
 * priority PRIO_DEFAULT, no locks). A slot is reused once its thread ended.
 */

#define PRIO_MIN 0
#define PRIO_DEFAULT 31
#define PRIO_MAX 63
#define PRIO_DONATION_DEPTH 8 /* locks followed from a waiter to the last holder */
#define PRIO_SLOTS 64         /* threads with a priority or a lock at one time */

/* A sleeping lock: a thread that finds it held blocks (scheduler_block)
 * until the holder releases it to it (challenge_prio_lock.h). */
struct prio_lock {
    const char *name;
    struct thread *holder;        /* NULL when free */
    struct list waiters;          /* BLOCKED threads, through sched_elem, arrival order */
    struct list_elem held_elem;   /* in the holder's list of held locks */
};

/* The bookkeeping of one thread. Interrupts off to read or write. */
struct prio_thread {
    struct thread *t; /* NULL: free slot */
    int id;           /* the owner's id (a slot is stale once it ended) */
    int base;
    int effective;
    struct prio_lock *waiting;  /* the lock it is blocked on, or NULL */
    struct list held;           /* prio_lock.held_elem: locks it holds */
};

/* T's slot, made if it has none (PANIC if all PRIO_SLOTS are taken by live
 * threads). Interrupts off. */
struct prio_thread *prio_slot(struct thread *t);

/* T's slot, or NULL if it has none. Interrupts off. */
struct prio_thread *prio_slot_find(const struct thread *t);

/* T's effective priority (PRIO_DEFAULT without a slot). Interrupts off. */
int prio_effective(const struct thread *t);

/* P clamped to PRIO_MIN..PRIO_MAX. Pure. */
int prio_clamp(int p);

/* The highest effective priority among L's waiters, or PRIO_MIN - 1 if it
 * has none. Interrupts off. */
int prio_lock_top_waiter(const struct prio_lock *l);

/* Recompute P's effective priority: its base, raised by the waiters of
 * every lock it holds. Interrupts off. */
void prio_refresh(struct prio_thread *p);

#endif
