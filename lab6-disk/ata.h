/* ata.h: ATA PIO register table (every port, bit and command by name) and the channel primitives. */
#ifndef LAB6_ATA_H
#define LAB6_ATA_H

#include <stdbool.h>
#include <stdint.h>

#include "disk_error.h"

/* ---- The register table: no other file names a port number ------------- */

#define ATA_SECTOR_SIZE 512
#define ATA_SECTOR_WORDS (ATA_SECTOR_SIZE / 2)
#define ATA_LBA28_LIMIT (1ul << 28) /* LBA28 addresses sectors 0 .. 2^28-1 */

/* The primary channel (the secondary one is 0x170 / 0x376, IRQ 15). */
#define ATA_PRIMARY_IO_BASE   0x1F0 /* command block registers */
#define ATA_PRIMARY_CTRL_BASE 0x3F6 /* control block register */
#define ATA_PRIMARY_IRQ       14

/* Command block registers, as offsets from the channel's io_base. Some
 * offsets are two registers: one read, one written. */
enum ata_reg {
    ATA_REG_DATA = 0,         /* r/w: 16-bit data port */
    ATA_REG_ERROR = 1,        /* r: why ERR was set (ATA_ER_*) */
    ATA_REG_FEATURES = 1,     /* w: command parameters (unused here) */
    ATA_REG_SECTOR_COUNT = 2, /* r/w: sectors to transfer (0 means 256) */
    ATA_REG_LBA_LOW = 3,      /* r/w: LBA bits 0-7 */
    ATA_REG_LBA_MID = 4,      /* r/w: LBA bits 8-15 */
    ATA_REG_LBA_HIGH = 5,     /* r/w: LBA bits 16-23 */
    ATA_REG_DEVICE = 6,       /* r/w: drive select, LBA mode, LBA bits 24-27 */
    ATA_REG_STATUS = 7,       /* r: status; reading it acknowledges the interrupt */
    ATA_REG_COMMAND = 7,      /* w: command (ATA_CMD_*) */
};

/* Control block register, as an offset from the channel's ctrl_base. */
enum ata_ctrl_reg {
    ATA_CTRL_ALT_STATUS = 0,     /* r: status again, with no side effect */
    ATA_CTRL_DEVICE_CONTROL = 0, /* w: ATA_DC_* bits, seen by both drives */
};

/* Status register (and alternate status) bits. */
#define ATA_SR_ERR  0x01 /* the last command failed: see the error register */
#define ATA_SR_IDX  0x02 /* index mark (obsolete) */
#define ATA_SR_CORR 0x04 /* corrected data (obsolete) */
#define ATA_SR_DRQ  0x08 /* data request: the drive wants/has a sector of data */
#define ATA_SR_DSC  0x10 /* seek complete (obsolete) */
#define ATA_SR_DF   0x20 /* drive fault */
#define ATA_SR_DRDY 0x40 /* drive ready to accept commands */
#define ATA_SR_BSY  0x80 /* busy: every other bit is meaningless while set */
#define ATA_SR_FAILED (ATA_SR_ERR | ATA_SR_DF)

/* Error register bits (valid when ATA_SR_ERR is set). */
#define ATA_ER_AMNF  0x01 /* address mark not found */
#define ATA_ER_TK0NF 0x02 /* track 0 not found */
#define ATA_ER_ABRT  0x04 /* command aborted (bad command or sector) */
#define ATA_ER_MCR   0x08 /* media change request */
#define ATA_ER_IDNF  0x10 /* sector ID not found */
#define ATA_ER_MC    0x20 /* media changed */
#define ATA_ER_UNC   0x40 /* uncorrectable data error */
#define ATA_ER_BBK   0x80 /* bad block */

/* Device register bits. */
#define ATA_DEV_OBSOLETE 0xA0 /* bits 7 and 5: always set */
#define ATA_DEV_LBA      0x40 /* the address is an LBA, not CHS */
#define ATA_DEV_SLAVE    0x10 /* select drive 1 (slave) */
#define ATA_DEV_LBA_TOP  0x0F /* LBA bits 24-27 */

