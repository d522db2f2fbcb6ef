/* rr_race.h: the lost-update race: a counter incremented with and without interrupts off, under preemption. */
#ifndef LAB5_RR_RACE_H
#define LAB5_RR_RACE_H

#include <stdint.h>

#define RR_RACE_MAX 8

/*
 * N threads each run for TICKS ticks of their own CPU time, and in every
 * iteration increment two shared counters the slow way (read, dawdle,
 * write): `unprotected` as is, `protected` with interrupts off around it.
 * A preemption between another thread's read and write loses that
 * thread's update: `unprotected` ends below `total` (the increments
 * actually made), `protected` never does.
 */
struct rr_race {
    int n;
    uint32_t ticks;
    volatile unsigned long protected_count;
    volatile unsigned long unprotected_count;
    volatile unsigned long total; /* increments made (each thread adds its own at the end) */
    int ids[RR_RACE_MAX];
};

/* Start R's threads (R must outlive them); returns how many started. */
int rr_race_start(struct rr_race *r);

/* Wait for R's threads to end. */
void rr_race_wait(struct rr_race *r);

#endif
