/* thread_switch.h: the C half of a context switch, inline (every yield, block, exit and preemption runs it). */
#ifndef LAB4_THREAD_SWITCH_H
#define LAB4_THREAD_SWITCH_H

#include "common/debug.h"
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

/* Record the switch from CUR to NEXT in the scheduling trace (recording
 * is on). Interrupts off. thread.c. */
void thread_trace_switch(const struct thread *cur, const struct thread *next);

/* After every switch, in the thread now running, interrupts off: free PREV
 * (the thread that just stopped) if it was a zombie, then call the switch
 * hook (if any) with the thread now running. Called by thread_switch_to
 * and, for a new thread's first switch, by thread_first_run. */
static inline __attribute__((always_inline)) void thread_switch_done(struct thread *prev)
{
    /* Interrupts are off, and PREV is what thread_switch returned.
     * thread_first_run checks both on the first switch of every thread
     * (the switching code does the same on every switch), so the switches
     * after it do not pay for the checks. */
    (void)prev;
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
    /* The check of every switch: NEXT is a live thread (what the policy
     * handed out). That interrupts are off (every caller's duty) is checked
     * where each thread first runs (thread_first_run): a caller that
     * switches with them on does so on every switch, new threads' too. */
    KASSERT(next != NULL && next->magic == THREAD_MAGIC);
    /* The switch's one trace event, in given code, before it happens: the
     * only event of a yield or a preemption (CUR's letter says which). Out
     * of line: with recording off (tests, benchmarks) it costs a compare. */
    if (__builtin_expect(sched_trace_recording, 0) && next != cur)
        thread_trace_switch(cur, next);
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