/* Device control register bits (write-only, shared by both drives). */
#define ATA_DC_NIEN 0x02 /* no interrupts: INTRQ stays quiet */
#define ATA_DC_SRST 0x04 /* software reset of both drives while set */
#define ATA_DC_HOB  0x80 /* read back the high bytes of LBA48 registers */

/* Commands (PIO, LBA28). */
#define ATA_CMD_READ_SECTORS  0x20
#define ATA_CMD_WRITE_SECTORS 0x30
#define ATA_CMD_CACHE_FLUSH   0xE7
#define ATA_CMD_IDENTIFY      0xEC

/* IDENTIFY DEVICE data: word offsets. */
#define ATA_ID_CAPABILITIES   49 /* bit 9: LBA supported */
#define ATA_ID_CAP_LBA        0x0200
#define ATA_ID_MODEL          27 /* 20 words, 40 characters, bytes swapped */
#define ATA_ID_MODEL_WORDS    20
#define ATA_ID_LBA28_SECTORS  60 /* 2 words, low word first */

/* How long a command may keep the drive busy before we give up. Emulated
 * drives answer in microseconds to a few milliseconds (a Bochs seek across
 * the disk); a real one may need seconds to spin up, which StepOS does not
 * wait for. */
#define ATA_TIMEOUT_MS 1000
/* Polls allowed even if the clock is stopped (interrupts off): a poll reads
 * the alternate status at most this many times, then gives up. */
#define ATA_POLL_LIMIT (1ul << 22)
/* The 400 ns delay: this many alternate-status reads, no more, no fewer (the
 * ATA spec's 400 ns at >= 100 ns per ISA read; the status-read budgets of
 * the tests count on it). */
#define ATA_DELAY_READS 4

/* ---- Channels and drives -------------------------------------------- */

enum ata_drive { ATA_MASTER = 0, ATA_SLAVE = 1 };

/* One ATA channel: two drives sharing one set of registers and one IRQ.
 * Only one command may be in flight on a channel at a time; the disk layer
 * (disk_channel.h) decides who owns it. */
struct ata_channel {
    const char *name;   /* "primary" */
    uint16_t io_base;   /* ATA_PRIMARY_IO_BASE */
    uint16_t ctrl_base; /* ATA_PRIMARY_CTRL_BASE */
    int irq;            /* ATA_PRIMARY_IRQ */
    uint8_t device_control; /* last value written to the device control register */
    uint8_t last_status;    /* status of the last command that finished */
    uint8_t last_error;     /* error register when that status had ERR set */
    unsigned long status_reads; /* reads of the status and alternate status registers
                                   (ata_status, ata_alt_status): tests bound them per
                                   request to tell sleeping from polling */
};

/* What IDENTIFY told us about one drive. */
struct ata_identity {
    bool present;     /* a drive answered */
    bool ata;         /* it is an ATA disk (not ATAPI/SATA) with LBA */
    uint32_t sectors; /* LBA28 capacity in sectors */
    char model[ATA_ID_MODEL_WORDS * 2 + 1]; /* trimmed model string */
};

/* Called between two polls of a busy drive: NULL spins (SimpleDisk), a
 * function that yields the CPU lets other threads run (BlockingDisk). */
typedef void ata_pause_fn(void);

/* Fill in CH for the channel at IO_BASE/CTRL_BASE with interrupt IRQ; touches
 * no port. */
void ata_channel_init(struct ata_channel *ch, const char *name, uint16_t io_base,
                      uint16_t ctrl_base, int irq);

/*
 * Register primitives. Unless a comment says otherwise: the caller owns the
 * channel (holds its hw_lock, see disk_channel.h), any interrupt level,
 * never sleeps.
 */

/* Alternate status: the status register with no side effect (it does not
 * acknowledge an interrupt). Use it to poll. */
