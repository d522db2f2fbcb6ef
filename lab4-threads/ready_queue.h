/* ready_queue.h: a FIFO queue of threads over the intrusive list, with a count (pure: host-testable). */
#ifndef LAB4_READY_QUEUE_H
#define LAB4_READY_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/debug.h"
#include "common/list.h"

/*
 * Elements are list_elems embedded in the caller's structs (threads link
 * their sched_elem). No locking and no interrupt handling here: the caller
 * serialises (the scheduler keeps interrupts off). An element is in at most
 * one queue at a time; misuse (pushing a linked element, removing an element
 * of another queue) is caught by KASSERT.
 */
struct ready_queue {
    struct list list; /* oldest first */
    size_t count;     /* elements in list */
};

/* Make Q empty. */
void ready_queue_init(struct ready_queue *q);

/* Append E (not linked anywhere) at the tail. O(1). Inline, like pop: both
 * are on every context switch's path. */
static inline void ready_queue_push(struct ready_queue *q, struct list_elem *e)
{
    KASSERT(e != NULL && !list_elem_linked(e));
    (void)q;
    /* LAB 4: TODO append E at the tail of the list and count it. */
    /* LAB 4: BEGIN SOLUTION full */
    list_push_back(&q->list, e);
    q->count++;
    return;
    /* LAB 4: END SOLUTION */
    PANIC("step 3 (ready queue): ready_queue_push is not written yet");
}

/* Insert E (not linked) at the head: it is popped next. O(1). */
void ready_queue_push_front(struct ready_queue *q, struct list_elem *e);

/* Remove and return the head, or NULL if Q is empty. O(1). Inline. */
static inline struct list_elem *ready_queue_pop(struct ready_queue *q)
{
    (void)q;
    /* LAB 4: TODO NULL if empty, else take the head off and uncount it. */
    /* LAB 4: BEGIN SOLUTION full */
    if (list_empty(&q->list))
        return NULL;
    q->count--;
    return list_pop_front(&q->list);
    /* LAB 4: END SOLUTION */
    PANIC("step 3 (ready queue): ready_queue_pop is not written yet");
}

/* The head without removing it, or NULL. O(1). */
struct list_elem *ready_queue_peek(struct ready_queue *q);

/* Remove E, which must be in Q (KASSERT, O(n)). */
void ready_queue_remove(struct ready_queue *q, struct list_elem *e);

/* Number of elements. O(1). Inline: lab 5 asks it on every timer tick. */
static inline size_t ready_queue_size(const struct ready_queue *q)
{
    return q->count;
}

/* True if E is in Q. O(n). */
bool ready_queue_contains(const struct ready_queue *q, const struct list_elem *e);

/* Check that count matches the list and the links are consistent; NULL if
 * sound, else what is wrong. O(n). */
const char *ready_queue_check(const struct ready_queue *q);

#endif
