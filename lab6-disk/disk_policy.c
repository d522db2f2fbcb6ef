/* disk_policy.c: the dual-queue scheduling policy: disk-woken threads first, the base policy (round robin) for the rest (host-testable). */
#include <stddef.h>

#include "common/debug.h"
#include "disk_sched.h"
#include "lab4-threads/ready_queue.h"
#include "lab4-threads/sched_hw.h"
#include "lab4-threads/thread.h"

/* thread->policy_data bit: the next enqueue of this thread goes to the I/O
 * queue. Lab 6's policy owns policy_data (lab4-threads/thread.h). */
#define DISK_PD_BOOST 0x1u

static const struct sched_policy *base;  /* the ready queue's policy */
static struct ready_queue io_queue;      /* threads the disk woke, oldest first */
static struct disk_sched_stats stats;
static bool initialised;

static void disk_policy_assert_protected(void)
{
    KASSERT(sched_interrupts_off());
    KASSERT(base != NULL);
    if (!initialised) {
        ready_queue_init(&io_queue);
        initialised = true;
    }
}

void disk_policy_set_base(const struct sched_policy *b)
{
    KASSERT(b != NULL && b != &disk_policy);
    base = b;
}

struct disk_sched_stats *disk_policy_stats(void)
{
    return &stats;
}

void disk_policy_boost(struct thread *t)
{
    KASSERT(sched_interrupts_off());
    t->policy_data |= DISK_PD_BOOST;
    stats.io_wakeups++;
}

size_t disk_policy_io_ready(void)
{
    disk_policy_assert_protected();
    return ready_queue_size(&io_queue);
}

static void disk_policy_enqueue(struct thread *t)
{
    disk_policy_assert_protected();
    KASSERT(t->state == THREAD_READY);
    /* LAB 6: TODO a thread the disk woke (DISK_PD_BOOST set) goes to the back
     * of io_queue, once: clear the bit. */
    /* LAB 6: BEGIN SOLUTION full */
    if (t->policy_data & DISK_PD_BOOST) {
        t->policy_data &= ~(uintptr_t)DISK_PD_BOOST;
        ready_queue_push(&io_queue, &t->sched_elem);
        return;
    }
    /* LAB 6: END SOLUTION */
    base->enqueue(t);
}

static struct thread *disk_policy_pick_next(void)
{
    struct list_elem *e = NULL;

    disk_policy_assert_protected();
    /* LAB 6: TODO I/O priority: a thread the disk woke (io_queue) runs
     * before anything the base policy (round robin) holds. */
    /* LAB 6: BEGIN SOLUTION */
    e = ready_queue_pop(&io_queue);
    /* LAB 6: END SOLUTION */
    if (e != NULL) {
        stats.io_dispatches++;
        return LIST_ENTRY(e, struct thread, sched_elem);
    }
    struct thread *t = base->pick_next();
    if (t != NULL)
        stats.cpu_dispatches++;
    return t;
}

static void disk_policy_remove(struct thread *t)
{
    disk_policy_assert_protected();
    if (ready_queue_contains(&io_queue, &t->sched_elem))
        ready_queue_remove(&io_queue, &t->sched_elem);
    else
        base->remove(t);
}

static size_t disk_policy_ready_count(void)
{
    disk_policy_assert_protected();
    return ready_queue_size(&io_queue) + base->ready_count();
}

static bool disk_policy_on_tick(struct thread *cur)
{
    disk_policy_assert_protected();
    bool expired = base->on_tick != NULL && base->on_tick(cur);
    /* A thread the disk woke waits no longer than the next tick. */
    return expired || ready_queue_size(&io_queue) > 0;
}

static void disk_policy_on_yield(struct thread *cur)
{
    disk_policy_assert_protected();
    if (base->on_yield != NULL)
        base->on_yield(cur);
}

static void disk_policy_activate(void)
{
    KASSERT(sched_interrupts_off());
    ready_queue_init(&io_queue);
    initialised = true;
    if (base != NULL && base->activate != NULL)
        base->activate();
}

static const struct sched_policy *disk_policy_extends(void)
{
    return base;
}

const struct sched_policy disk_policy = {
    .name = "disk-priority",
    .enqueue = disk_policy_enqueue,
    .pick_next = disk_policy_pick_next,
    .remove = disk_policy_remove,
    .ready_count = disk_policy_ready_count,
    .on_tick = disk_policy_on_tick,
    .on_yield = disk_policy_on_yield,
    .activate = disk_policy_activate,
    .extends = disk_policy_extends,
};
