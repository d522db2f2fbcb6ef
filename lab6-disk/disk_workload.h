/* disk_workload.h: a job of CPU-bound and disk-bound threads (demo, monitor, tests, benchmarks) and what it measured. */
#ifndef LAB6_DISK_WORKLOAD_H
#define LAB6_DISK_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "disk.h"

#define DISK_JOB_MAX_THREADS 16

enum disk_job_op {
    DISK_JOB_READ,          /* read, check nothing (e.g. the boot disk) */
    DISK_JOB_READ_INITIAL,  /* read, check against the image's initial pattern */
    DISK_JOB_WRITE,         /* write the seeded pattern of (seed, stream, block) */
    DISK_JOB_READ_VERIFY,   /* read, check against that seeded pattern */
};

/*
 * Disk thread t (0 <= t < disk_threads) owns the blocks
 *     first_block + t + k * disk_threads,   k = 0 .. blocks_per_thread - 1
 * (with `seek`, every other one mirrored to the far end of the disk)
 * and works on those of thread (t + rotate) % disk_threads, so a read-back
 * with rotate = 1 checks what another thread wrote. Compute threads spin
 * (never yield) until the disk threads are done; round robin preempts them.
 */
struct disk_job {
    /* What to do. */
    struct disk *disk;
    enum disk_job_op op;
    int compute_threads;     /* 0 .. DISK_JOB_MAX_THREADS */
    int disk_threads;        /* 1 .. DISK_JOB_MAX_THREADS */
    int blocks_per_thread;
    int rotate;
    uint32_t first_block;
    uint32_t seed, stream;
    bool seek;               /* odd k: the mirror block at the far end of the disk
                                (DISK_DATA_BLOCKS - 1 - offset): every request
                                seeks across the disk (Bochs emulates seek time) */
    bool hold_irq;           /* nonblocking mode: hold each request's IRQ14 back
                                (disk_trace.h) until its waiter has been seen
                                asleep in the disk queue on two turns of a holder
                                thread that sleeps one tick in between, and the
                                idle thread has halted if there is no compute
                                thread (or, if it
                                never sleeps, for DISK_HOLD_PATIENCE turns, and
                                then holds nothing more): the
                                drive "takes its time" on every emulator, and the
                                verdicts below are events, not durations */
    /* If set, the block of disk thread OWNER's K-th request (instead of
     * first_block + owner + K * disk_threads and the seek mirror). */
    uint32_t (*block_of)(const struct disk_job *job, int owner, int k);
    /* What happened (filled in by disk_job_run, from `requests` on). */
    unsigned long requests, errors, mismatches;
    int first_error;             /* first disk error code, 0 if none */
    uint32_t first_bad_block;    /* block of the first error or mismatch */
    unsigned long elapsed_ticks; /* from the start to the last disk request */
    unsigned long compute_ticks; /* timer ticks that found a compute thread running */
    unsigned long compute_iterations;
    uint32_t elapsed_us;
    unsigned long irqs, irq_completions, irq_unexpected; /* channel deltas */
    unsigned long wakeups;       /* threads the disk layer woke (channel delta) */
    unsigned long idle_halts;    /* the idle thread halted this often meanwhile */
    unsigned long idle_runs;     /* ... and was switched to this often (every thread waited) */
    unsigned long disk_dispatches; /* disk threads were switched to this often */
    unsigned long io_dispatches;   /* picks from the disk policy's I/O queue */
    uint32_t wait_us_total;        /* the disk's submit-to-done times, summed */
    uint32_t resume_us_total;      /* the disk's done-to-running times, summed */
    uint32_t service_us_total;     /* the disk's start-to-done times, summed */
    unsigned long disk_cpu_ticks;  /* timer ticks that found a disk thread running */
    /* Events of the IRQ-driven requests (disk_trace.h deltas; *_max over the job). */
    unsigned long irq_requests;    /* finished after their command went out */
    unsigned long slept;           /* ... with their waiter asleep in the disk queue */
    unsigned long halted;          /* ... while the idle thread executed hlt */
    unsigned long resumed;         /* ... whose sleeping waiter ran again */
    unsigned long status_reads_max;   /* most status-register reads of one of them */
    uint32_t status_reads_max_block;
    unsigned long others_first_max;   /* most threads run between one finishing and its waiter */
    unsigned long irq_woke_no_yield;  /* interrupts that woke a thread and did not yield */
    unsigned long held;            /* requests the hold kept outstanding */
    unsigned long held_never_slept;/* ... whose waiter never went to sleep */
    unsigned long held_compute_ran;/* ... during which a compute thread was switched to */
    unsigned long head_movement;   /* the channel queue's head movement (disk_queue.h) */
    unsigned long reversals;       /* ... and its changes of direction */
    bool spawn_failed;
    /* Internal. */
    volatile bool stop;
    int disk_left, compute_left, hold_left;
    struct thread *waiter;
    struct thread *compute[DISK_JOB_MAX_THREADS];
};

/* Turns of the hold thread (one tick of sleep each) a held request waits for
 * its waiter to fall asleep before the hold gives up and lets IRQ14 through. */
#define DISK_HOLD_PATIENCE 24

/* Run JOB (its "what to do" part filled in; the rest is reset here, so a
 * job can be run again, e.g. to read back what it wrote) from the calling
 * thread, which sleeps until every thread of the job has ended.
 * Returns 0 if every request succeeded and every check passed, -1
 * otherwise (JOB says what went wrong). Thread context, interrupts on; may
 * sleep. Not reentrant per job. */
int disk_job_run(struct disk_job *job);

/* Percent of the job's elapsed ticks that compute threads ran (0 when the
 * job was too short to see a tick). */
unsigned disk_job_cpu_share(const struct disk_job *job);

/* Average time the drive took per request, in microseconds. */
uint32_t disk_job_service_us(const struct disk_job *job);

/* Print a one-line summary of JOB prefixed by WHAT. */
void disk_job_print(const char *what, const struct disk_job *job);

/* The last job any caller ran (for `disk stats`), or NULL. */
const struct disk_job *disk_job_last(void);

#endif
