/* scheduler.h: the scheduler: ready threads, yield/resume/block/sleep, idle thread, zombies, ticks, policy hooks. */
#ifndef LAB4_SCHEDULER_H
#define LAB4_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched_policy.h"
#include "thread.h"

/*
 * Mechanism here, policy in a struct sched_policy (sched_policy.h): lab 4
 * installs the FIFO policy (cooperative), lab 5 round robin (preemptive).
 *
 * Interrupts: every function disables interrupts around its work with the
 * nesting-safe idiom (enum intr_level old = intr_disable(); ...
 * intr_set_level(old)), because the timer interrupt (ticks, sleepers, lab 5
 * preemption) and lab 6's disk interrupt use the same structures. A thread
 * that switches away with interrupts off gets its own level back when it
 * runs again: the level belongs to the thread, not to the CPU.
 *
 * Zombies: a thread that ends cannot free the stack it is running on. It
 * becomes a ZOMBIE and switches away; the thread that runs next frees it
 * right after the switch (thread_switch_done, thread_switch.h), so no zombie
 * outlives the switch that left it.
 *
 * Layering: this file calls down into thread.c (thread_switch_to, inline
 * in thread_switch.h; thread_next_to_run, thread_exit_with) and
 * thread_fault.c (its init), never the other way round.
 */

/* Counters since scheduler_init (monitor `sched`, tests, benchmarks). */
struct scheduler_stats {
    unsigned long ticks;        /* timer ticks the scheduler saw */
    unsigned long idle_ticks;   /* ... that found the idle thread running */
    unsigned long switches;     /* thread_switch calls */
    unsigned long yields;       /* scheduler_yield calls */
    unsigned long preemptions;  /* switches forced from the timer interrupt */
    unsigned long preempt_eoi_pending; /* preemptions with IRQ 0 still in service at the
                                          PIC: EOI not sent before the switch (a bug);
                                          counted while scheduler_check_eoi is on */
    unsigned long wakeups;      /* sleepers woken by the timer */
    unsigned long reaped;       /* zombies freed */
    unsigned long idle_halts;   /* times the idle thread halted */
};

/* Adopt the boot context as thread 0 "main", create the stack pool, install
 * the FIFO policy, the timer tick hook and the stack-overflow/fault hooks,
 * and create the idle thread. Idempotent. If threads cannot be created
 * (no VM, or the lab's code is missing) the kernel still runs, as main only,
 * and a message says so. Boot (lab_init), interrupts on or off. */
void scheduler_init(void);

/* True once scheduler_init() ran (main adopted). */
bool scheduler_running(void);

/* Give up the CPU: the running thread goes back through the policy
 * (FIFO: to the tail of the ready queue) and the thread the policy picks
 * runs. Returns at once if no other thread is ready. Thread context, any
 * interrupt level (the caller's level is back on return). */
void scheduler_yield(void);

/* Make the NEW thread T ready for the first time (to the tail). Any context
 * (interrupt handlers included); does not yield. */
void scheduler_add(struct thread *t);

/* Make T ready again: T was BLOCKED by scheduler_block() or
 * thread_dispatch_to() (or is NEW). Appends it to the ready queue; the
 * caller keeps running. Any context, including interrupt handlers; does not
 * yield. */
void scheduler_resume(struct thread *t);

/* Block the running thread until someone calls scheduler_resume() on it.
 * Interrupts must be OFF (KASSERT): the caller first records where it waits
 * (a wait queue, a flag an interrupt handler checks), and interrupts stay
 * off until the switch, so the wake-up cannot come before the sleep. Not
 * for idle. Returns, interrupts still off, once resumed and dispatched. */
void scheduler_block(void);

/* Block the running thread for at least TICKS timer ticks (0: just yield).
 * The idle thread runs if nobody else is ready. Thread context, any
 * interrupt level (interrupts must be able to come, so the caller must not
 * expect the time to pass while it keeps them off... they are enabled by
 * whoever runs meanwhile). */
void scheduler_sleep(uint32_t ticks);

/* End T. The running thread: same as thread_exit(). Another thread: it is
 * taken out of the ready queue or the sleep list and freed now (it is not
 * running, so its stack is free to go); it must not be waiting in some other
 * wait queue. Not main or idle (KASSERT). Thread context. */
void scheduler_terminate(struct thread *t);

/* True if scheduler_terminate(T) is allowed now: T is not main, idle, the
 * running thread or a zombie, and if BLOCKED it waits nowhere but the sleep
 * list (or nowhere). Interrupts off (so the answer stays true). */
bool scheduler_can_terminate(const struct thread *t);

/* Install POLICY (its activate hook runs, then every ready thread moves to
 * it in pick order). Boot or thread context; takes effect at once. */
/* Check on every preemption that IRQ 0 is out of service at the PIC (count
 * stats.preempt_eoi_pending if not): ON true turns it on. Off by default (it
 * reads the PIC on the hot path); rr_eoi_before_switch turns it on, and the
 * monitor's `sched` for the preemptions after it. Returns the previous
 * setting. Any context. */
bool scheduler_check_eoi(bool on);

void scheduler_set_policy(const struct sched_policy *policy);

/* The installed policy. */
const struct sched_policy *scheduler_policy(void);

/* True if POLICY is the installed policy or one it extends (through
 * sched_policy.extends, any depth). Any context. */
bool scheduler_policy_includes(const struct sched_policy *policy);

/* Ready threads (idle not counted). Any context. */
size_t scheduler_ready_count(void);

/* The idle thread, or NULL if it could not be created. */
struct thread *scheduler_idle_thread(void);

/* The counters (read-only; they only grow). */
const struct scheduler_stats *scheduler_stats(void);

#endif
