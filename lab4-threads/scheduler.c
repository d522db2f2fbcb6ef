/* scheduler.c: the scheduler's mechanism: switching, yield/add/resume/block/sleep, idle, zombies, ticks. */
#include <stddef.h>

#include "common/debug.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/sched_trace.h"
#include "common/x86.h"
#include "lab1-boot/intr.h"
#include "lab1-boot/pic.h"
#include "lab1-boot/pit.h"
#include "fifo_policy.h"
#include "scheduler.h"
#include "thread_fault.h"

#define IDLE_STACK_SIZE 4096u
#define TIMER_IRQ_BIT 0x0001u /* IRQ 0 in pic_read_isr() */

static const struct sched_policy *policy = &fifo_policy; /* interrupts off to change */
static struct thread *idle_thread;  /* never in the ready structure */
static struct list sleepers;        /* BLOCKED in scheduler_sleep, by wake_tick; interrupts off */
static struct scheduler_stats stats; /* interrupts off to write */
static bool initialised;

static void scheduler_tick(const struct intr_frame *frame);

const struct scheduler_stats *scheduler_stats(void)
{
    return &stats;
}

bool scheduler_running(void)
{
    return initialised;
}

const struct sched_policy *scheduler_policy(void)
{
    return policy;
}

bool scheduler_policy_includes(const struct sched_policy *p)
{
    for (const struct sched_policy *q = policy; q != NULL;
         q = q->extends != NULL ? q->extends() : NULL)
        if (q == p)
            return true;
    return false;
}

struct thread *scheduler_idle_thread(void)
{
    return idle_thread;
}

size_t scheduler_ready_count(void)
{
    enum intr_level old = intr_disable();
    size_t n = policy->ready_count();
    intr_set_level(old);
    return n;
}

/* The timeline's letter for the state a thread leaves the CPU in. */
static unsigned trace_state(enum thread_state s)
{
    switch (s) {
    case THREAD_READY: return ST_STATE_READY;
    case THREAD_ZOMBIE: return ST_STATE_ZOMBIE;
    case THREAD_RUNNING: return ST_STATE_RUNNING;
    default: return ST_STATE_BLOCKED;
    }
}

/* Switch from the running thread to NEXT (or just keep running if NEXT is
 * the running thread). The caller has already set the running thread's new
 * state and put it wherever it waits. Interrupts off; returns when the
 * caller is switched back to. */
static void scheduler_switch_to(struct thread *next)
{
    struct thread *cur = thread_current();

    KASSERT(intr_get_level() == INTR_OFF);
    KASSERT(next != NULL && next->magic == THREAD_MAGIC);
    next->state = THREAD_RUNNING;
    if (next == cur)
        return;
    next->dispatches++;
    stats.switches++;
    sched_trace_event(ST_SWITCH, (unsigned)cur->id, (uint32_t)next->id, trace_state(cur->state));
    thread_set_current(next);
    struct thread *prev = thread_switch(cur, next);
    /* We are CUR again, resumed by some later switch; PREV ran before us. */
    scheduler_switch_done(prev);
}

/* The thread to run when the running one stops: the policy's choice, else
 * idle. Interrupts off. */
static struct thread *scheduler_next_or_idle(void)
{
    struct thread *next = policy->pick_next();
    if (next == NULL)
        next = idle_thread;
    if (next == NULL)
        PANIC("every thread is blocked and there is no idle thread");
    return next;
}

void scheduler_switch_done(struct thread *prev)
{
    KASSERT(intr_get_level() == INTR_OFF);
    (void)prev;
    /* LAB 4: TODO PREV is the thread we just switched away from. If it is a
     * zombie, nobody runs on its stack any more: free it (thread_destroy)
     * and count it in stats.reaped. */
    /* LAB 4: BEGIN SOLUTION */
    if (prev->state == THREAD_ZOMBIE) {
        thread_destroy(prev);
        stats.reaped++;
    }
    /* LAB 4: END SOLUTION */
}

void scheduler_yield(void)
{
    enum intr_level old = intr_disable();
    struct thread *cur = thread_current();

    stats.yields++;
    sched_trace_event(ST_YIELD, (unsigned)cur->id, 0, 0);
    if (policy->on_yield != NULL)
        policy->on_yield(cur);
    /* LAB 4: TODO make CUR READY and, unless it is the idle thread (never
     * queued), enqueue it through the policy; then pick the next thread and
     * switch to it (scheduler_switch_to). Only idle can get NULL from
     * pick_next (it was not enqueued): then it keeps running. */
    /* LAB 4: BEGIN SOLUTION */
    cur->state = THREAD_READY;
    if (cur != idle_thread)
        policy->enqueue(cur);
    struct thread *next = policy->pick_next();
    scheduler_switch_to(next != NULL ? next : cur);
    /* LAB 4: END SOLUTION */
    intr_set_level(old);
}

