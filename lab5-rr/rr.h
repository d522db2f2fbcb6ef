/* rr.h: preemptive round robin: the end-of-quantum timer as a scheduling policy, and its settings. */
#ifndef LAB5_RR_H
#define LAB5_RR_H

#include <stdbool.h>
#include <stdint.h>

#include "lab4-threads/sched_policy.h"

/*
 * Round robin = lab 4's FIFO ready queue + two hooks (lab4-threads/
 * sched_policy.h):
 *   on_tick:  every timer tick counts against the running thread's slice;
 *             when it is used up and another thread is ready, the scheduler
 *             preempts: the running thread goes to the tail, the head runs.
 *   on_yield: a thread that gives up the CPU by itself (yield, block, sleep,
 *             exit) does not pass on the rest of its slice: the next thread
 *             starts a full one.
 * The timer is lab 1's PIT at 1000 Hz: one tick per millisecond.
 */

#define RR_DEFAULT_QUANTUM_MS 5

/* The round-robin policy (install with rr_init, or compose: lab 6 wraps it). */
extern const struct sched_policy rr_policy;

/* Read `quantum=MS` (default 5) and `seed=N` (jitter, see rr_quantum.h)
 * from the command line, make the frame pools interrupt-safe
 * (cfp_set_guard), install rr_policy and register lab 5's demos. After
 * scheduler_init(). Idempotent. Boot only. */
void rr_init(void);

/* Set the quantum to MS milliseconds (1..10000); the next slice uses it.
 * Returns false (nothing changes) if MS is out of range. Any context. */
bool rr_set_quantum_ms(unsigned long ms);

/* Set the quantum in timer ticks (tests). Any context. */
void rr_set_quantum_ticks(uint32_t ticks);

/* The quantum: in milliseconds, in ticks, and the most jitter added (ticks;
 * 0 without seed=). */
unsigned long rr_quantum_ms(void);
uint32_t rr_quantum_ticks(void);
uint32_t rr_jitter_ticks(void);

/* True if seed= was given; then *SEED holds it. */
bool rr_seed(uint32_t *seed);

/* Ticks left in the running thread's slice, and its length. Any context. */
uint32_t rr_slice_left(void);
uint32_t rr_slice_length(void);

/* What the end-of-quantum timer did since boot. Every tick on_tick sees
 * counts; a tick that uses up the slice is an expiry, which is either a
 * preemption (another thread was ready) or a renewal (nobody was: the
 * running thread gets a new slice). A voluntary yield is not an expiry. */
struct rr_stats {
    unsigned long ticks;       /* on_tick calls: ticks counted against slices */
    unsigned long expiries;    /* slices used up: preemptions + renewals */
    unsigned long preemptions; /* expiries that asked the scheduler to preempt */
    unsigned long renewals;    /* expiries with nobody else ready */
    unsigned long yields;      /* on_yield calls: a fresh slice each */
    unsigned long late_eois;   /* preemptions that found IRQ 0 still in service and sent its EOI */
};

/* The counters (read-only; they only grow). Any context. */
const struct rr_stats *rr_stats(void);

/* Slices that ran out (with or without a preemption following). */
unsigned long rr_expiries(void);

/* The guard rr_init installs with cfp_set_guard: enter disables interrupts
 * and returns the previous level, leave restores it (nesting-safe). Any
 * context. */
int rr_guard_enter(void);
void rr_guard_leave(int saved);

/* How often the guard was entered, and how many entries left interrupts on
 * (the pool's bitmap code then ran unprotected: a bug). */
struct rr_guard_stats {
    unsigned long enters;
    unsigned long open;
};
const struct rr_guard_stats *rr_guard_stats(void);

/* NULL once rr_init installed round robin; else why it kept lab 4's FIFO
 * policy (the ready queue does not work yet). */
const char *rr_not_installed(void);

/* Register the lab 5 demos (spin, race). Called by rr_init. */
void rr_demos_init(void);

#endif
