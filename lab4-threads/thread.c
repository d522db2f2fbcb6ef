/* thread.c: the path of a thread: creation with its first stack frame, first run, the switch, exit and the zombie hand-off. */
#include <stddef.h>

#include "common/debug.h"
#include "common/format.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/kstring.h"
#include "common/sched_trace.h"
#include "lab3-paging/kmalloc.h"
#include "lab3-paging/page_table.h"
#include "sched_policy.h"
#include "thread.h"
#include "thread_list.h"
#include "thread_stack.h"
#include "thread_switch.h"

_Static_assert(offsetof(struct thread, saved_esp) == 0, "switch.asm: THREAD_SAVED_ESP");
_Static_assert(offsetof(struct thread, stack_top) == 4, "switch.asm: THREAD_STACK_TOP");

#define BOOT_STACK_SIZE 16384u /* lab1-boot/entry.asm: BOOT_STACK_SIZE */

extern char boot_stack_bottom[]; /* lab1-boot/entry.asm */

/* switch.asm: where a new thread's first thread_switch "returns" to. */
extern void thread_start(void);

static struct thread main_thread;  /* thread 0: the boot context, never freed */
struct thread *thread_running = &main_thread; /* the running thread; interrupts off to change */
const struct sched_policy *thread_run_policy; /* who runs next; interrupts off to change */
struct thread *thread_idle_thread; /* runs when the policy has nobody; never queued */
unsigned long thread_switches;     /* interrupts off (thread_switch.h counts) */
static unsigned long reaped;       /* interrupts off */
static int next_id = 1;            /* main is 0 */
thread_switch_hook_fn *thread_switch_hook; /* lab 7: address space and TSS of the next thread */

bool thread_init(void)
{
    static bool done;
    if (done)
        return thread_stack_ready();
    done = true;
    main_thread.magic = THREAD_MAGIC;
    main_thread.id = THREAD_BOOT_ID;
    strlcpy(main_thread.name, "main", sizeof main_thread.name);
    sched_trace_name(THREAD_BOOT_ID, main_thread.name);
    main_thread.state = THREAD_RUNNING;
    main_thread.ready_cause = ST_STATE_READY;
    main_thread.stack_base = (uint32_t)boot_stack_bottom;
    main_thread.stack_top = (uint32_t)boot_stack_bottom + BOOT_STACK_SIZE;
    main_thread.dispatches = 1;
    list_elem_init(&main_thread.sched_elem);

    enum intr_level old = intr_disable();
    uint32_t esp = (uint32_t)__builtin_frame_address(0);
    KASSERT(esp > main_thread.stack_base && esp < main_thread.stack_top);
    /* Mark what lies below us as unused, so `threads` can show main's
     * high-water mark too (interrupts off: nothing else is below us now). */
    thread_stack_fill(main_thread.stack_base, esp - 256);
    thread_list_add(&main_thread);
    intr_set_level(old);
    return thread_stack_init();
}

/* Lay out T's stack so that the first thread_switch() to T "returns" into
 * thread_start (switch.asm), which calls thread_first_run(prev). Returns
 * false if this is not written yet. */
static bool thread_build_first_frame(struct thread *t)
{
    (void)t;
    /* LAB 4: TODO push, from stack_top down, what thread_switch pops when it
     * switches to T for the first time: a zero word (the return address of
     * thread_start's frame: it ends backtraces), thread_start (the address
     * thread_switch's `ret` takes), then ebp, ebx, esi, edi (zeros: ebp = 0
     * ends the frame-pointer chain). Leave saved_esp pointing at the last
     * word pushed, and return true. See the picture in switch.asm. */
    /* LAB 4: BEGIN SOLUTION */
    uint32_t *sp = (uint32_t *)t->stack_top;
    *--sp = 0;                        /* thread_start's own "return address" */
    *--sp = (uint32_t)thread_start;   /* thread_switch's ret goes here */
    *--sp = 0;                        /* ebp */
    *--sp = 0;                        /* ebx */
    *--sp = 0;                        /* esi */
    *--sp = 0;                        /* edi */
    t->saved_esp = (uint32_t)sp;
    return true;
    /* LAB 4: END SOLUTION */
    return false;
}

