/* ready_queue.c: FIFO ready queue over the intrusive list, its O(n) and rare operations (pure C: compiled unchanged by the host tests). */
#include "common/debug.h"
#include "ready_queue.h"

void ready_queue_init(struct ready_queue *q)
{
    list_init(&q->list);
    q->count = 0;
}

void ready_queue_push_front(struct ready_queue *q, struct list_elem *e)
{
    KASSERT(e != NULL && !list_elem_linked(e));
    list_push_front(&q->list, e);
    q->count++;
}

struct list_elem *ready_queue_peek(struct ready_queue *q)
{
    return list_empty(&q->list) ? NULL : list_front(&q->list);
}

void ready_queue_remove(struct ready_queue *q, struct list_elem *e)
{
    KASSERT(ready_queue_contains(q, e));
    /* LAB 4: TODO unlink E (it is in Q) and uncount it. */
    /* LAB 4: BEGIN SOLUTION full */
    list_remove(e);
    q->count--;
    return;
    /* LAB 4: END SOLUTION */
    PANIC("step 3 (ready queue): ready_queue_remove is not written yet");
}

bool ready_queue_contains(const struct ready_queue *q, const struct list_elem *e)
{
    return e != NULL && list_contains(&q->list, e);
}

const char *ready_queue_check(const struct ready_queue *q)
{
    size_t n = 0;
    const struct list_elem *prev = &q->list.head;
    for (const struct list_elem *e = q->list.head.next; e != &q->list.tail; e = e->next) {
        if (e == NULL)
            return "broken forward link";
        if (e->prev != prev)
            return "back link does not match the forward link";
        if (++n > q->count)
            return "more elements than counted";
        prev = e;
    }
    if (q->list.tail.prev != prev)
        return "tail sentinel does not point at the last element";
    if (n != q->count)
        return "fewer elements than counted";
    return NULL;
}
