/* disk_trace.h: what happened while IRQ-driven requests were outstanding, as counts and orders of events (never durations), and the interrupt hold the tests use to make the drive "take its time". */
#ifndef LAB6_DISK_TRACE_H
#define LAB6_DISK_TRACE_H

#include <stdbool.h>
#include <stdint.h>

struct disk_channel;
struct disk_request;

/*
 * Why counts and not times: under an emulator the guest's clock follows the
 * host, so "the disk thread ran in half of the ticks" or "the request took
 * 300 us" depends on how busy the host is. Whether the waiting thread was
 * asleep in the disk queue when its interrupt came, whether the idle thread
 * executed hlt meanwhile, how often the status register was read, and which
 * thread ran first afterwards do not.
 *
 * Every counter only grows (take deltas), except the *_max fields, which
 * disk_trace_reset_max() clears. Updated with the channel's queue_lock held
 * or in the interrupt handler (interrupts off).
 */
struct disk_trace {
    unsigned long irq_requests;    /* IRQ-driven requests finished after their command went out */
    unsigned long slept;           /* ... whose waiter was asleep in the disk queue then */
    unsigned long halted;          /* ... during which the idle thread executed hlt */
    unsigned long resumed;         /* ... whose sleeping waiter ran again afterwards */
    unsigned long status_reads_max;     /* most status reads during one of them */
    uint32_t status_reads_max_block;    /* ... and its block */
    unsigned long others_first_max;     /* most other threads switched to between one
                                           finishing and its sleeping waiter running */
    unsigned long irq_woke_no_yield;    /* IRQ14s that woke a thread but returned to the
                                           interrupted one (no interrupt-triggered yield) */
    unsigned long held_irqs;            /* IRQ14s taken while the hold was on */
    unsigned long releases;             /* disk_hold_release calls */
    unsigned long issue_marks;          /* disk_trace_issued calls made during a port trace */
    unsigned int issue_port_entry;      /* port trace entries recorded before the last of
                                           them (the protocol tests check the mark came
                                           before the port write the drive may answer
                                           with an interrupt) */
};

/* The counters (one primary channel). */
const struct disk_trace *disk_trace_get(void);

/* Forget the *_max fields (before a job). Thread context. */
void disk_trace_reset_max(void);

/* Hooks of the disk layer (given code, never the drivers' solution). */

/* R's transfer begins (R owns CH's registers). Thread context. */
void disk_trace_begin(struct disk_channel *ch, struct disk_request *r);

/* R's command went out: from now on the interrupt may finish it. Caller
 * holds queue_lock. */
void disk_trace_issued(struct disk_channel *ch, struct disk_request *r);

/* R is finishing (before disk_queue_finish: r->sleeping still says whether
 * its waiter sleeps). Caller holds queue_lock; any context. */
void disk_trace_finish(struct disk_channel *ch, struct disk_request *r);

/* R's waiter runs again after disk_transfer's driver returned. Thread context. */
void disk_trace_resumed(struct disk_channel *ch, struct disk_request *r);

/* IRQ14: run BOTTOM_HALF for CH, holding the next IRQ14 back if the hold is
 * on, and count a wake-up without a switch. Interrupt context. */
void disk_trace_irq(struct disk_channel *ch, void (*bottom_half)(struct disk_channel *));

/*
 * The interrupt hold. While it is on, IRQ14 is masked at the PIC: the drive
 * finishes its command (its INTRQ is latched in the PIC's request register),
 * but the driver cannot know until the holder calls disk_hold_release. So a
 * request is outstanding for as long as the test wants, however fast the
 * emulated drive is, and what the waiting thread does meanwhile can be
 * observed. Every released IRQ14 masks the line again on its way in.
 */

/* Start holding IRQ14 of CH. Thread context. */
void disk_hold_begin(struct disk_channel *ch);

/* True if a held IRQ14 waits in the PIC. Any context. */
bool disk_hold_pending(struct disk_channel *ch);

/* Let one held IRQ14 through (it is taken at once; the handler may switch
 * threads before this returns). Thread context, interrupts on. */
void disk_hold_release(struct disk_channel *ch);

/* Stop holding: IRQ14 flows again (a pending one is taken now). */
void disk_hold_end(struct disk_channel *ch);

#endif
