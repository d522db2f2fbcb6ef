/* tests_ata_trace.h: a traced, partly simulated ATA drive for lab 6's protocol tests, and checks of the trace. */
#ifndef LAB6_TESTS_ATA_TRACE_H
#define LAB6_TESTS_ATA_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/port_trace.h"
#include "disk.h"

/*
 * Every port access of a request is traced (common/port_trace.h, full
 * trace), and an overlay stands in for the drive's alternate status where a
 * mistake would otherwise go unseen on an emulator that answers at once:
 *
 *   after a write of the device register, of the command register, or of
 *   the sector data, the first PROTO_SETTLE_READS alternate-status reads
 *   (the 400 ns delay, whose values a driver must ignore) answer a stale
 *   status: "ready" after a select, "ERR" (the previous command's) after a
 *   command, "done" after data. The next PROTO_BUSY_READS answer BSY (the
 *   drive is working: a driver must keep polling, and BlockingDisk must
 *   yield between polls). After a selection and after the data of a
 *   write, PROTO_DRQ_READS answers of DRQ without BSY come between the two
 *   (the drive still holds a sector: it is not ready for a command, and a
 *   write is not over, until DRQ is clear too).
 *   Later reads reach the drive.
 *
 * A driver that trusts a status read before 400 ns, or does not poll until
 * the drive itself says BSY is clear, is then seen in the trace (or fails
 * outright). The status register (the acknowledging one) is never faked
 * unless a test says so.
 */

#define PROTO_TRACE_CAP     2048
#define PROTO_SETTLE_READS  ATA_DELAY_READS /* the 400 ns delay: four alternate-status reads */
#define PROTO_BUSY_READS    16   /* then the drive looks busy this many times (enough
                                    to outlast a longer delay than four reads) */
#define PROTO_DRQ_READS     4    /* after a selection or a write's data: DRQ, not busy */
#define PROTO_STALE_READY   (ATA_SR_DRDY | ATA_SR_DSC)
#define PROTO_DRQ_HELD      (ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ)
#define PROTO_STALE_ERR     (ATA_SR_DRDY | ATA_SR_ERR)
#define PROTO_BUSY          (ATA_SR_BSY | ATA_SR_DRDY | ATA_SR_DSC)
#define PROTO_STUCK_MAX_MS  (2 * ATA_TIMEOUT_MS) /* a stuck wait given up by then */

/* The writes that restart the drive's clock. */
enum proto_event {
    PROTO_EV_NONE, PROTO_EV_SELECT, PROTO_EV_COMMAND, PROTO_EV_WRITE_DATA, PROTO_EV_READ_DATA
};

/* The overlay's state; a test may set refuse(_status) / fake_status, status, error
 * after proto_trace_begin, and read busy_phases. */
struct proto_overlay {
    uint16_t io, alt;           /* command block base, alternate status port */
    unsigned int seen;          /* trace entries already looked at */
    enum proto_event event;     /* the last write that restarts the drive's clock */
    unsigned int alt_reads;     /* alternate-status reads since then */
    unsigned int busy_phases;   /* waits in which the drive answered BSY (BlockingDisk
                                   yields in each) */
    bool stuck_after;           /* fake a drive stuck busy after this event... */
    enum proto_event stuck_event;
    bool stuck_clock;           /* the first busy answer was at stuck_ms0 (ata_hw_ms); */
    uint32_t stuck_ms0;
    bool overdue;               /* still polled PROTO_STUCK_MAX_MS later: the overlay
                                   stopped, the drive answers again */
    bool refuse;                /* ...or one that refuses the command: */
    uint8_t refuse_status;      /* status (ERR or DF set), error register ABRT, */
    bool refuse_after_waiter;   /* BSY until another request waits for the channel */
    volatile bool waiter_go;    /* the refused command is out: a waiter may come */
    bool refused;               /* the refusal was seen; the next write ends the overlay */
    bool off;
    bool fake_status;           /* answer the status/error registers below */
    uint8_t status, error;
    unsigned long issue_marks0; /* disk_trace's issue marks when the trace began */
    bool issued_seen;           /* after proto_trace_end: a request was marked issued, */
    unsigned int issued_at;     /* with this many of the kept entries before the mark */
};

extern struct proto_overlay proto_ov;

/* The trace; after proto_trace_end, only the channel's accesses, in order. */
extern struct port_trace_entry proto_trace[PROTO_TRACE_CAP];

/* Start a full trace of the primary channel with the overlay; from
 * STUCK_EVENT on (PROTO_EV_NONE: never) the drive stays busy (each answer
 * first waits, CPU halted, for the next interrupt if interrupts are on: the
 * driver's timeout passes in ticks, not in host CPU time; a driver still
 * polling PROTO_STUCK_MAX_MS after the first busy answer sets
 * proto_ov.overdue and the overlay stops), or, with
 * proto_ov.refuse set, refuses the command (proto_ov.refuse_status, ABRT;
 * the channel is then marked for a reset, since the real drive still waits
 * for data): after that, the next register write ends the overlay. Any
 * context. */
void proto_trace_begin(enum proto_event stuck_event);

/* Stop tracing; keep only the channel's accesses, in order; return how many.
 * A trace that overflowed fails the test if WHOLE (its checks need it all).
 * Also sets proto_ov.issued_seen / issued_at: where, among the kept accesses,
 * the last request was marked issued (disk_trace_issued). */
unsigned int proto_trace_end(bool whole);

/* E is a read of register REG of the channel / of its alternate status. */
bool proto_is_read(const struct port_trace_entry *e, enum ata_reg reg);
bool proto_is_alt_read(const struct port_trace_entry *e);

/* Walks the trace; every check fails the test (KT_FAIL) naming WHAT. */
struct proto_cursor {
    unsigned int i, n;
    const char *what; /* "SimpleDisk read of block 2892 (slave)" */
};

/* The next access writes VALUE to register REG (called NAME). */
void proto_expect_out(struct proto_cursor *c, enum ata_reg reg, uint8_t value, const char *name);

/* A wait: alternate-status reads only, covering the 400 ns delay and the
 * overlay's BSY answers, the last from the drive with BSY clear and
 * (status & MASK) == WANT. WHEN names the step. */
void proto_expect_wait(struct proto_cursor *c, uint8_t mask, uint8_t want, const char *when);

/* One whole sector moved in direction KIND (PORT_TRACE_INSW/OUTSW). */
void proto_expect_data(struct proto_cursor *c, enum port_trace_kind kind);

/* Exactly one read of the status register (the acknowledgement): its value. */
uint8_t proto_expect_status(struct proto_cursor *c, const char *when);

/* Nothing more on the channel. */
void proto_expect_end(struct proto_cursor *c);

/* Select D's drive for LBA, wait until ready, sector count 1 and the LBA
 * bytes, then COMMAND. */
void proto_expect_setup(struct proto_cursor *c, const struct disk *d, uint32_t lba,
                        uint8_t command);

#endif
