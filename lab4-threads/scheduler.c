/* scheduler.c: the ready queue's operations through the policy: add/resume/yield/block/sleep/terminate, dispatch, idle, ticks. */
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
#include "thread_switch.h"

#define IDLE_STACK_SIZE 4096u
#define TIMER_IRQ_BIT 0x0001u /* IRQ 0 in pic_read_isr() */

static struct list sleepers;        /* BLOCKED in scheduler_sleep, by wake_tick; interrupts off */
/* No sleeper is due before this tick: the first sleeper's wake_tick, or
 * with nobody asleep the farthest tick ahead. The timer compares one word
 * on every tick instead of reading the list. Never later than the first
 * sleeper's deadline (scheduler_sleep lowers it); it may be earlier (a
 * sleeper terminated): then a tick looks at the list for nothing and
 * scheduler_wake_sleepers sets it again. Interrupts off. */
static uint32_t sleepers_due;
static struct scheduler_stats stats; /* interrupts off to write */
/* Read the PIC on every preemption to check the timer's EOI went out
 * (stats.preempt_eoi_pending): four port accesses, so only while a test or
 * the monitor asks (scheduler_check_eoi). */
static bool check_eoi;
static bool initialised;

static void scheduler_tick(const struct intr_frame *frame);

const struct scheduler_stats *scheduler_stats(void)
{
    /* thread.c counts what happens on its path; the rest is counted here. */
    stats.switches = thread_switch_count();
    stats.reaped = thread_reaped_count();
    return &stats;
}

bool scheduler_running(void)
{
    return initialised;
}

const struct sched_policy *scheduler_policy(void)
{
    return thread_policy(); /* thread.c keeps it: thread_next_to_run asks it */
}

bool scheduler_policy_includes(const struct sched_policy *p)
{
    for (const struct sched_policy *q = thread_policy(); q != NULL;
         q = q->extends != NULL ? q->extends() : NULL)
        if (q == p)
            return true;
    return false;
}

struct thread *scheduler_idle_thread(void)
{
    return thread_idle();
}

size_t scheduler_ready_count(void)
{
    enum intr_level old = intr_disable();
    size_t n = thread_policy()->ready_count();
    intr_set_level(old);
    return n;
}

void scheduler_yield(void)
{
    enum intr_level old = intr_disable();
    struct thread *cur = thread_current();
    const struct sched_policy *policy = thread_policy();

    stats.yields++;
    cur->ready_cause = ST_STATE_YIELDED; /* the switch's one trace event says "yield" */
    if (policy->on_yield != NULL)
        policy->on_yield(cur);
    /* LAB 4: TODO make CUR READY and, unless it is the idle thread (never
     * queued), enqueue it through the policy; then let the policy pick the
     * next thread and switch to it (thread_switch_to). Only idle can get NULL
     * from pick_next (it was not enqueued): then it keeps running. Return
     * with the caller's interrupt level. */
    /* LAB 4: BEGIN SOLUTION */
    cur->state = THREAD_READY;
    if (cur != thread_idle())
        policy->enqueue(cur);
    struct thread *next = policy->pick_next();
    thread_switch_to(next != NULL ? next : cur);
    intr_set_level(old);
    return;
    /* LAB 4: END SOLUTION */
    (void)old;
    PANIC("step 4 (yield): scheduler_yield is not written yet");
}

/* T becomes READY and goes to the policy. Interrupts off. */
static void scheduler_make_ready(struct thread *t)
{
    KASSERT(intr_get_level() == INTR_OFF);
    KASSERT(t->magic == THREAD_MAGIC && t != thread_idle());
    KASSERT(t->state == THREAD_NEW || t->state == THREAD_BLOCKED);
    /* LAB 4: TODO mark T READY and hand it to the policy's enqueue hook. */
    /* LAB 4: BEGIN SOLUTION */
    t->state = THREAD_READY;
    thread_policy()->enqueue(t);
    return;
    /* LAB 4: END SOLUTION */
    PANIC("step 4 (yield): scheduler_make_ready is not written yet");
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
    KASSERT(cur != thread_idle());
    sched_trace_event(ST_BLOCK, (unsigned)cur->id, 0, 0);
    /* LAB 4: TODO CUR becomes BLOCKED, tells the policy it gives up the CPU
     * by itself (on_yield, if the policy has one), and the next thread runs
     * (thread_next_to_run). Return once resumed and switched back to. */
    /* LAB 4: BEGIN SOLUTION full */
    cur->state = THREAD_BLOCKED;
    if (thread_policy()->on_yield != NULL)
        thread_policy()->on_yield(cur);
    thread_switch_to(thread_next_to_run());
    return;
    /* LAB 4: END SOLUTION */
    PANIC("step 4 (yield): scheduler_block is not written yet");
}

/* Set sleepers_due from the list: the first sleeper's deadline, or
 * INT32_MAX ticks ahead when nobody sleeps. Interrupts off. */
static void scheduler_sleepers_due_reset(void)
{
    sleepers_due = list_empty(&sleepers)
                       ? timer_ticks() + INT32_MAX
                       : LIST_ENTRY(list_front(&sleepers), struct thread, sched_elem)->wake_tick;
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
    scheduler_sleepers_due_reset();
    scheduler_block();
    intr_set_level(old);
}

/* Make every sleeper whose deadline is NOW or earlier ready. Interrupts off.
 * Not inlined: the timer's hook stays small for the ticks that wake nobody. */
