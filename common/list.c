/* list.c: intrusive doubly linked list with head and tail sentinels. */
#include "list.h"

#include "debug.h"

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

struct list_elem *list_prev(struct list_elem *elem)
{
    KASSERT(list_is_interior_(elem) || list_is_tail_(elem));
    return elem->prev;
}

struct list_elem *list_back(struct list *list)
{
    KASSERT(!list_empty(list));
    return list->tail.prev;
}

struct list_elem *list_pop_back(struct list *list)
{
    struct list_elem *e = list_back(list);

    list_remove(e);
    return e;
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
