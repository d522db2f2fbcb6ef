/* challenge_prio_thread.c: lab 4 challenge: per-thread base and effective priorities, raised by the waiters of held locks. */
#include "common/debug.h"
#include "common/intr_level.h"
#include "challenge_prio_thread.h"

static struct prio_thread slots[PRIO_SLOTS]; /* interrupts off */

struct prio_thread *prio_slot_find(const struct thread *t)
{
    KASSERT(intr_get_level() == INTR_OFF);
    uintptr_t k = t->policy_data;
    if (k == 0 || k > PRIO_SLOTS)
        return NULL;
    struct prio_thread *p = &slots[k - 1];
    return p->t == t && p->id == t->id ? p : NULL;
}

struct prio_thread *prio_slot(struct thread *t)
{
    KASSERT(intr_get_level() == INTR_OFF);
    struct prio_thread *p = prio_slot_find(t);
    if (p != NULL)
        return p;
    for (int i = 0; i < PRIO_SLOTS; i++) {
        p = &slots[i];
        if (p->t != NULL && thread_alive(p->id))
            continue;
        p->t = t;
        p->id = t->id;
        p->base = p->effective = PRIO_DEFAULT;
        p->waiting = NULL;
        list_init(&p->held);
        t->policy_data = (uintptr_t)i + 1;
        return p;
    }
    PANIC("more than %d live threads have a priority or a lock", PRIO_SLOTS);
}

int prio_clamp(int p)
{
    return p < PRIO_MIN ? PRIO_MIN : p > PRIO_MAX ? PRIO_MAX : p;
}

int prio_effective(const struct thread *t)
{
    const struct prio_thread *p = prio_slot_find(t);
    return p != NULL ? p->effective : PRIO_DEFAULT;
}

int prio_lock_top_waiter(const struct prio_lock *l)
{
    KASSERT(intr_get_level() == INTR_OFF);
    int top = PRIO_MIN - 1;
    for (struct list_elem *e = list_begin((struct list *)&l->waiters);
         e != list_end((struct list *)&l->waiters); e = list_next(e)) {
        int p = prio_slot(LIST_ENTRY(e, struct thread, sched_elem))->effective;
        if (p > top)
            top = p;
    }
    return top;
}

void prio_refresh(struct prio_thread *p)
{
    KASSERT(intr_get_level() == INTR_OFF);
    /* LAB 4: TODO the effective priority is the base priority, raised to the
     * highest waiter (prio_lock_top_waiter) of every lock P holds. */
    /* LAB 4: BEGIN SOLUTION challenge */
    int e = p->base;
    for (struct list_elem *x = list_begin(&p->held); x != list_end(&p->held);
         x = list_next(x)) {
        int w = prio_lock_top_waiter(LIST_ENTRY(x, struct prio_lock, held_elem));
        if (w > e)
            e = w;
    }
    p->effective = e;
    return;
    /* LAB 4: END SOLUTION */
    p->effective = p->base;
}
