/* disk_sched.h: lab 6's scheduling policy: threads the disk wakes run before the ready queue (the dual queue). */
#ifndef LAB6_DISK_SCHED_H
#define LAB6_DISK_SCHED_H

#include <stdbool.h>
#include <stddef.h>

#include "lab4-threads/sched_policy.h"

struct thread;

/* Counters of the policy (monitor, tests). */
struct disk_sched_stats {
    unsigned long io_wakeups;     /* threads made ready by the disk */
    unsigned long io_dispatches;  /* picks served from the I/O queue */
    unsigned long cpu_dispatches; /* picks served by the base policy */
};

/*
 * The policy keeps two queues (disk_policy.c):
 *   the I/O queue    threads the disk layer woke (disk_sched_wake): to start
 *                    their command on a free disk, or because their request
 *                    finished. FIFO, served first.
 *   the ready queue  everybody else, run by the policy that was installed
 *                    before (lab 5's round robin), which also keeps doing
 *                    preemption at the end of a quantum.
 * An I/O-bound thread runs briefly (start a command, or take its data) and
 * sleeps again, so serving it first costs the CPU-bound threads almost
 * nothing and keeps the disk busy; a thread that keeps the CPU after its
 * disk request is preempted as usual and rejoins the ready queue.
 */

/* Install the disk policy on top of the current one (lab 5's). Boot or
 * thread context; idempotent. */
void disk_sched_install(void);

/* True once installed. */
bool disk_sched_installed(void);

/* Make T (BLOCKED in the disk layer) ready with I/O priority. Interrupts
 * off; any context (the interrupt handler too); does not yield. */
void disk_sched_wake(struct thread *t);

/* The interrupt-triggered yield: the interrupted
 * thread goes back to the ready queue and the thread the disk just woke
 * runs now. From an IRQ handler (interrupts off, EOI sent). */
void disk_sched_preempt(void);

/* The policy's counters. */
const struct disk_sched_stats *disk_sched_stats(void);

/* ---- disk_policy.c (pure: host-tested) --------------------------------- */

/* The policy hooks, delegating CPU-bound threads to BASE. */
extern const struct sched_policy disk_policy;

/* Set the policy the ready queue belongs to (before installing). */
void disk_policy_set_base(const struct sched_policy *base);

/* The next enqueue of T goes to the I/O queue. Interrupts off. */
void disk_policy_boost(struct thread *t);

/* Threads in the I/O queue. Interrupts off. */
size_t disk_policy_io_ready(void);

/* The counters (disk_policy.c keeps them). */
struct disk_sched_stats *disk_policy_stats(void);

#endif
