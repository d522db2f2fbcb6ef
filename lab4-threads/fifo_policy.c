/* fifo_policy.c: the FIFO policy: ready threads in arrival order, no preemption (host-testable). */
#include "common/debug.h"
#include "fifo_policy.h"
#include "ready_queue.h"
#include "sched_hw.h"
#include "thread.h"

/* READY threads, oldest first; interrupts off. Empty from the start (a
 * list's sentinels point at each other), so no hook needs an init check. */
static struct ready_queue queue = {
    .list = {.head = {NULL, &queue.list.tail}, .tail = {&queue.list.head, NULL}},
    .count = 0,
};

/* Every ready-queue operation is a critical section against the timer and
 * disk interrupts, which make threads ready or preempt. The caller (the
 * scheduler) disables interrupts; this checks it really did. Not in
 * enqueue and pick_next: they are on every context switch, which checks
 * once (thread_switch_to), and scheduler_make_ready checks for the rest. */
static inline void fifo_assert_protected(void)
{
    KASSERT(sched_interrupts_off());
}

void fifo_reset(void)
{
    fifo_assert_protected();
    ready_queue_init(&queue);
}

void fifo_enqueue(struct thread *t)
{
    KASSERT(t->state == THREAD_READY);
    ready_queue_push(&queue, &t->sched_elem);
}

struct thread *fifo_pick_next(void)
{
    struct list_elem *e = ready_queue_pop(&queue);
    return e != NULL ? LIST_ENTRY(e, struct thread, sched_elem) : NULL;
}

struct thread *fifo_peek(void)
{
    fifo_assert_protected();
    struct list_elem *e = ready_queue_peek(&queue);
    return e != NULL ? LIST_ENTRY(e, struct thread, sched_elem) : NULL;
}

void fifo_remove(struct thread *t)
{
    fifo_assert_protected();
    ready_queue_remove(&queue, &t->sched_elem);
}

size_t fifo_ready_count(void)
{
    fifo_assert_protected();
    return ready_queue_size(&queue);
}

const char *fifo_check(void)
{
    fifo_assert_protected();
    return ready_queue_check(&queue);
}

const struct sched_policy fifo_policy = {
    .name = "fifo",
    .enqueue = fifo_enqueue,
    .pick_next = fifo_pick_next,
    .remove = fifo_remove,
    .ready_count = fifo_ready_count,
    .on_tick = NULL,  /* cooperative: a thread runs until it gives up the CPU */
    .on_yield = NULL,
    .activate = fifo_reset,
};
