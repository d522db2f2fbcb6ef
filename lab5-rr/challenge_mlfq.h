/* challenge_mlfq.h: lab 5 challenge: a multilevel feedback queue (3 levels, slices doubling per level, demotion, periodic boost). */
#ifndef LAB5_CHALLENGE_MLFQ_H
#define LAB5_CHALLENGE_MLFQ_H

#include <stdbool.h>
#include <stdint.h>

#include "lab4-threads/sched_policy.h"
#include "lab4-threads/thread.h"

/*
 * An optional challenge (lab5-rr/README.md, "Challenge"), selected at boot
 * with `sched=mlfq` (`mlfq_boost=K` sets the boost period). The rules:
 *   1. Level 0 is the top. The scheduler runs the oldest ready thread of
 *      the highest non-empty level; a thread that becomes ready at a higher
 *      level than the running one preempts it at the next tick.
 *   2. A new thread starts at level 0.
 *   3. A slice at level L lasts QUANTUM << L ticks (counted in the tick
 *      hook). A thread that uses its whole slice moves down one level (the
 *      last level keeps it) and, if another thread is ready, is preempted.
 *   4. A thread that gives up the CPU by itself (yield, block, sleep) keeps
 *      its level and starts a fresh slice next time.
 *   5. Every BOOST ticks (counted in the tick hook: ticks that found a
 *      thread other than idle running) every thread goes back to level 0.
 *
 * A thread's level and the ticks it used of its slice live in its
 * policy_data word (MLFQ_PD_* below); 0 means level 0, nothing used.
 */

#define MLFQ_LEVELS 3
#define MLFQ_DEFAULT_BOOST 100  /* ticks between boosts */
#define MLFQ_BOOST_MAX 100000u
#define MLFQ_PD_LEVEL_MASK 0xffu  /* policy_data: bits 0-7 level */
#define MLFQ_PD_USED_SHIFT 8      /* bits 8-31: ticks used of the current slice */

/* Counters since the policy was installed or configured (tests, monitor). */
struct mlfq_stats {
    unsigned long expiries[MLFQ_LEVELS]; /* slices used up at each level */
    unsigned long boosts;
    unsigned long ticks;                 /* ticks the policy counted */
};

/* The policy (sched_policy.h hooks). */
extern const struct sched_policy mlfq_policy;

/* Install mlfq_policy if the command line says `sched=mlfq` (`rr` or no key:
 * keep round robin; anything else is reported), with the base quantum of
 * round robin (`quantum=`) and the boost period `mlfq_boost=` (ticks, 0:
 * never). After rr_init(). Boot only. */
void challenge_mlfq_select(void);

/* True while mlfq_policy is the scheduler's policy. Any context. */
bool mlfq_active(void);

/* Set the level-0 slice (ticks, 1..RR_QUANTUM_MAX) and the boost period
 * (ticks, 0: never); every thread starts over at level 0 with a fresh slice
 * and the counters restart. Thread context. */
void mlfq_configure(uint32_t quantum, uint32_t boost);

/* The level-0 slice and the boost period, in ticks. */
uint32_t mlfq_quantum(void);
uint32_t mlfq_boost_period(void);

/* Ticks of a slice at LEVEL (0..MLFQ_LEVELS-1). */
uint32_t mlfq_slice_ticks(int level);

/* T's level (0 = top) and ticks used of its slice. Any context. */
int mlfq_level(const struct thread *t);
uint32_t mlfq_used(const struct thread *t);

/* The counters. Any context (a snapshot taken with interrupts off). */
struct mlfq_stats mlfq_stats(void);

#endif
