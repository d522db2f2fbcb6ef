/* challenge_prio_lock.c: lab 4 challenge: a sleeping lock whose waiters donate their priority to the holder, down chains of locks. */
#include "common/debug.h"
#include "common/intr_level.h"
#include "challenge_prio_lock.h"
#include "challenge_priority.h" /* prio_yield_if_outranked */
#include "scheduler.h"

void prio_lock_init(struct prio_lock *l, const char *name)
{
    l->name = name;
    l->holder = NULL;
    list_init(&l->waiters);
    list_elem_init(&l->held_elem);
}

bool prio_lock_held_by_current(const struct prio_lock *l)
{
    return l->holder == thread_current();
}

/* L becomes held by T. Interrupts off. */
static void lock_give(struct prio_lock *l, struct thread *t)
{
    struct prio_thread *p = prio_slot(t);
    l->holder = t;
    p->waiting = NULL;
    list_push_back(&p->held, &l->held_elem);
}

/* ME (blocked on L from now on) lends its effective priority to L's holder,
 * and on to whatever lock that holder waits for, PRIO_DONATION_DEPTH locks
 * at most. Interrupts off. */
static void lock_donate(struct prio_thread *me, struct prio_lock *l)
{
    /* LAB 4: TODO walk from L to its holder, raise the holder's effective
     * priority to ME's if it is lower, then go on to the lock the holder is
     * waiting for; stop at a free lock, a holder that is already as high,
     * or after PRIO_DONATION_DEPTH locks. */
    /* LAB 4: BEGIN SOLUTION challenge */
    for (int depth = 0; l != NULL && l->holder != NULL && depth < PRIO_DONATION_DEPTH;
         depth++) {
        struct prio_thread *h = prio_slot(l->holder);
        if (h->effective >= me->effective)
            break;
        h->effective = me->effective;
        l = h->waiting;
    }
    /* LAB 4: END SOLUTION */
    (void)me;
    (void)l;
}

void prio_lock_acquire(struct prio_lock *l)
{
    enum intr_level old = intr_disable();
    struct thread *cur = thread_current();
    struct prio_thread *me = prio_slot(cur);
    KASSERT(l->holder != cur);
    if (l->holder == NULL) {
        lock_give(l, cur);
    } else {
        me->waiting = l;
        list_push_back(&l->waiters, &cur->sched_elem);
        lock_donate(me, l);
        scheduler_block(); /* until prio_lock_release hands L to us */
        KASSERT(l->holder == cur && me->waiting == NULL);
    }
    intr_set_level(old);
}

/* The waiter of L that gets it next (not removed). Interrupts off; L has
 * waiters. */
static struct thread *lock_next_holder(struct prio_lock *l)
{
    /* LAB 4: TODO the waiter with the highest effective priority, the one
     * that came first among equals. */
    /* LAB 4: BEGIN SOLUTION challenge */
    struct thread *best = NULL;
    int best_p = PRIO_MIN - 1;
    for (struct list_elem *e = list_begin(&l->waiters); e != list_end(&l->waiters);
         e = list_next(e)) {
        struct thread *t = LIST_ENTRY(e, struct thread, sched_elem);
        if (prio_slot(t)->effective > best_p) {
            best = t;
            best_p = prio_slot(t)->effective;
        }
    }
    return best;
    /* LAB 4: END SOLUTION */
    return LIST_ENTRY(list_front(&l->waiters), struct thread, sched_elem);
}

void prio_lock_release(struct prio_lock *l)
{
    enum intr_level old = intr_disable();
    struct thread *cur = thread_current();
    KASSERT(l->holder == cur);
    struct prio_thread *me = prio_slot(cur);
    list_remove(&l->held_elem);
    l->holder = NULL;
    if (!list_empty(&l->waiters)) {
        struct thread *next = lock_next_holder(l);
        list_remove(&next->sched_elem);
        lock_give(l, next);
        prio_refresh(prio_slot(next)); /* the other waiters of L now lend to NEXT */
        scheduler_resume(next);
    }
    prio_refresh(me); /* what L's waiters lent is gone */
    intr_set_level(old);
    prio_yield_if_outranked();
}