struct thread *thread_create_named(const char *name, thread_fn *fn, void *arg,
                                   size_t stack_size)
{
    KASSERT(fn != NULL);
    if (stack_size == 0)
        stack_size = THREAD_STACK_DEFAULT;
    if (stack_size > THREAD_STACK_MAX) {
        kprintf("thread_create: stack of %lu bytes refused (max %u)\n",
                (unsigned long)stack_size, THREAD_STACK_MAX);
        return NULL;
    }
    stack_size = (stack_size + PAGE_SIZE - 1) & ~(size_t)PAGE_MASK;
    if (!thread_stack_ready()) {
        kprintf("thread_create: no stack pool (scheduler_init not run, or no VM)\n");
        return NULL;
    }
    struct thread *t = kmalloc(sizeof *t);
    if (t == NULL) {
        kprintf("thread_create: out of heap for a control block\n");
        return NULL;
    }
    memset(t, 0, sizeof *t);
    if (!thread_stack_alloc(stack_size, &t->stack_region, &t->stack_base, &t->stack_top)) {
        kprintf("thread_create: no stack of %lu bytes\n", (unsigned long)stack_size);
        kfree(t);
        return NULL;
    }
    t->fn = fn;
    t->arg = arg;
    t->state = THREAD_NEW;
    t->ready_cause = ST_STATE_READY;
    list_elem_init(&t->sched_elem);
    if (!thread_build_first_frame(t)) {
        kprintf("thread_create: step 1 (first frame): thread_build_first_frame is not "
                "written yet\n");
        thread_stack_free(t->stack_region);
        kfree(t);
        return NULL;
    }
    enum intr_level old = intr_disable();
    t->id = next_id++;
    if (name != NULL)
        strlcpy(t->name, name, sizeof t->name);
    else
        ksnprintf(t->name, sizeof t->name, "thread%d", t->id);
    sched_trace_name((unsigned)t->id, t->name);
    t->magic = THREAD_MAGIC;
    thread_list_add(t);
    intr_set_level(old);
    return t;
}

struct thread *thread_create(thread_fn *fn, void *arg, size_t stack_size)
{
    return thread_create_named(NULL, fn, arg, stack_size);
}

/* Called by switch.asm's thread_start while it is not written yet. */
void thread_start_missing(void)
{
    PANIC("step 1 (first run): thread_start (switch.asm) is not written yet");
}

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

void thread_trace_switch(const struct thread *cur, const struct thread *next)
{
    sched_trace_record(ST_SWITCH, (unsigned)cur->id, (uint32_t)next->id,
                       thread_trace_state(cur));
}

/* Called by switch.asm's thread_switch while it is not written yet. */
void thread_switch_missing(void)
{
    PANIC("step 2 (context switch): thread_switch (switch.asm) is not written yet");
}

/* The invariants of a switch, checked where every thread first runs: the
 * switch happened with interrupts off, and thread_switch returned PREV, the
 * thread that stopped (a live one, not the thread now running). The code
 * that switches does the same on every switch, so checking each thread's
 * first one catches a mistake without a cost on every later switch
 * (thread_switch_to and thread_switch_done do not check these). */
static void thread_check_switch(const struct thread *prev)
{
    if (intr_get_level() != INTR_OFF)
        PANIC("a thread was switched to with interrupts on: keep them off from before "
              "the ready queue is touched until thread_switch_to returns (step 4: "
              "scheduler_yield restores the caller's level after it, not before)");
    if (prev == NULL)
        PANIC("step 2 (context switch): thread_first_run got PREV = NULL: thread_switch "
              "must return CUR in eax, and thread_start must pass eax on (switch.asm not "
              "finished?)");
    if (prev->magic != THREAD_MAGIC)
        PANIC("step 2 (context switch): thread_first_run got PREV = %p, not the thread "
              "that stopped: thread_switch must leave CUR in eax at its ret (CUR arrives "
              "in eax, NEXT in edx: regparm(2), not on the stack), and thread_start must "
              "pass eax on", (const void *)prev);
    if (prev == thread_running)
        PANIC("step 2 (context switch): thread_running still names the thread that "
              "stopped (%s): thread_switch_to must make NEXT the running thread before "
              "it calls thread_switch", prev->name);
}

