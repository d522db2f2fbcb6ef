/* disk_queue.c: request queue state machine, hw_lock ownership and the dual-queue pick (no hardware, no threads). */
#include <stddef.h>

#include "common/debug.h"
#include "disk_error.h"
#include "disk_queue.h"

void disk_queue_init(struct disk_queue *q)
{
    KASSERT(q != NULL);
    list_init(&q->pending);
    list_init(&q->completed);
    q->hw_lock = NULL;
    q->submitted = q->started = q->finished = 0;
    q->order = DISK_ORDER_FIFO;
    q->head_block = 0;
    q->head_seq = 0;
    q->sweep_up = true;
    q->head_movement = q->reversals = 0;
}

void disk_request_init(struct disk_request *r, void *waiter)
{
    KASSERT(r != NULL);
    list_elem_init(&r->elem);
    r->state = DISK_REQ_NEW;
    r->seq = 0;
    r->positioned = true;
    r->waiter = waiter;
    r->sleeping = false;
    r->irq_driven = false;
    r->issued = false;
    r->result = 0;
    r->completions = 0;
    r->disk = NULL;
    r->write = false;
    r->block = 0;
    r->buf = NULL;
    r->trace_reads0 = r->trace_halts0 = r->trace_switches_done = 0;
    r->trace_slept = false;
    r->t_submit = r->t_start = r->t_done = 0;
}

void disk_queue_submit(struct disk_queue *q, struct disk_request *r)
{
    KASSERT(q != NULL && r != NULL);
    KASSERT(r->state == DISK_REQ_NEW);
    r->state = DISK_REQ_PENDING;
    r->seq = q->submitted;
    list_push_back(&q->pending, &r->elem);
    q->submitted++;
}

struct disk_request *disk_queue_next(const struct disk_queue *q)
{
    struct list *pending = (struct list *)&q->pending;
    struct disk_request *r = NULL;

    if (list_empty(pending))
        return NULL;
    if (q->order == DISK_ORDER_SCAN && disk_scan_choose(q, &r) == DISK_OK && r != NULL)
        return r;
    return LIST_ENTRY(list_front(pending), struct disk_request, elem);
}

bool disk_queue_can_start(const struct disk_queue *q, const struct disk_request *r)
{
    KASSERT(r->state == DISK_REQ_PENDING);
    return q->hw_lock == NULL && disk_queue_next(q) == r;
}

/* The head moves to R's block: count the distance and a change of direction. */
static void disk_queue_move_head(struct disk_queue *q, const struct disk_request *r)
{
    if (!r->positioned)
        return;
    if (r->block != q->head_block) {
        bool up = r->block > q->head_block;
        q->head_movement += up ? r->block - q->head_block : q->head_block - r->block;
        if (up != q->sweep_up)
            q->reversals++;
        q->sweep_up = up;
    }
    q->head_block = r->block;
    q->head_seq = q->submitted;
}

void disk_queue_start(struct disk_queue *q, struct disk_request *r)
{
    KASSERT(disk_queue_can_start(q, r));
    list_remove(&r->elem);
    r->state = DISK_REQ_ACTIVE;
    r->sleeping = false;
    q->hw_lock = r;
    q->started++;
    disk_queue_move_head(q, r);
}

struct disk_request *disk_queue_active(const struct disk_queue *q)
{
    return q->hw_lock;
}

void disk_queue_sleep(struct disk_queue *q, struct disk_request *r)
{
    (void)q;
    KASSERT(r->state == DISK_REQ_PENDING || r->state == DISK_REQ_ACTIVE);
    KASSERT(!r->sleeping);
    r->sleeping = true;
}

bool disk_queue_finish(struct disk_queue *q, struct disk_request *r, int result)
{
    KASSERT(r != NULL && q->hw_lock == r);
    KASSERT(r->state == DISK_REQ_ACTIVE && r->completions == 0);
    q->hw_lock = NULL;
    r->state = DISK_REQ_DONE;
    r->result = result;
    r->completions++;
    q->finished++;
    if (!r->sleeping)
        return false;
    list_push_back(&q->completed, &r->elem);
    return true;
}

struct disk_request *disk_queue_pick(struct disk_queue *q)
{
    struct disk_request *r = NULL;

    /* LAB 6: TODO the dual-queue rule: if hw_lock is free and the waiter of
     * the next request to start (disk_queue_next: under FIFO, the oldest
     * pending one) sleeps, pick it (it stays in pending, just no longer
     * sleeping); otherwise pop the oldest completed request. Clear
     * `sleeping` on what you return. */
    /* LAB 6: BEGIN SOLUTION */
    if (q->hw_lock == NULL && !list_empty(&q->pending)) {
        struct disk_request *head = disk_queue_next(q);
        if (head->sleeping)
            r = head;
    }
    if (r == NULL && !list_empty(&q->completed))
        r = LIST_ENTRY(list_pop_front(&q->completed), struct disk_request, elem);
    if (r != NULL)
        r->sleeping = false;
    /* LAB 6: END SOLUTION */
    (void)q;
    return r;
}

bool disk_queue_has_ready(const struct disk_queue *q)
{
    struct list *pending = (struct list *)&q->pending;

    if (!list_empty(&q->completed))
        return true;
    return q->hw_lock == NULL && !list_empty(pending) && disk_queue_next(q)->sleeping;
}

bool disk_queue_idle(const struct disk_queue *q)
{
    return q->hw_lock == NULL && list_empty(&q->pending);
}

unsigned disk_queue_pending_count(const struct disk_queue *q)
{
    return (unsigned)list_size(&q->pending);
}

struct disk_request *disk_queue_pick_any(struct disk_queue *const *queues, int n)
{
    for (int i = 0; i < n; i++) {
        struct disk_request *r = disk_queue_pick(queues[i]);
        if (r != NULL)
            return r;
    }
    return NULL;
}

static const char *const order_names[DISK_ORDER_COUNT] = {"fifo", "scan"};

const char *disk_order_name(enum disk_order order)
{
    return order < DISK_ORDER_COUNT ? order_names[order] : "?";
}

enum disk_order disk_order_by_name(const char *name)
{
    for (int i = 0; name != NULL && i < DISK_ORDER_COUNT; i++) {
        const char *a = order_names[i], *b = name;
        while (*a != '\0' && *a == *b)
            a++, b++;
        if (*a == '\0' && *b == '\0')
            return (enum disk_order)i;
    }
    return DISK_ORDER_COUNT;
}
