/* disk.h: the one disk interface (disk_read/disk_write/disk_size) over three drivers: simple, blocking, non-blocking. */
#ifndef LAB6_DISK_H
#define LAB6_DISK_H

#include <stdbool.h>
#include <stdint.h>

#include "ata.h"
#include "disk_error.h"
#include "disk_queue.h"

#define DISK_BLOCK_SIZE ATA_SECTOR_SIZE /* 512 bytes, addressed by LBA28 */

struct disk_channel;
struct disk_request;

/* How requests of a channel reach the drive (disk mode simple|blocking|
 * nonblocking). One mode per channel: the interrupt enable bit (nIEN) is
 * shared by both drives of a channel. */
enum disk_mode {
    DISK_MODE_SIMPLE,      /* SimpleDisk: poll the status register, spinning */
    DISK_MODE_BLOCKING,    /* BlockingDisk: poll, but yield the CPU between polls */
    DISK_MODE_NONBLOCKING, /* NonBlockingDisk: sleep until IRQ14 says it is done */
    DISK_MODE_COUNT
};

/* Per-disk counters (monitor `disk stats`, tests). Written with the
 * channel's queue_lock held. Times are microseconds (they wrap after ~71 min). */
struct disk_stats {
    unsigned long reads, writes; /* requests that reached the drive */
    unsigned long errors;        /* of those, failed (drive error or timeout) */
    unsigned long rejected;      /* refused before the drive: range, NULL buffer */
    uint32_t wait_us_total;      /* sum of submit-to-done times */
    uint32_t wait_us_max;
    uint32_t resume_us_total;    /* sum of done-to-running-again times: how long a
                                    thread whose request finished waited for the CPU */
    uint32_t service_us_total;   /* sum of start-to-done times: how long the drive
                                    took once a request had the channel */
};

/* One drive. */
struct disk {
    const char *name;          /* "boot" (primary master), "data" (primary slave) */
    struct disk_channel *chan; /* the channel it shares with its partner drive */
    enum ata_drive drive;
    bool present;              /* IDENTIFY found an ATA disk */
    uint32_t n_blocks;         /* capacity in blocks (IDENTIFY, LBA28) */
    char model[ATA_ID_MODEL_WORDS * 2 + 1];
    struct disk_stats stats;
};

/* A driver: what one disk mode does once a request owns its channel. */
struct disk_ops {
    const char *name;  /* "SimpleDisk" */
    bool irq_driven;   /* completion comes from the interrupt */
    /* Carry out R (ACTIVE: it holds the channel's hw_lock) on R->disk and
     * finish it exactly once (disk_channel_finish or the interrupt does),
     * returning R's result. Thread context, interrupts on; may sleep. */
    int (*transfer)(struct disk_request *r);
};

extern const struct disk_ops simple_disk_ops, blocking_disk_ops, nonblocking_disk_ops;

/* ---- The interface -------------------------------------------------- */

/* Read block BLOCK of DISK into BUF (DISK_BLOCK_SIZE bytes). Returns
 * DISK_OK, or DISK_ERR_NO_DRIVE (DISK NULL or not present),
 * DISK_ERR_NULL_BUF, DISK_ERR_RANGE (BLOCK >= disk_size), DISK_ERR_DRIVE
 * (the drive reported ERR/DF; BUF contents undefined), DISK_ERR_TIMEOUT.
 * Any number of threads may call it at once: requests are served one at a
 * time per channel, in arrival order. Thread context, interrupts on; may
 * sleep (nonblocking), yield (blocking) or spin (simple). */
int disk_read(struct disk *disk, uint32_t block, void *buf);

/* Write BUF (DISK_BLOCK_SIZE bytes) to block BLOCK of DISK. Returns and
 * context as disk_read; after DISK_ERR_DRIVE the block's contents are
 * undefined. */
int disk_write(struct disk *disk, uint32_t block, const void *buf);

/* Capacity of DISK in blocks; 0 if DISK is NULL or not present. Any context. */
uint32_t disk_size(const struct disk *disk);

/* ---- The system's disks (disk_system.c) ---------------------------- */

/* Probe the primary channel (IDENTIFY master and slave), register IRQ14,
 * install the disk scheduling policy and start the watchdog, then use
 * DISK_MODE_NONBLOCKING. A missing data disk is reported with a clear
 * message; everything else keeps working. Boot (lab_init), after
 * scheduler_init(), interrupts on. Idempotent. */
void disk_system_init(void);

/* The data disk (primary slave), or NULL if there is none. */
struct disk *disk_data(void);

/* The boot disk (primary master): reading it is fine, writing it would
 * clobber the kernel. NULL before disk_system_init. */
struct disk *disk_boot(void);

/* Switch every disk of the primary channel to MODE, after the requests in
 * front have finished. Returns DISK_OK, or DISK_ERR_NO_DRIVE before init.
 * Thread context, interrupts on; may sleep. */
int disk_set_mode(enum disk_mode mode);

/* Order the primary channel's queue by ORDER (disk_queue.h: FIFO, or SCAN:
 * the elevator challenge), after the requests in front have started.
 * Returns DISK_OK, DISK_ERR_NOT_IMPLEMENTED if disk_scan_choose is not
 * written, or DISK_ERR_NO_DRIVE before init. Thread context; may sleep. */
int disk_set_order(enum disk_order order);
enum disk_order disk_get_order(void);

/* The current mode, its name ("simple", "blocking", "nonblocking"), and the
 * mode called NAME (DISK_MODE_COUNT if none). */
enum disk_mode disk_get_mode(void);
const char *disk_mode_name(enum disk_mode mode);
enum disk_mode disk_mode_by_name(const char *name);

/* The driver of MODE. */
const struct disk_ops *disk_ops_for(enum disk_mode mode);

/* Microseconds since boot from the PIT (wraps after ~71 minutes). Any context. */
uint32_t disk_now_us(void);

#endif
