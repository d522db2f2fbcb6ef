/* disk_channel.h: one ATA channel's owner (hw_lock), its request queue (queue_lock), sleeping and waking, IRQ statistics. */
#ifndef LAB6_DISK_CHANNEL_H
#define LAB6_DISK_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "ata.h"
#include "common/intr_level.h"
#include "disk.h"
#include "disk_queue.h"

/* An IRQ-driven request not finished after this long is failed with
 * DISK_ERR_TIMEOUT by the watchdog, and the channel is reset. */
#define DISK_IRQ_TIMEOUT_MS 1000

struct disk_channel_stats {
    unsigned long irqs;            /* IRQ14s handled */
    unsigned long irq_completions; /* ... that finished a request */
    unsigned long irq_unexpected;  /* ... that found nothing to finish */
    unsigned long wakeups;         /* sleeping threads woken by the disk */
    unsigned long forced_yields;   /* interrupt-triggered yields */
    unsigned long timeouts;        /* requests failed by the watchdog */
    unsigned long resets;          /* software resets of the channel */
};

/*
 * The two locks of the channel:
 *
 *   queue_lock  protects `queue` (who waits, who owns the channel). It is
 *               "held" with interrupts off, because the interrupt handler
 *               takes it too: disk_channel_lock() disables interrupts and
 *               marks it held; disk_channel_unlock() restores the level.
 *               Held only around queue manipulation, never across port I/O
 *               waits.
 *   hw_lock     the controller registers: queue.hw_lock is the request that
 *               owns them, from disk_queue_start until disk_queue_finish.
 *               Only the owner's thread, or (for an IRQ-driven request once
 *               issued) the interrupt handler, touches the registers. Threads
 *               wanting it sleep in queue.pending; they never spin.
 */
struct disk_channel {
    struct ata_channel ata;   /* registers: belong to queue.hw_lock's request */
    struct disk_queue queue;  /* under queue_lock */
    bool queue_locked;        /* queue_lock is held (debug check) */
    enum disk_mode mode;      /* changed only by the hw_lock owner */
    bool needs_reset;         /* the watchdog gave up on a command */
    struct disk *drives[2];   /* master, slave (NULL if absent) */
    struct list sleepers;     /* threads blocked in the queue (their sched_elem),
                                 under queue_lock: lab 4 sees them waiting in a
                                 device queue and will not kill them */
    struct disk_channel_stats stats; /* under queue_lock */
};

/* Set up CH (no port access) for the channel at IO_BASE/CTRL_BASE, IRQ. */
void disk_channel_init(struct disk_channel *ch, const char *name, uint16_t io_base,
                       uint16_t ctrl_base, int irq);

/* Take queue_lock: disable interrupts (returning the old level for
 * disk_channel_unlock) and mark it held. Not recursive (KASSERT). Any context. */
enum intr_level disk_channel_lock(struct disk_channel *ch);

/* Release queue_lock and restore OLD. */
void disk_channel_unlock(struct disk_channel *ch, enum intr_level old);

/* Submit R (NEW) and sleep in the disk queue until R may own the channel;
 * then R holds hw_lock (ACTIVE). No busy-waiting: the thread is BLOCKED
 * until the disk scheduler wakes it. Thread context, interrupts on; may sleep. */
void disk_channel_acquire(struct disk_channel *ch, struct disk_request *r);

/* Sleep until R is DONE; returns R's result. Thread context, interrupts
 * on; may sleep. */
int disk_channel_wait(struct disk_channel *ch, struct disk_request *r);

/* The ACTIVE request R finished with RESULT: release hw_lock and wake, with
 * I/O priority, the threads the dual-queue rule names (the next pending
 * request's thread, R's thread if it sleeps). A DISK_ERR_TIMEOUT result
 * marks the channel for a reset by its next owner. Returns true if some
 * thread was woken. Caller holds queue_lock; any context (the interrupt handler
 * too); does not yield. */
bool disk_channel_finish_locked(struct disk_channel *ch, struct disk_request *r, int result);

/* disk_channel_finish_locked from the thread that owns R; then yields to
 * the thread woken to start the next request, if any. Thread context. */
void disk_channel_finish(struct disk_channel *ch, struct disk_request *r, int result);

/* Called periodically by the watchdog thread: fail an IRQ-driven request
 * that has waited for its interrupt longer than DISK_IRQ_TIMEOUT_MS.
 * Thread context. */
void disk_channel_watchdog(struct disk_channel *ch);

/* The request owning the channel, for the interrupt handler (caller holds
 * queue_lock). */
struct disk_request *disk_channel_active(struct disk_channel *ch);

/* The primary channel (disk_system.c), or NULL before disk_system_init. */
struct disk_channel *disk_primary_channel(void);

#endif
