/* disk_channel.c: channel ownership (hw_lock), the request queue (queue_lock), sleeping in it and waking with I/O priority. */
#include <stddef.h>

#include "common/debug.h"
#include "disk_channel.h"
#include "disk_sched.h"
#include "disk_trace.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread.h"

void disk_channel_init(struct disk_channel *ch, const char *name, uint16_t io_base,
                       uint16_t ctrl_base, int irq)
{
    KASSERT(ch != NULL);
    ata_channel_init(&ch->ata, name, io_base, ctrl_base, irq);
    disk_queue_init(&ch->queue);
    ch->queue_locked = false;
    ch->mode = DISK_MODE_SIMPLE;
    ch->needs_reset = false;
    ch->drives[0] = ch->drives[1] = NULL;
    list_init(&ch->sleepers);
}

enum intr_level disk_channel_lock(struct disk_channel *ch)
{
    enum intr_level old = intr_disable();
    KASSERT(!ch->queue_locked);
    ch->queue_locked = true;
    return old;
}

void disk_channel_unlock(struct disk_channel *ch, enum intr_level old)
{
    KASSERT(ch->queue_locked && intr_get_level() == INTR_OFF);
    ch->queue_locked = false;
    intr_set_level(old);
}

struct disk_request *disk_channel_active(struct disk_channel *ch)
{
    KASSERT(ch->queue_locked);
    return disk_queue_active(&ch->queue);
}

/* Block the running thread, R's waiter, until the disk wakes it. queue_lock
 * is held (interrupts off) on entry and again on return; it is let go while
 * the thread sleeps, because the interrupt handler and the other threads
 * need it meanwhile (interrupts stay off until the switch: no lost wake-up). */
/* (unused: a handout whose waits are still to write uses it nowhere yet) */
__attribute__((unused)) static void disk_channel_sleep(struct disk_channel *ch,
                                                   struct disk_request *r)
{
    struct thread *cur = thread_current();

    KASSERT(ch->queue_locked && r->waiter == cur);
    /* LAB 6: TODO join ch->sleepers (by sched_elem: lab 4's kill leaves such
     * a thread alone), mark R sleeping (disk_queue_sleep), let go of
     * queue_lock without enabling interrupts, block; once woken, take
     * queue_lock back (interrupts are still off). */
    /* LAB 6: BEGIN SOLUTION full */
    list_push_back(&ch->sleepers, &cur->sched_elem);
    disk_queue_sleep(&ch->queue, r);
    ch->queue_locked = false;
    scheduler_block();
    ch->queue_locked = true;
    /* LAB 6: END SOLUTION */
    (void)cur;
    KASSERT(ch->queue_locked && intr_get_level() == INTR_OFF);
}

void disk_channel_acquire(struct disk_channel *ch, struct disk_request *r)
{
    KASSERT(r != NULL && r->state == DISK_REQ_NEW);
    r->waiter = thread_current();
    r->t_submit = disk_now_us();
    enum intr_level old = disk_channel_lock(ch);
    disk_queue_submit(&ch->queue, r);
    /* LAB 6: TODO wait in the queue: sleep (disk_channel_sleep) until R may
     * start (disk_queue_can_start: the channel is free and R is the oldest). */
    /* LAB 6: BEGIN SOLUTION full */
    while (!disk_queue_can_start(&ch->queue, r))
        disk_channel_sleep(ch, r);
    /* LAB 6: END SOLUTION */
    disk_queue_start(&ch->queue, r);
    disk_channel_unlock(ch, old);
    r->t_start = disk_now_us();
}

int disk_channel_wait(struct disk_channel *ch, struct disk_request *r)
{
    enum intr_level old = disk_channel_lock(ch);
    /* LAB 6: TODO sleep (disk_channel_sleep) until R is done, checking with
     * queue_lock held so its interrupt cannot slip in between the check and
     * the sleep. */
    /* LAB 6: BEGIN SOLUTION full */
    while (r->state != DISK_REQ_DONE)
        disk_channel_sleep(ch, r);
    /* LAB 6: END SOLUTION */
    disk_channel_unlock(ch, old);
    return r->result;
}

bool disk_channel_finish_locked(struct disk_channel *ch, struct disk_request *r, int result)
{
    struct disk_request *next;
    bool woke = false;

    KASSERT(ch->queue_locked);
    r->t_done = disk_now_us();
    if (result == DISK_ERR_TIMEOUT)
        ch->needs_reset = true; /* a stuck drive: the next owner resets the channel */
    disk_trace_finish(ch, r);
    disk_queue_finish(&ch->queue, r, result);
    /* LAB 6: TODO wake the threads the dual-queue rule names, in its order
     * (disk_queue_pick until NULL: the next request's, then R's): take each
     * waiter off ch->sleepers, wake it with I/O priority (disk_sched_wake),
     * count it in stats.wakeups. Return whether any was woken. */
    /* LAB 6: BEGIN SOLUTION full */
    while ((next = disk_queue_pick(&ch->queue)) != NULL) {
        struct thread *t = next->waiter;
        list_remove(&t->sched_elem); /* off ch->sleepers */
        disk_sched_wake(t);
        ch->stats.wakeups++;
        woke = true;
    }
    /* LAB 6: END SOLUTION */
    (void)next;
    return woke;
}

void disk_channel_finish(struct disk_channel *ch, struct disk_request *r, int result)
{
    enum intr_level old = disk_channel_lock(ch);
    bool woke = disk_channel_finish_locked(ch, r, result);
    disk_channel_unlock(ch, old);
    if (woke)
        scheduler_yield(); /* let the next request start its command now */
}

void disk_channel_watchdog(struct disk_channel *ch)
{
    enum intr_level old = disk_channel_lock(ch);
    struct disk_request *r = disk_queue_active(&ch->queue);

    if (r != NULL && r->irq_driven && r->issued &&
        disk_now_us() - r->t_start > DISK_IRQ_TIMEOUT_MS * 1000u) {
        ch->stats.timeouts++;
        disk_channel_finish_locked(ch, r, DISK_ERR_TIMEOUT);
    }
    disk_channel_unlock(ch, old);
}
