/* thread_switch.h: the C half of a context switch, inline (every yield, block, exit and preemption runs it). */
#ifndef LAB4_THREAD_SWITCH_H
#define LAB4_THREAD_SWITCH_H

#include <stdint.h>

#include "common/debug.h"
#include "common/intr_level.h"
#include "common/sched_trace.h"
#include "thread.h"

/*
 * thread_switch_to and thread_switch_done belong to thread.c's path of a
 * thread; they live here, inline, because they are on the path of every
 * switch: a call and its frame cost about as much as the switch's own
 * bookkeeping. Only thread.c and scheduler.c include this file (the callers
 * of the switch); everyone else goes through the scheduler.
 */

/* thread.c's, for the two functions below (interrupts off to touch). */
extern unsigned long thread_switches;             /* thread_switch_count() */
extern thread_switch_hook_fn *thread_switch_hook; /* thread_set_switch_hook() */

/* Counters since boot (scheduler_stats): switches made, threads freed
 * (thread_destroy). thread.c. */
unsigned long thread_switch_count(void);
unsigned long thread_reaped_count(void);

/* The timeline's letter for the state a thread leaves the CPU in. */
static const uint8_t thread_trace_letter[] = {
    [THREAD_NEW] = ST_STATE_BLOCKED,     [THREAD_READY] = ST_STATE_READY,
    [THREAD_RUNNING] = ST_STATE_RUNNING, [THREAD_BLOCKED] = ST_STATE_BLOCKED,
    [THREAD_ZOMBIE] = ST_STATE_ZOMBIE,
};

/* T's letter; a READY thread's says why (the scheduler noted it in
 * ready_cause: it yielded or was preempted). */
static inline unsigned thread_trace_state(const struct thread *t)
{
    return t->state == THREAD_READY ? t->ready_cause : thread_trace_letter[t->state];
}

/* After every switch, in the thread now running, interrupts off: free PREV
 * (the thread that just stopped) if it was a zombie, then call the switch
 * hook (if any) with the thread now running. Called by thread_switch_to
 * and, for a new thread's first switch, by thread_first_run. */
static inline __attribute__((always_inline)) void thread_switch_done(struct thread *prev)
{
    /* Interrupts are off: we come from thread_switch_to, which checked. */
    if (prev == NULL)
        PANIC("step 2 (context switch): thread_switch returned NULL: it must return CUR, "
              "the thread that stopped (switch.asm not written yet?)");
    KASSERT(prev->magic == THREAD_MAGIC && prev != thread_running);
    /* LAB 4: TODO PREV is the thread we just switched away from. If it is a
     * zombie, nobody runs on its stack any more: free it (thread_destroy). */
    /* LAB 4: BEGIN SOLUTION */
    if (prev->state == THREAD_ZOMBIE)
        thread_destroy(prev);
    /* LAB 4: END SOLUTION */
    if (thread_switch_hook != NULL)
        thread_switch_hook(thread_running);
}

/* Switch from the running thread to NEXT (or just keep running if NEXT is
 * the running thread): NEXT becomes RUNNING. The caller has already set the
 * running thread's new state and put it wherever it waits. Interrupts off;
 * returns when the caller is switched back to. */
static inline __attribute__((always_inline)) void thread_switch_to(struct thread *next)
{
    struct thread *cur = thread_current();
    /* The checks of the switch path, once per switch: interrupts off (every
     * caller's duty), and NEXT a live thread (what the policy handed out). */
    KASSERT(intr_get_level() == INTR_OFF);
    KASSERT(next != NULL && next->magic == THREAD_MAGIC);
    /* The switch's one trace event, in given code, before it happens: the
     * only event of a yield or a preemption (CUR's letter says which). */
    if (next != cur)
        sched_trace_record(ST_SWITCH, (unsigned)cur->id, (uint32_t)next->id,
                           thread_trace_state(cur));
    /* LAB 4: TODO NEXT becomes RUNNING; if it is CUR, that is all. Else
     * count NEXT's dispatch and the switch (thread_switches), make NEXT the
     * running thread and switch stacks (thread_switch). That call returns
     * when some later switch resumes CUR: finish it for the thread that ran
     * just before (thread_switch_done). */
    /* LAB 4: BEGIN SOLUTION */
    next->state = THREAD_RUNNING;
    if (next == cur)
        return;
    next->dispatches++;
    thread_switches++;
    thread_running = next;
    thread_switch_done(thread_switch(cur, next));
    return;
    /* LAB 4: END SOLUTION */
    PANIC("step 2 (context switch): thread_switch_to is not written yet");
}

#endif