void thread_first_run(struct thread *prev)
{
    thread_check_switch(prev);
    /* LAB 4: TODO we arrive here from thread_switch with interrupts off, like
     * every thread after a switch: finish the switch for PREV, enable
     * interrupts (every thread body starts with them on: lab 5's timer must
     * be able to preempt it), run the thread's function on its argument, and
     * end the thread (THREAD_END_RETURNED) when the function returns. */
    /* LAB 4: BEGIN SOLUTION full */
    thread_switch_done(prev);
    intr_enable();
    struct thread *self = thread_current();
    self->fn(self->arg);
    thread_exit_with(THREAD_END_RETURNED);
    /* LAB 4: END SOLUTION */
    (void)prev;
    PANIC("step 1 (first run): thread_first_run is not written yet");
}

/* ---- Who runs next, the switch, and the zombie hand-off ---------------- */

void thread_set_policy(const struct sched_policy *policy)
{
    KASSERT(intr_get_level() == INTR_OFF);
    KASSERT(policy != NULL);
    thread_run_policy = policy;
}

void thread_set_idle(struct thread *idle)
{
    KASSERT(idle == NULL || (idle->magic == THREAD_MAGIC && idle->state == THREAD_NEW));
    if (idle != NULL)
        idle->state = THREAD_READY; /* ready whenever needed, never queued */
    thread_idle_thread = idle;
}

unsigned long thread_switch_count(void)
{
    return thread_switches;
}

unsigned long thread_reaped_count(void)
{
    return reaped;
}

struct thread *thread_next_to_run(void)
{
    struct thread *next = NULL;
    KASSERT(intr_get_level() == INTR_OFF);
    /* LAB 4: TODO the thread the policy picks (pick_next); with nobody
     * ready, the idle thread (never in the ready structure). */
    /* LAB 4: BEGIN SOLUTION */
    next = thread_run_policy->pick_next();
    if (next == NULL)
        next = thread_idle_thread;
    /* LAB 4: END SOLUTION */
    if (next == NULL)
        PANIC("step 4 (yield): nobody to run next: thread_next_to_run is not written yet, "
              "or there is no idle thread");
    return next;
}

void thread_set_switch_hook(thread_switch_hook_fn *hook)
{
    if (hook != NULL && thread_switch_hook != NULL && thread_switch_hook != hook)
        PANIC("thread_set_switch_hook: a different switch hook is installed");
    thread_switch_hook = hook;
}

void thread_exit_with(enum thread_end end)
{
    intr_disable();
    struct thread *cur = thread_current();
    KASSERT(cur != &main_thread && cur != thread_idle_thread);
    sched_trace_event(ST_EXIT, (unsigned)cur->id, 0, (unsigned)end);
    if (thread_run_policy->on_yield != NULL)
        thread_run_policy->on_yield(cur);
    /* LAB 4: TODO CUR cannot free the stack it is running on. Log its end
     * (thread_note_end), make it a ZOMBIE and switch to the next thread:
     * that thread frees CUR right after the switch (thread_switch_done).
     * The switch never comes back here. */
    /* LAB 4: BEGIN SOLUTION */
    thread_note_end(cur, end);
    cur->state = THREAD_ZOMBIE;
    thread_switch_to(thread_next_to_run());
    /* LAB 4: END SOLUTION */
    (void)end;
    PANIC("step 5 (exit): thread %d (%s) ended but is still running", cur->id, cur->name);
}

void thread_exit(void)
{
    thread_exit_with(THREAD_END_EXITED);
}

struct thread *thread_boot(void)
{
    return &main_thread;
}

void thread_set_current(struct thread *t)
{
    KASSERT(t != NULL && t->magic == THREAD_MAGIC);
    thread_running = t;
}

int thread_id(const struct thread *t)
{
    return t->id;
}

const char *thread_name(const struct thread *t)
{
    return t->name;
}

void thread_set_name(struct thread *t, const char *name)
{
    enum intr_level old = intr_disable();
    strlcpy(t->name, name, sizeof t->name);
    sched_trace_name((unsigned)t->id, t->name);
    intr_set_level(old);
}

void thread_destroy(struct thread *t)
{
    KASSERT(intr_get_level() == INTR_OFF);
    KASSERT(t->magic == THREAD_MAGIC && t != &main_thread && t != thread_running);
    KASSERT(t->state == THREAD_ZOMBIE || t->state == THREAD_NEW);
    KASSERT(!list_elem_linked(&t->sched_elem));
    t->magic = 0;
    thread_stack_free(t->stack_region);
    kfree(t);
    reaped++;
}
