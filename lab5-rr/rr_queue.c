/* rr_queue.c: round robin's ready queue over lab 4's ready_queue, every operation a nesting-safe critical section. */
#include <stddef.h>

#include "common/debug.h"
#include "common/intr_level.h"
#include "lab4-threads/ready_queue.h"
#include "lab4-threads/thread.h"
#include "rr_queue.h"

static struct ready_queue queue;      /* READY threads, oldest first; interrupts off */
static unsigned long unprotected_ops; /* rr_queue_locked() calls with interrupts on */

/* The queue, for code inside a critical section: every operation must get
 * it from here, after disabling interrupts. A call with interrupts on is a
 * race with the timer; it is counted (rr_queue_unprotected) for the tests. */
static struct ready_queue *rr_queue_locked(void)
{
    if (intr_get_level() != INTR_OFF)
        unprotected_ops++;
    return &queue;
}

static __attribute__((unused)) struct thread *rr_queue_thread(struct list_elem *e)
{
    return e != NULL ? LIST_ENTRY(e, struct thread, sched_elem) : NULL;
}

unsigned long rr_queue_unprotected(void)
{
    return unprotected_ops;
}

void rr_queue_init(void)
{
    enum intr_level old = intr_disable();
    ready_queue_init(rr_queue_locked());
    intr_set_level(old);
}

/* Step 5. Each function below: disable interrupts remembering the caller's
 * level, do the work on rr_queue_locked(), give the level back. */

void rr_queue_push(struct thread *t)
{
    KASSERT(t->state == THREAD_READY); /* its magic: checked when it is switched to */
    /* LAB 5: TODO append T's sched_elem at the tail, interrupts off inside,
     * the caller's level back after. */
    /* LAB 5: BEGIN SOLUTION */
    enum intr_level old = intr_disable();
    ready_queue_push(rr_queue_locked(), &t->sched_elem);
    intr_set_level(old);
    /* LAB 5: END SOLUTION */
}

struct thread *rr_queue_pop(void)
{
    struct thread *t = NULL;
    /* LAB 5: TODO take the head (the thread waiting longest) into T, in a
     * nesting-safe critical section. */
    /* LAB 5: BEGIN SOLUTION */
    enum intr_level old = intr_disable();
    t = rr_queue_thread(ready_queue_pop(rr_queue_locked()));
    intr_set_level(old);
    /* LAB 5: END SOLUTION */
    return t;
}

void rr_queue_remove(struct thread *t)
{
    /* LAB 5: TODO take T out of the queue, in a nesting-safe critical
     * section. */
    /* LAB 5: BEGIN SOLUTION */
    enum intr_level old = intr_disable();
    ready_queue_remove(rr_queue_locked(), &t->sched_elem);
    intr_set_level(old);
    /* LAB 5: END SOLUTION */
    (void)t;
}

size_t rr_queue_size(void)
{
    size_t n = 0;
    /* LAB 5: TODO read the queue's size into N, in a nesting-safe critical
     * section (the timer may be changing it). */
    /* LAB 5: BEGIN SOLUTION */
    enum intr_level old = intr_disable();
    n = ready_queue_size(rr_queue_locked());
    intr_set_level(old);
    /* LAB 5: END SOLUTION */
    return n;
}

bool rr_queue_contains(const struct thread *t)
{
    bool in = false;
    /* LAB 5: TODO is T in the queue (ready_queue_contains)? Into IN, in a
     * nesting-safe critical section. */
    /* LAB 5: BEGIN SOLUTION full */
    enum intr_level old = intr_disable();
    in = ready_queue_contains(rr_queue_locked(), &t->sched_elem);
    intr_set_level(old);
    /* LAB 5: END SOLUTION */
    (void)t;
    return in;
}

size_t rr_queue_snapshot(int *ids, size_t max)
{
    size_t n = 0;
    /* LAB 5: TODO copy the ids of the first MAX queued threads, head first,
     * into IDS and count them in N; the whole walk is one critical section
     * (a preemption in the middle would reorder the queue under you). */
    /* LAB 5: BEGIN SOLUTION full */
    enum intr_level old = intr_disable();
    struct list *l = &rr_queue_locked()->list;
    for (struct list_elem *e = list_begin(l); e != list_end(l) && n < max; e = list_next(e))
        ids[n++] = rr_queue_thread(e)->id;
    intr_set_level(old);
    /* LAB 5: END SOLUTION */
    (void)ids, (void)max;
    return n;
}

const char *rr_queue_check(void)
{
    enum intr_level old = intr_disable();
    const char *why = ready_queue_check(rr_queue_locked());
    intr_set_level(old);
    return why;
}