/* T becomes READY and goes to the policy. Interrupts off. */
static void scheduler_make_ready(struct thread *t)
{
    KASSERT(intr_get_level() == INTR_OFF);
    KASSERT(t->magic == THREAD_MAGIC && t != idle_thread);
    KASSERT(t->state == THREAD_NEW || t->state == THREAD_BLOCKED);
    /* LAB 4: TODO mark T READY and hand it to the policy's enqueue hook. */
    /* LAB 4: BEGIN SOLUTION */
    t->state = THREAD_READY;
    policy->enqueue(t);
    /* LAB 4: END SOLUTION */
}

void scheduler_add(struct thread *t)
{
    enum intr_level old = intr_disable();
    KASSERT(t->state == THREAD_NEW);
    sched_trace_event(ST_ADD, (unsigned)t->id, 0, 0);
    scheduler_make_ready(t);
    intr_set_level(old);
}

void scheduler_resume(struct thread *t)
{
    enum intr_level old = intr_disable();
    sched_trace_event(t->state == THREAD_NEW ? ST_ADD : ST_WAKE, (unsigned)t->id, 0, 0);
    scheduler_make_ready(t);
    intr_set_level(old);
}

void scheduler_block(void)
{
    KASSERT(intr_get_level() == INTR_OFF);
    struct thread *cur = thread_current();
    KASSERT(cur != idle_thread);
    sched_trace_event(ST_BLOCK, (unsigned)cur->id, 0, 0);
    cur->state = THREAD_BLOCKED;
    if (policy->on_yield != NULL)
        policy->on_yield(cur);
    scheduler_switch_to(scheduler_next_or_idle());
}

/* Sleep-list order: earlier deadline first (tick arithmetic wraps). */
static bool wakes_earlier(const struct list_elem *a, const struct list_elem *b, void *aux)
{
    (void)aux;
    return (int32_t)(LIST_ENTRY(a, struct thread, sched_elem)->wake_tick -
                     LIST_ENTRY(b, struct thread, sched_elem)->wake_tick) < 0;
}

void scheduler_sleep(uint32_t ticks)
{
    if (ticks == 0) {
        scheduler_yield();
        return;
    }
    enum intr_level old = intr_disable();
    struct thread *cur = thread_current();
    cur->wake_tick = timer_ticks() + ticks;
    list_insert_ordered(&sleepers, &cur->sched_elem, wakes_earlier, NULL);
    scheduler_block();
    intr_set_level(old);
}

/* Make every sleeper whose deadline is NOW or earlier ready. Interrupts off. */
static void scheduler_wake_sleepers(uint32_t now)
{
    while (!list_empty(&sleepers)) {
        struct thread *t = LIST_ENTRY(list_front(&sleepers), struct thread, sched_elem);
        if ((int32_t)(t->wake_tick - now) > 0)
            break;
        list_pop_front(&sleepers);
        sched_trace_event(ST_WAKE, (unsigned)t->id, 0, 0);
        scheduler_make_ready(t);
        stats.wakeups++;
    }
}

void scheduler_exit_current(enum thread_end end)
{
    intr_disable();
    struct thread *cur = thread_current();
    KASSERT(cur->id != THREAD_BOOT_ID && cur != idle_thread);
    sched_trace_event(ST_EXIT, (unsigned)cur->id, 0, (unsigned)end);
    if (policy->on_yield != NULL)
        policy->on_yield(cur);
    /* LAB 4: TODO CUR cannot free the stack it is running on. Log its end
     * (thread_note_end), make it a ZOMBIE, and switch to the next thread
     * (scheduler_next_or_idle): that thread frees CUR right after the switch
     * (scheduler_switch_done). The switch never comes back here. */
    /* LAB 4: BEGIN SOLUTION */
    thread_note_end(cur, end);
    cur->state = THREAD_ZOMBIE;
    scheduler_switch_to(scheduler_next_or_idle());
    /* LAB 4: END SOLUTION */
    (void)end;
    PANIC("thread %d (%s) ended but is still running", cur->id, cur->name);
}

bool scheduler_can_terminate(const struct thread *t)
{
    KASSERT(intr_get_level() == INTR_OFF);
    if (t == NULL || t->magic != THREAD_MAGIC || t->id == THREAD_BOOT_ID ||
        t == idle_thread || t == thread_current())
        return false;
    if (t->state == THREAD_ZOMBIE || t->state == THREAD_RUNNING)
        return false;
    return t->state == THREAD_READY || !list_elem_linked(&t->sched_elem) ||
           list_contains(&sleepers, &t->sched_elem);
}

