/* list.c: intrusive doubly linked list with head and tail sentinels. */
#include "list.h"

#include "debug.h"

/* Sentinel tests: the head is the only element with no prev, the tail the
 * only one with no next (unlinked elements have neither). */
static bool is_head(const struct list_elem *e)
{
    return e != NULL && e->prev == NULL && e->next != NULL;
}

static bool is_tail(const struct list_elem *e)
{
    return e != NULL && e->prev != NULL && e->next == NULL;
}

static bool is_interior(const struct list_elem *e)
{
    return e != NULL && e->prev != NULL && e->next != NULL;
}

void list_init(struct list *list)
{
    KASSERT(list != NULL);
    list->head.prev = NULL;
    list->head.next = &list->tail;
    list->tail.prev = &list->head;
    list->tail.next = NULL;
}

void list_elem_init(struct list_elem *elem)
{
    KASSERT(elem != NULL);
    elem->prev = NULL;
    elem->next = NULL;
}

bool list_elem_linked(const struct list_elem *elem)
{
    KASSERT(elem != NULL);
    return is_interior(elem);
}

struct list_elem *list_begin(struct list *list)
{
    KASSERT(list != NULL);
    return list->head.next;
}

struct list_elem *list_end(struct list *list)
{
    KASSERT(list != NULL);
    return &list->tail;
}

struct list_elem *list_rbegin(struct list *list)
{
    KASSERT(list != NULL);
    return list->tail.prev;
}

struct list_elem *list_rend(struct list *list)
{
    KASSERT(list != NULL);
    return &list->head;
}

struct list_elem *list_next(struct list_elem *elem)
{
    KASSERT(is_interior(elem) || is_head(elem));
    return elem->next;
}

struct list_elem *list_prev(struct list_elem *elem)
{
    KASSERT(is_interior(elem) || is_tail(elem));
    return elem->prev;
}

struct list_elem *list_front(struct list *list)
{
    KASSERT(!list_empty(list));
    return list->head.next;
}

struct list_elem *list_back(struct list *list)
{
    KASSERT(!list_empty(list));
    return list->tail.prev;
}

void list_insert(struct list_elem *before, struct list_elem *elem)
{
    KASSERT(is_interior(before) || is_tail(before));
    KASSERT(elem != NULL && elem != before);
    elem->prev = before->prev;
    elem->next = before;
    before->prev->next = elem;
    before->prev = elem;
}

void list_push_front(struct list *list, struct list_elem *elem)
{
    list_insert(list_begin(list), elem);
}

void list_push_back(struct list *list, struct list_elem *elem)
{
    list_insert(list_end(list), elem);
}

struct list_elem *list_remove(struct list_elem *elem)
{
    KASSERT(is_interior(elem));
    struct list_elem *next = elem->next;

    elem->prev->next = next;
    next->prev = elem->prev;
    elem->prev = NULL;
    elem->next = NULL;
    return next;
}

struct list_elem *list_pop_front(struct list *list)
{
    struct list_elem *e = list_front(list);

    list_remove(e);
    return e;
}

struct list_elem *list_pop_back(struct list *list)
{
    struct list_elem *e = list_back(list);

    list_remove(e);
    return e;
}

bool list_empty(const struct list *list)
{
    KASSERT(list != NULL);
    return list->head.next == &list->tail;
}

size_t list_size(const struct list *list)
{
    size_t n = 0;

    KASSERT(list != NULL);
    for (const struct list_elem *e = list->head.next; e != &list->tail; e = e->next)
        n++;
    return n;
}

bool list_contains(const struct list *list, const struct list_elem *elem)
{
    KASSERT(list != NULL);
    for (const struct list_elem *e = list->head.next; e != &list->tail; e = e->next) {
        if (e == elem)
            return true;
    }
    return false;
}

void list_insert_ordered(struct list *list, struct list_elem *elem,
                         list_less_fn *less, void *aux)
{
    struct list_elem *e;

    KASSERT(less != NULL);
    for (e = list_begin(list); e != list_end(list); e = e->next) {
        if (less(elem, e, aux))
            break;
    }
    list_insert(e, elem);
}
