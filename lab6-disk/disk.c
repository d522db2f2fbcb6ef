/* disk.c: the disk interface: argument checks, one request through the channel queue, the driver of the current mode, statistics. */
#include <stddef.h>

#include "common/debug.h"
#include "disk.h"
#include "disk_channel.h"
#include "disk_trace.h"
#include "lab1-boot/pit.h"

#define PIT_INPUT_HZ 1193182u /* the PIT's input clock (lab1-boot/pit.c) */

const char *disk_strerror(int err)
{
    switch (err) {
    case DISK_OK: return "ok";
    case DISK_ERR_RANGE: return "block out of range";
    case DISK_ERR_NULL_BUF: return "NULL buffer";
    case DISK_ERR_DRIVE: return "drive error";
    case DISK_ERR_TIMEOUT: return "timeout";
    case DISK_ERR_NO_DRIVE: return "no such drive";
    case DISK_ERR_NOT_IMPLEMENTED: return "not implemented";
    default: return "unknown error";
    }
}

uint32_t disk_size(const struct disk *disk)
{
    return (disk != NULL && disk->present) ? disk->n_blocks : 0;
}

const struct disk_ops *disk_ops_for(enum disk_mode mode)
{
    switch (mode) {
    case DISK_MODE_SIMPLE: return &simple_disk_ops;
    case DISK_MODE_BLOCKING: return &blocking_disk_ops;
    default: return &nonblocking_disk_ops;
    }
}

uint32_t disk_now_us(void)
{
    static uint32_t last; /* never go backwards (a tick may be pending) */
    uint32_t hz = pit_hz();
    if (hz == 0)
        return timer_ticks() * 1000u;
    uint32_t us_per_tick = 1000000u / hz, divisor = PIT_INPUT_HZ / hz;
    enum intr_level old = intr_disable();
    uint32_t t = timer_ticks();
    uint32_t c = pit_read_counter(); /* counts down from divisor */
    uint32_t into = c < divisor ? divisor - c : 0;
    uint32_t now = t * us_per_tick + into * us_per_tick / divisor;
    if ((int32_t)(now - last) < 0)
        now = last;
    last = now;
    intr_set_level(old);
    return now;
}

/* DISK_OK if DISK, BLOCK and BUF make a request the drive can be asked
 * for; otherwise the error to return without touching the drive. */
static int disk_check_request(const struct disk *disk, uint32_t block, const void *buf)
{
    if (disk == NULL || !disk->present)
        return DISK_ERR_NO_DRIVE;
    /* LAB 6: TODO reject a NULL buffer and a block past the end of the disk */
    /* LAB 6: BEGIN SOLUTION full */
    if (buf == NULL)
        return DISK_ERR_NULL_BUF;
    if (block >= disk->n_blocks)
        return DISK_ERR_RANGE;
    /* LAB 6: END SOLUTION */
    (void)block, (void)buf;
    return DISK_OK;
}

/* Account the finished request R of DISK (queue_lock taken here). */
static void disk_account(struct disk *disk, const struct disk_request *r)
{
    enum intr_level old = disk_channel_lock(disk->chan);
    struct disk_stats *s = &disk->stats;
    uint32_t wait = r->t_done - r->t_submit;
    uint32_t resume = disk_now_us() - r->t_done;
    uint32_t service = r->t_done - r->t_start;
    if (r->write)
        s->writes++;
    else
        s->reads++;
    if (r->result != DISK_OK)
        s->errors++;
    s->wait_us_total += wait;
    if (wait > s->wait_us_max)
        s->wait_us_max = wait;
    s->resume_us_total += resume;
    s->service_us_total += service;
    disk_channel_unlock(disk->chan, old);
}

/* The channel owner found the channel marked broken by the watchdog:
 * reset both drives and restore the interrupt setting. Caller owns it. */
static void disk_channel_repair(struct disk_channel *ch)
{
    ch->needs_reset = false;
    (void)ata_reset(&ch->ata);
    ata_set_interrupts(&ch->ata, ch->mode == DISK_MODE_NONBLOCKING);
    enum intr_level old = disk_channel_lock(ch);
    ch->stats.resets++;
    disk_channel_unlock(ch, old);
}

/* One request: wait for the channel in its queue, let the current mode's
 * driver carry it out, account it. */
static int disk_transfer(struct disk *disk, bool write, uint32_t block, void *buf)
{
    struct disk_request r;
    int err = disk_check_request(disk, block, buf);

    if (err != DISK_OK) {
        if (disk != NULL && disk->present) {
            enum intr_level old = disk_channel_lock(disk->chan);
            disk->stats.rejected++;
            disk_channel_unlock(disk->chan, old);
        }
        return err;
    }
    struct disk_channel *ch = disk->chan;
    disk_request_init(&r, NULL);
    r.disk = disk;
    r.write = write;
    r.block = block;
    r.buf = buf;
    disk_channel_acquire(ch, &r); /* sleeps until R owns the channel */
    if (ch->needs_reset)
        disk_channel_repair(ch);
    const struct disk_ops *ops = disk_ops_for(ch->mode);
    r.irq_driven = ops->irq_driven;
    disk_trace_begin(ch, &r);
    err = ops->transfer(&r);
    disk_trace_resumed(ch, &r);
    KASSERT(r.state == DISK_REQ_DONE && r.completions == 1 && r.result == err);
    disk_account(disk, &r);
    return err;
}

int disk_read(struct disk *disk, uint32_t block, void *buf)
{
    return disk_transfer(disk, false, block, buf);
}

int disk_write(struct disk *disk, uint32_t block, const void *buf)
{
    return disk_transfer(disk, true, block, (void *)buf);
}
