/* fake_ata.h: a simulated ATA channel behind ata_hw.h for host tests: two drives, timing rules, faults. */
#ifndef LAB6_HOST_FAKE_ATA_H
#define LAB6_HOST_FAKE_ATA_H

#include <stdbool.h>
#include <stdint.h>

#define FAKE_SECTORS 64

struct fake_drive {
    bool present;
    bool atapi;                         /* answers IDENTIFY with the ATAPI signature */
    uint32_t sectors;                   /* capacity reported by IDENTIFY */
    uint8_t image[FAKE_SECTORS][512];
    bool bad_read[FAKE_SECTORS];        /* reads of these sectors fail (ERR, UNC) */
    bool bad_write[FAKE_SECTORS];       /* writes fail after the data (ERR, ABRT) */
    bool stuck;                         /* stays BSY after any command */
};

struct fake_ata {
    struct fake_drive drive[2];
    bool floating;           /* no drives at all: every read gives 0xFF */
    int busy_polls;          /* status reads a command stays BSY */
    bool clock_stopped;      /* ata_hw_ms stands still (interrupts off in the kernel):
                                only ATA_POLL_LIMIT ends a poll of a stuck drive */
    /* Observations for the tests. */
    unsigned violations;     /* register use before the 400 ns settle time */
    unsigned commands;       /* commands written */
    unsigned status_reads, alt_reads, pauses;
    bool irq_pending;        /* INTRQ: raised on completion unless nIEN */
    unsigned irqs_raised;
    uint8_t last_device;     /* last value written to the device register */
    uint8_t device_control;
    uint32_t last_lba;
    uint8_t last_command;
};

/* The fake channel behind ata_hw_*: reset to two empty drives. */
extern struct fake_ata fake;
void fake_ata_reset(void);

/* Fill drive D's image with a pattern derived from (d, sector). */
void fake_ata_fill(int d);

/* Pause callback for ata_wait that counts its calls. */
void fake_ata_pause(void);

#endif
