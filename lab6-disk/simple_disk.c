/* simple_disk.c: SimpleDisk: programmed I/O that polls the status register, spinning while the drive is busy. */
#include <stddef.h>

#include "ata.h"
#include "disk.h"
#include "disk_channel.h"

/* The caller's request R owns the channel: do the whole transfer by polling
 * (ata_pio_polled with no pause: the CPU spins), then finish R. */
static int simple_disk_transfer(struct disk_request *r)
{
    struct disk *d = r->disk;
    int err = ata_pio_polled(&d->chan->ata, d->drive, r->block, r->write, r->buf, NULL);
    disk_channel_finish(d->chan, r, err);
    return err;
}

const struct disk_ops simple_disk_ops = {
    .name = "SimpleDisk",
    .irq_driven = false,
    .transfer = simple_disk_transfer,
};