void scheduler_terminate(struct thread *t)
{
    if (t == thread_current())
        scheduler_exit_current(THREAD_END_EXITED);
    enum intr_level old = intr_disable();
    KASSERT(t->magic == THREAD_MAGIC && t->id != THREAD_BOOT_ID && t != idle_thread);
    KASSERT(t->state != THREAD_ZOMBIE && t->state != THREAD_RUNNING);
    if (t->state == THREAD_READY)
        policy->remove(t);
    else if (list_elem_linked(&t->sched_elem)) {
        KASSERT(list_contains(&sleepers, &t->sched_elem)); /* no foreign wait queue */
        list_remove(&t->sched_elem);
    }
    thread_note_end(t, THREAD_END_TERMINATED);
    sched_trace_event(ST_EXIT, (unsigned)t->id, 0, THREAD_END_TERMINATED);
    t->state = THREAD_ZOMBIE;
    thread_destroy(t); /* not running: its stack can go now */
    stats.reaped++;
    intr_set_level(old);
}

void scheduler_dispatch_to(struct thread *t)
{
    enum intr_level old = intr_disable();
    struct thread *cur = thread_current();
    KASSERT(t != NULL && t->magic == THREAD_MAGIC);
    KASSERT(t != cur && t != idle_thread && cur != idle_thread);
    if (t->state == THREAD_READY)
        policy->remove(t);
    KASSERT(t->state == THREAD_NEW || t->state == THREAD_READY ||
            t->state == THREAD_BLOCKED);
    KASSERT(!list_elem_linked(&t->sched_elem)); /* not asleep or queued elsewhere */
    sched_trace_event(ST_BLOCK, (unsigned)cur->id, 0, 0);
    cur->state = THREAD_BLOCKED;
    if (policy->on_yield != NULL)
        policy->on_yield(cur);
    scheduler_switch_to(t);
    intr_set_level(old);
}

void scheduler_set_policy(const struct sched_policy *p)
{
    struct list moving;
    KASSERT(p != NULL && p->enqueue && p->pick_next && p->remove && p->ready_count);
    enum intr_level old = intr_disable();
    list_init(&moving);
    for (struct thread *t; (t = policy->pick_next()) != NULL;)
        list_push_back(&moving, &t->sched_elem);
    policy = p;
    if (p->activate != NULL)
        p->activate();
    while (!list_empty(&moving))
        p->enqueue(LIST_ENTRY(list_pop_front(&moving), struct thread, sched_elem));
    intr_set_level(old);
}

/* The timer interrupt's hook: account the tick, wake sleepers, and let the
 * policy preempt. Interrupts off, EOI already sent (lab1-boot/intr.c sends
 * it before calling the handler), so switching from here is safe: the PIC
 * can deliver the next tick to whichever thread runs next. */
static void scheduler_tick(const struct intr_frame *frame)
{
    struct thread *cur = thread_current();

    stats.ticks++;
    cur->cpu_ticks++;
    if (cur == idle_thread)
        stats.idle_ticks++;
    scheduler_wake_sleepers(timer_ticks());
    if (cur == idle_thread || policy->on_tick == NULL || !policy->on_tick(cur))
        return;
    /* Preempt. The CPU delivers IRQ 0 only when IF = 1, so the interrupted
     * code did not have interrupts disabled: it is never inside a critical
     * section (asserted from the saved flags). Check that the EOI really
     * went out before we leave. */
    KASSERT(frame->eflags & EFLAGS_IF);
    if (pic_read_isr() & TIMER_IRQ_BIT)
        stats.preempt_eoi_pending++;
    stats.preemptions++;
    sched_trace_event(ST_PREEMPT, (unsigned)cur->id, 0, 0);
    cur->state = THREAD_READY;
    policy->enqueue(cur);
    scheduler_switch_to(policy->pick_next());
}

/* The idle thread: runs when nothing else is ready, halting until an
 * interrupt (which may make a thread ready) comes. */
static void idle_main(void *arg)
{
    (void)arg;
    for (;;) {
        intr_disable();
        if (policy->ready_count() == 0) {
            stats.idle_halts++;
            cpu_sti_hlt(); /* sti takes effect after hlt starts: no lost wake-up */
        } else {
            intr_enable();
            scheduler_yield();
        }
    }
}

void scheduler_init(void)
{
    if (initialised)
        return;
    enum intr_level old = intr_disable();
    list_init(&sleepers);
    policy = &fifo_policy;
    fifo_reset();
    intr_set_level(old);
    bool stacks = thread_init(); /* main is thread 0 from here on */
    initialised = true;
    thread_fault_init();
    pit_set_tick_hook(scheduler_tick);
    if (!stacks) {
        kprintf("scheduler: no thread stacks: running main only\n");
        return;
    }
    idle_thread = thread_create_named("idle", idle_main, NULL, IDLE_STACK_SIZE);
    if (idle_thread != NULL)
        idle_thread->state = THREAD_READY; /* ready whenever needed, never queued */
    if (idle_thread == NULL)
        kprintf("scheduler: no idle thread (thread_create failed): running main only\n");
}
