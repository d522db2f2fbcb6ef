/* rr_spin.h: CPU-bound threads that never yield, for the preemption demos, tests and benchmarks. */
#ifndef LAB5_RR_SPIN_H
#define LAB5_RR_SPIN_H

#include <stdbool.h>
#include <stdint.h>

#define RR_SPIN_MAX 8
#define RR_SPIN_LOG 256

/*
 * N spinners loop without ever yielding. Each counts its iterations, and
 * notices when another spinner ran since its own last iteration: that is a
 * new "run" (it was preempted and got the CPU back). With `verbose`, each
 * run prints "spin K: run R at tick T" (interrupts off around the check and
 * the line, so lines come out in the order the runs happened). A spinner
 * stops when `stop` is set, or after max_ticks ticks of its own CPU time
 * (so that, without preemption, each still ends after a while).
 */
struct rr_spin {
    int n;                /* spinners, 1..RR_SPIN_MAX */
    uint32_t max_ticks;   /* CPU ticks a spinner may use; 0: until stop */
    bool verbose;         /* print the run lines */
    volatile bool stop;
    volatile int last;    /* spinner that ran last (-1 at start) */
    volatile unsigned long count[RR_SPIN_MAX]; /* iterations */
    volatile unsigned long runs[RR_SPIN_MAX];  /* runs (see above) */
    volatile unsigned long cpu[RR_SPIN_MAX];   /* its cpu_ticks when it ended */
    volatile uint32_t run_tick[RR_SPIN_LOG];   /* tick at which each run began */
    volatile int run_who[RR_SPIN_LOG];         /* and whose run it was */
    volatile unsigned long run_switch[RR_SPIN_LOG]; /* scheduler_stats()->switches then */
    volatile int logged;                       /* runs logged (capped at RR_SPIN_LOG) */
    int ids[RR_SPIN_MAX];
};

/* Start S's spinners (S must outlive them). Returns how many started. */
int rr_spin_start(struct rr_spin *s);

/* Set stop and wait for the spinners to end. */
void rr_spin_stop(struct rr_spin *s);

/* Minimum of runs[] over the spinners. */
unsigned long rr_spin_min_runs(const struct rr_spin *s);

#endif
