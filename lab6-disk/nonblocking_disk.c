/* nonblocking_disk.c: NonBlockingDisk: the thread issues its command and sleeps; IRQ14 finishes the request and wakes it. */
#include <stddef.h>

#include "ata.h"
#include "common/debug.h"
#include "disk.h"
#include "disk_channel.h"
#include "disk_sched.h"
#include "disk_trace.h"
#include "nonblocking_disk.h"

/* From now on the interrupt handler may finish R: mark it under queue_lock
 * (which is also a compiler barrier, so the mark cannot move past the port
 * write that follows). */
static inline void nonblocking_disk_mark_issued(struct disk_channel *ch, struct disk_request *r)
{
    enum intr_level old = disk_channel_lock(ch);
    r->issued = true;
    disk_trace_issued(ch, r);
    disk_channel_unlock(ch, old);
}

/* The top half. R owns the channel. Program the drive and send the command;
 * a write also hands over its data (a PIO write raises no interrupt before
 * the drive has the sector: it sets DRQ at once). Then sleep until the
 * interrupt has finished R. An error before the command is issued is
 * finished here. */
static int nonblocking_disk_transfer(struct disk_request *r)
{
    struct disk *d = r->disk;
    struct disk_channel *ch = d->chan;
    struct ata_channel *ata = &ch->ata;
    int err = DISK_ERR_DRIVE;

    /* LAB 6: TODO ata_setup (on error: disk_channel_finish and return). A
     * read: mark R issued (nonblocking_disk_mark_issued), send
     * ATA_CMD_READ_SECTORS. A write: send ATA_CMD_WRITE_SECTORS, wait 400 ns,
     * wait for DRQ (on error: read the status register, finish, return),
     * mark R issued, write the data. Then sleep until the interrupt has
     * finished R (disk_channel_wait) and return its result. */
    /* LAB 6: BEGIN SOLUTION */
    err = ata_setup(ata, d->drive, r->block, NULL);
    if (err != DISK_OK) {
        disk_channel_finish(ch, r, err);
        return err;
    }
    if (r->write) {
        ata_command(ata, ATA_CMD_WRITE_SECTORS);
        ata_delay_400ns(ata);
        err = ata_wait(ata, ATA_SR_DRQ, ATA_SR_DRQ, NULL, NULL);
        if (err != DISK_OK) {
            (void)ata_status(ata);
            disk_channel_finish(ch, r, err);
            return err;
        }
        nonblocking_disk_mark_issued(ch, r);
        ata_write_data(ata, r->buf);
    } else {
        nonblocking_disk_mark_issued(ch, r);
        ata_command(ata, ATA_CMD_READ_SECTORS);
    }
    err = disk_channel_wait(ch, r);
    /* LAB 6: END SOLUTION */
    (void)ata;
    if (r->state != DISK_REQ_DONE && !r->issued) /* nothing went out (TODO) */
        disk_channel_finish(ch, r, err);
    return err;
}

/* True if STATUS, read in the interrupt, says R's command is over: not busy,
 * and for a read either data ready or an error; for a write no more data
 * wanted. */
static inline bool nonblocking_disk_finished(const struct disk_request *r, uint8_t status)
{
    if (status & ATA_SR_BSY)
        return false;
    if (status & ATA_SR_FAILED)
        return true;
    return r->write ? !(status & ATA_SR_DRQ) : (status & ATA_SR_DRQ) != 0;
}

void nonblocking_disk_interrupt(struct disk_channel *ch)
{
    bool woke = false;

    KASSERT(intr_get_level() == INTR_OFF);
    enum intr_level old = disk_channel_lock(ch);
    struct disk_request *r = disk_channel_active(ch);
    ch->stats.irqs++;
    /* LAB 6: TODO the bottom half. Acknowledge the interrupt by reading the
     * status register (ata_status) whatever happens. If R is an issued,
     * IRQ-driven request and the status says it is over
     * (nonblocking_disk_finished): check the status (ata_check), move a
     * successful read's data into R->buf, count an irq_completion and finish
     * R (disk_channel_finish_locked: it wakes R's thread and the next
     * request's). Otherwise count it in irq_unexpected. */
    /* LAB 6: BEGIN SOLUTION */
    uint8_t status = ata_status(&ch->ata);
    if (r != NULL && r->irq_driven && r->issued && nonblocking_disk_finished(r, status)) {
        int err = ata_check(&ch->ata, status);
        if (err == DISK_OK && !r->write)
            ata_read_data(&ch->ata, r->buf);
        ch->stats.irq_completions++;
        woke = disk_channel_finish_locked(ch, r, err);
    } else {
        ch->stats.irq_unexpected++;
    }
    /* LAB 6: END SOLUTION */
    (void)r;
    if (woke)
        ch->stats.forced_yields++;
    disk_channel_unlock(ch, old);
    /* LAB 6: TODO if a thread was woken, the interrupt-triggered yield */
    /* LAB 6: BEGIN SOLUTION */
    if (woke)
        disk_sched_preempt();
    /* LAB 6: END SOLUTION */
}

const struct disk_ops nonblocking_disk_ops = {
    .name = "NonBlockingDisk",
    .irq_driven = true,
    .transfer = nonblocking_disk_transfer,
};
