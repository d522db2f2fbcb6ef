/* sched_policy.h: the hooks a scheduling policy gives the scheduler (FIFO here; lab 5 round robin, lab 6 disk priority). */
#ifndef LAB4_SCHED_POLICY_H
#define LAB4_SCHED_POLICY_H

#include <stdbool.h>
#include <stddef.h>

struct thread;

/*
 * The scheduler (scheduler.c) does the mechanism: states, switching, idle,
 * zombies, ticks. A policy decides only WHO runs next and WHEN to preempt.
 * Every hook is called by the scheduler with interrupts off, never from two
 * places at once, and must not yield, block or allocate. A policy keeps its
 * ready threads through thread->sched_elem (and may use thread->policy_data).
 *
 * Later labs install their own policy with scheduler_set_policy(), reusing
 * pieces of this one (fifo_policy.h) instead of editing lab 4's files:
 *   lab 5: FIFO queue + on_tick (quantum expiry) + on_yield (quantum reset);
 *   lab 6: pick_next prefers threads whose disk I/O is done.
 */
struct sched_policy {
    const char *name;

    /* T (not running, not queued, state READY) becomes ready: keep it. */
    void (*enqueue)(struct thread *t);

    /* Remove and return the thread to run next, or NULL if none is ready
     * (the scheduler then runs the idle thread or, for a plain yield, keeps
     * the current one). */
    struct thread *(*pick_next)(void);

    /* Take the ready thread T out of the ready structure (it is terminated,
     * or dispatched to directly). T is in it (KASSERT-worthy). */
    void (*remove)(struct thread *t);

    /* How many threads are ready. */
    size_t (*ready_count)(void);

    /* Optional (NULL: never preempt). One timer tick found CUR running (not
     * the idle thread). Called from the timer interrupt, EOI already sent.
     * Return true to preempt CUR: it goes back through enqueue() and
     * pick_next() chooses who runs. */
    bool (*on_tick)(struct thread *cur);

    /* Optional. CUR gives up the CPU by itself (yield, block, sleep, exit,
     * dispatch_to), as opposed to being preempted. */
    void (*on_yield)(struct thread *cur);

    /* Optional. The policy was just installed (scheduler_set_policy): set up
     * its state. Ready threads of the previous policy are enqueued after. */
    void (*activate)(void);

    /* Optional (NULL: extends none). The policy this one wraps and hands
     * the rest of its work to (lab 6's disk policy wraps round robin), so
     * that scheduler_policy_includes() sees through the wrapper. */
    const struct sched_policy *(*extends)(void);
};

#endif
