/* list.h: intrusive doubly linked list with head and tail sentinels. */
#ifndef COMMON_LIST_H
#define COMMON_LIST_H

/*
 * Embed a struct list_elem in your own struct, link that, and get back to the
 * struct with LIST_ENTRY:
 *
 *     struct thread { ...; struct list_elem ready_elem; ... };
 *     list_push_back(&ready_list, &t->ready_elem);
 *     struct thread *t = LIST_ENTRY(list_pop_front(&ready_list),
 *                                   struct thread, ready_elem);
 *
 * A list owns two sentinel elements: HEAD before the first element and TAIL
 * after the last one, so inserting and removing never special-case the ends.
 * Forward iteration runs from list_begin() to list_end() (the tail sentinel),
 * backward from list_rbegin() to list_rend() (the head sentinel):
 *
 *     for (struct list_elem *e = list_begin(l); e != list_end(l); e = list_next(e))
 *
 * To remove while iterating, continue from what list_remove() returns.
 *
 * An element is in at most one list through one list_elem at a time; removal
 * clears its links, so removing it twice is caught by an assertion. Nothing
 * here allocates or locks: callers serialise access (e.g. with interrupts
 * off); all functions may be called from any context. The O(1) operations
 * are inline: they sit on the scheduler and heap fast paths. A struct list must not
 * be copied once initialised (its sentinels point at each other).
 */

#include <stdbool.h>
#include <stddef.h>

#include "common/debug.h"

struct list_elem {
    struct list_elem *prev; /* NULL for the head sentinel and unlinked elems */
    struct list_elem *next; /* NULL for the tail sentinel and unlinked elems */
};

struct list {
    struct list_elem head; /* sentinel before the first element */
    struct list_elem tail; /* sentinel after the last element */
};

/* The struct STRUCT containing the list_elem ELEM_PTR as its field MEMBER. */
#define LIST_ENTRY(elem_ptr, STRUCT, member)                                 \
    ((STRUCT *)(void *)((char *)(elem_ptr) - offsetof(STRUCT, member)))

/* Sentinel tests (for the assertions below): the head is the only element
 * with no prev, the tail the only one with no next (unlinked elements have
 * neither). */
static inline bool list_is_head_(const struct list_elem *e)
{
    return e != NULL && e->prev == NULL && e->next != NULL;
}

static inline bool list_is_tail_(const struct list_elem *e)
{
    return e != NULL && e->prev != NULL && e->next == NULL;
}

static inline bool list_is_interior_(const struct list_elem *e)
{
    return e != NULL && e->prev != NULL && e->next != NULL;
}

/* True iff LIST has no elements. O(1). */
static inline bool list_empty(const struct list *list)
{
    KASSERT(list != NULL);
    return list->head.next == &list->tail;
}

/* Make LIST empty. Must be called before any other use of LIST. */
void list_init(struct list *list);

/* Mark ELEM as linked into no list (optional: removal does the same). Lets
 * list_elem_linked() answer for an element that was never inserted. */
void list_elem_init(struct list_elem *elem);

/* True iff ELEM is currently linked into some list (ELEM must have been
 * inserted, removed, or passed to list_elem_init). */
static inline bool list_elem_linked(const struct list_elem *elem)
{
    KASSERT(elem != NULL);
    return list_is_interior_(elem);
}

/* First element, or list_end(LIST) if LIST is empty. */
static inline struct list_elem *list_begin(struct list *list)
{
    KASSERT(list != NULL);
    return list->head.next;
}

/* The tail sentinel: one past the last element (do not dereference). */
static inline struct list_elem *list_end(struct list *list)
{
    KASSERT(list != NULL);
    return &list->tail;
}

/* Last element, or list_rend(LIST) if LIST is empty. */
struct list_elem *list_rbegin(struct list *list);

/* The head sentinel: one before the first element (do not dereference). */
struct list_elem *list_rend(struct list *list);

/* Element after ELEM (list_end() after the last). ELEM must be an element or
 * the head sentinel, not the tail sentinel. */
static inline struct list_elem *list_next(struct list_elem *elem)
{
    KASSERT(list_is_interior_(elem) || list_is_head_(elem));
    return elem->next;
}

/* Element before ELEM (list_rend() before the first). ELEM must be an element
 * or the tail sentinel, not the head sentinel. */
struct list_elem *list_prev(struct list_elem *elem);

/* First element. LIST must not be empty. */
static inline struct list_elem *list_front(struct list *list)
{
    KASSERT(!list_empty(list));
    return list->head.next;
}

/* Last element. LIST must not be empty. */
struct list_elem *list_back(struct list *list);

/* Link ELEM (checked by the callers) in just before BEFORE. */
static inline void list_link_before_(struct list_elem *before, struct list_elem *elem)
{
    elem->prev = before->prev;
    elem->next = before;
    before->prev->next = elem;
    before->prev = elem;
}

/* Insert ELEM just before BEFORE, which is an element of a list or that
 * list's tail sentinel (then ELEM becomes the last element). */
static inline void list_insert(struct list_elem *before, struct list_elem *elem)
{
    KASSERT(list_is_interior_(before) || list_is_tail_(before));
    KASSERT(elem != NULL && elem != before);
    list_link_before_(before, elem);
}

/* Insert ELEM as the first element of LIST. */
static inline void list_push_front(struct list *list, struct list_elem *elem)
{
    list_insert(list_begin(list), elem);
}

/* Insert ELEM as the last element of LIST. (The scheduler's hot path: the
 * tail sentinel needs no check, only ELEM does.) */
static inline void list_push_back(struct list *list, struct list_elem *elem)
{
    KASSERT(elem != NULL);
    list_link_before_(&list->tail, elem);
}

/* Unlink ELEM, which must be an element of a list (not a sentinel, not
 * already removed). Returns the element that followed it, so that
 * `e = list_remove(e)` continues a forward iteration. */
static inline struct list_elem *list_remove(struct list_elem *elem)
{
    KASSERT(list_is_interior_(elem));
    struct list_elem *next = elem->next;

    elem->prev->next = next;
    next->prev = elem->prev;
    elem->prev = NULL;
    elem->next = NULL;
    return next;
}

/* Remove and return the first element. LIST must not be empty. (The
 * scheduler's hot path: a non-empty list's first element is an element,
 * so only emptiness is checked.) */
static inline struct list_elem *list_pop_front(struct list *list)
{
    struct list_elem *e = list_front(list);
    struct list_elem *next = e->next;

    list->head.next = next;
    next->prev = &list->head;
    e->prev = NULL;
    e->next = NULL;
    return e;
}

/* Remove and return the last element. LIST must not be empty. */
struct list_elem *list_pop_back(struct list *list);


/* Number of elements in LIST. O(n). */
size_t list_size(const struct list *list);

/* True iff ELEM is an element of LIST. O(n); meant for assertions. */
bool list_contains(const struct list *list, const struct list_elem *elem);

/* Strict ordering for list_insert_ordered: true iff A sorts before B. */
typedef bool list_less_fn(const struct list_elem *a, const struct list_elem *b,
                          void *aux);

/* Insert ELEM into LIST, which is sorted by LESS, keeping it sorted; ELEM goes
 * after the elements it is equal to (stable: equal ones stay FIFO). O(n). */
void list_insert_ordered(struct list *list, struct list_elem *elem,
                         list_less_fn *less, void *aux);

#endif