static __attribute__((noinline)) void scheduler_wake_sleepers(uint32_t now)
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
    scheduler_sleepers_due_reset();
}

bool scheduler_can_terminate(const struct thread *t)
{
    KASSERT(intr_get_level() == INTR_OFF);
    if (t == NULL || t->magic != THREAD_MAGIC || t->id == THREAD_BOOT_ID ||
        t == thread_idle() || t == thread_current())
        return false;
    if (t->state == THREAD_ZOMBIE || t->state == THREAD_RUNNING)
        return false;
    return t->state == THREAD_READY || !list_elem_linked(&t->sched_elem) ||
           list_contains(&sleepers, &t->sched_elem);
}

void scheduler_terminate(struct thread *t)
{
    if (t == thread_current())
        thread_exit_with(THREAD_END_EXITED);
    enum intr_level old = intr_disable();
    KASSERT(t->magic == THREAD_MAGIC && t->id != THREAD_BOOT_ID && t != thread_idle());
    KASSERT(t->state != THREAD_ZOMBIE && t->state != THREAD_RUNNING);
    sched_trace_event(ST_EXIT, (unsigned)t->id, 0, THREAD_END_TERMINATED);
    /* LAB 4: TODO T is not running: take it out of wherever it waits (the
     * policy if READY, else the sleep list if it sleeps), log its end
     * (THREAD_END_TERMINATED), and free it now: nobody runs on its stack. */
    /* LAB 4: BEGIN SOLUTION full */
    if (t->state == THREAD_READY)
        thread_policy()->remove(t);
    else if (list_elem_linked(&t->sched_elem)) {
        KASSERT(list_contains(&sleepers, &t->sched_elem)); /* no foreign wait queue */
        list_remove(&t->sched_elem);
    }
    thread_note_end(t, THREAD_END_TERMINATED);
    t->state = THREAD_ZOMBIE;
    thread_destroy(t);
    intr_set_level(old);
    return;
    /* LAB 4: END SOLUTION */
    (void)old;
    PANIC("step 5 (exit): scheduler_terminate is not written yet");
}

void thread_dispatch_to(struct thread *t)
{
    enum intr_level old = intr_disable();
    struct thread *cur = thread_current();
    KASSERT(t != NULL && t->magic == THREAD_MAGIC);
    KASSERT(t != cur && t != thread_idle() && cur != thread_idle());
    if (t->state == THREAD_READY)
        thread_policy()->remove(t);
    KASSERT(t->state == THREAD_NEW || t->state == THREAD_READY ||
            t->state == THREAD_BLOCKED);
    KASSERT(!list_elem_linked(&t->sched_elem)); /* not asleep or queued elsewhere */
    sched_trace_event(ST_BLOCK, (unsigned)cur->id, 0, 0);
    cur->state = THREAD_BLOCKED;
    if (thread_policy()->on_yield != NULL)
        thread_policy()->on_yield(cur);
    thread_switch_to(t);
    intr_set_level(old);
}

void scheduler_set_policy(const struct sched_policy *p)
{
    struct list moving;
    KASSERT(p != NULL && p->enqueue && p->pick_next && p->remove && p->ready_count);
    enum intr_level old = intr_disable();
    list_init(&moving);
    for (struct thread *t; (t = thread_policy()->pick_next()) != NULL;)
        list_push_back(&moving, &t->sched_elem);
    thread_set_policy(p);
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
    if ((int32_t)(timer_ticks() - sleepers_due) >= 0)
        scheduler_wake_sleepers(timer_ticks());
    if (cur == thread_idle()) {
        stats.idle_ticks++;
        return;
    }
    const struct sched_policy *policy = thread_policy();
    if (policy->on_tick == NULL || !policy->on_tick(cur))
        return;
    /* Preempt. The CPU delivers IRQ 0 only when IF = 1, so the interrupted
     * code did not have interrupts disabled: it is never inside a critical
     * section (asserted from the saved flags). Check that the EOI really
     * went out before we leave (only while asked: it reads the PIC). */
    KASSERT(frame->eflags & EFLAGS_IF);
    if (check_eoi && (pic_read_isr() & TIMER_IRQ_BIT))
        stats.preempt_eoi_pending++;
    stats.preemptions++;
    cur->ready_cause = ST_STATE_PREEMPTED; /* the switch's one trace event says "preempt" */
    cur->state = THREAD_READY;
    policy->enqueue(cur);
    thread_switch_to(policy->pick_next());
}

/* The idle thread: runs when nothing else is ready, halting until an
 * interrupt (which may make a thread ready) comes. */
static void idle_main(void *arg)
{
    (void)arg;
    for (;;) {
        intr_disable();
        if (thread_policy()->ready_count() == 0) {
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
    scheduler_sleepers_due_reset();
    thread_set_policy(&fifo_policy);
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
    struct thread *idle = thread_create_named("idle", idle_main, NULL, IDLE_STACK_SIZE);
    thread_set_idle(idle);
    if (idle == NULL)
        kprintf("scheduler: no idle thread (thread_create failed): running main only\n");
}

struct thread *thread_spawn(const char *name, thread_fn *fn, void *arg)
{
    struct thread *t = thread_create_named(name, fn, arg, 0);
    if (t != NULL)
        scheduler_add(t);
    return t;
}

void thread_wait(int id)
{
    KASSERT(id != thread_current()->id);
    while (thread_alive(id))
        scheduler_yield();
}

bool scheduler_check_eoi(bool on)
{
    bool was = check_eoi;
    check_eoi = on;
    return was;
}
