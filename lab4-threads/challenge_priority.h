/* challenge_priority.h: lab 4 challenge: priority scheduling with priority donation through sleeping locks. */
#ifndef LAB4_CHALLENGE_PRIORITY_H
#define LAB4_CHALLENGE_PRIORITY_H

#include <stdbool.h>

#include "common/list.h"
#include "sched_policy.h"
#include "thread.h"

/*
 * An optional challenge (lab4-threads/README.md, "Challenge"), selected at
 * boot with `sched=priority`. Every thread has a base priority (PRIO_MIN ..
 * PRIO_MAX, PRIO_DEFAULT unless set) and an effective one: the highest of
 * its base and the effective priorities of the threads waiting for a
 * prio_lock it holds (donation, followed through chains of locks up to
 * PRIO_DONATION_DEPTH deep). The scheduler always runs the ready thread
 * with the highest effective priority, oldest first among equals.
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
 * until the holder releases it to it. */
struct prio_lock {
    const char *name;
    struct thread *holder;        /* NULL when free */
    struct list waiters;          /* BLOCKED threads, through sched_elem, arrival order */
    struct list_elem held_elem;   /* in the holder's list of held locks */
};

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

/* ---- Locks (challenge_prio_lock.c) --------------------------------------- */

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

/* ---- For challenge_prio_lock.c --------------------------------------------- */

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

/* The highest effective priority among L's waiters, or PRIO_MIN - 1 if it
 * has none. Interrupts off. */
int prio_lock_top_waiter(const struct prio_lock *l);

/* Recompute P's effective priority: its base, raised by the waiters of
 * every lock it holds. Interrupts off. */
void prio_refresh(struct prio_thread *p);

#endif