uint8_t ata_alt_status(struct ata_channel *ch);

/* Status register. Reading it acknowledges the drive's interrupt (the drive
 * drops INTRQ): read it once when a command has finished. */
uint8_t ata_status(struct ata_channel *ch);

/* The error register (meaningful after a status with ATA_SR_ERR). */
uint8_t ata_error(struct ata_channel *ch);

/* Wait at least 400 ns by reading the alternate status register exactly
 * ATA_DELAY_READS (four) times (each read takes >= 100 ns on the ISA bus):
 * the time a drive needs before its status reflects a new drive selection
 * or command. */
void ata_delay_400ns(struct ata_channel *ch);

/* Select DRIVE, LBA mode, with LBA bits 24-27 of LBA, then wait 400 ns. */
void ata_select(struct ata_channel *ch, enum ata_drive drive, uint32_t lba);

/* Poll the alternate status until BSY is clear and (status & MASK) == WANT.
 * PAUSE (may be NULL) runs between polls. Returns DISK_OK, DISK_ERR_DRIVE if
 * the drive set ERR or DF (error register saved in ch->last_error), or
 * DISK_ERR_TIMEOUT after ATA_TIMEOUT_MS (or ATA_POLL_LIMIT polls). The status
 * seen last is stored in *STATUS if STATUS is not NULL. May yield if PAUSE
 * does. */
int ata_wait(struct ata_channel *ch, uint8_t mask, uint8_t want, ata_pause_fn *pause,
             uint8_t *status);

/* Select DRIVE for LBA, wait until it is ready for a command (BSY and DRQ
 * clear; an ERR left over from the previous command does not count), then
 * write the sector count (1) and the LBA registers, but not the command.
 * Returns DISK_OK or DISK_ERR_TIMEOUT. May yield if PAUSE does. */
int ata_setup(struct ata_channel *ch, enum ata_drive drive, uint32_t lba,
              ata_pause_fn *pause);

/* Write COMMAND to the command register (after ata_setup). */
void ata_command(struct ata_channel *ch, uint8_t command);

/* Move one sector between the data register and BUF. The drive must have
 * DRQ set. */
void ata_read_data(struct ata_channel *ch, void *buf);
void ata_write_data(struct ata_channel *ch, const void *buf);

/* DISK_OK if STATUS reports success; else DISK_ERR_DRIVE, with STATUS and
 * the error register saved in ch->last_status / ch->last_error. */
int ata_check(struct ata_channel *ch, uint8_t status);

/* Enable or disable the channel's interrupt (nIEN in device control). */
void ata_set_interrupts(struct ata_channel *ch, bool enabled);

/* Software reset of both drives (SRST), then wait until the selected drive
 * is not busy. Returns DISK_OK or DISK_ERR_TIMEOUT. Interrupts on. */
int ata_reset(struct ata_channel *ch);

/* Ask DRIVE who it is. Fills *ID (present = false when nothing answers, on
 * a floating bus or an empty slot). Returns DISK_OK when an ATA disk with
 * LBA answered, DISK_ERR_NO_DRIVE when nothing (or no ATA disk) did, or
 * DISK_ERR_TIMEOUT/DISK_ERR_DRIVE. Polls (interrupts need not be on). */
int ata_identify(struct ata_channel *ch, enum ata_drive drive, struct ata_identity *id);

/* One complete polled PIO transfer of one sector: select, wait ready,
 * program LBA, command, wait for DRQ, move the data, check the final status
 * (reading the status register, so no interrupt stays pending). WRITE
 * false reads the sector into BUF, true writes BUF to it. PAUSE runs
 * between polls (NULL: spin). Returns DISK_OK or a negative disk_error.
 * The caller owns the channel. May yield if PAUSE does. */
int ata_pio_polled(struct ata_channel *ch, enum ata_drive drive, uint32_t lba, bool write,
                   void *buf, ata_pause_fn *pause);

#endif
