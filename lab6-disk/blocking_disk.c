/* blocking_disk.c: BlockingDisk: programmed I/O that yields the CPU instead of spinning while the drive is busy. */
#include <stddef.h>

#include "ata.h"
#include "disk.h"
#include "disk_channel.h"
#include "lab4-threads/scheduler.h"

/* Between two polls of a busy drive: let every other ready thread run
 * first. The thread stays READY, so it polls again after one round of the
 * ready queue (it does not know when the drive will be done: no interrupt). */
static void blocking_disk_pause(void)
{
    /* LAB 6: TODO give up the CPU (the thread stays ready) */
    /* LAB 6: BEGIN SOLUTION */
    scheduler_yield();
    /* LAB 6: END SOLUTION */
}

/* As SimpleDisk, but ata_pio_polled calls blocking_disk_pause between polls. */
static int blocking_disk_transfer(struct disk_request *r)
{
    struct disk *d = r->disk;
    int err = ata_pio_polled(&d->chan->ata, d->drive, r->block, r->write, r->buf,
                             blocking_disk_pause);
    disk_channel_finish(d->chan, r, err);
    return err;
}

const struct disk_ops blocking_disk_ops = {
    .name = "BlockingDisk",
    .irq_driven = false,
    .transfer = blocking_disk_transfer,
};
