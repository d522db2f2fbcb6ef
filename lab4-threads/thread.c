/* thread.c: thread control blocks: creation with a first stack frame, main's adoption, lookup, freeing. */
#include <stddef.h>

#include "common/debug.h"
#include "common/format.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/kstring.h"
#include "common/sched_trace.h"
#include "lab3-paging/kmalloc.h"
#include "lab3-paging/page_table.h"
#include "scheduler.h"
#include "thread.h"
#include "thread_stack.h"

_Static_assert(offsetof(struct thread, saved_esp) == 0, "switch.asm: THREAD_SAVED_ESP");
_Static_assert(offsetof(struct thread, stack_top) == 4, "switch.asm: THREAD_STACK_TOP");

#define BOOT_STACK_SIZE 16384u /* lab1-boot/entry.asm: BOOT_STACK_SIZE */
#define END_LOG_SIZE 32

extern char boot_stack_bottom[]; /* lab1-boot/entry.asm */

/* switch.asm: where a new thread's first thread_switch "returns" to. */
extern void thread_start(void);

struct thread *thread_running;     /* the running thread; scheduler, interrupts off */
static struct thread main_thread;  /* thread 0: the boot context, never freed */
static struct list all_threads;    /* live threads (not zombies); interrupts off */
static int next_id = 1;            /* main is 0 */
static unsigned long live_count, created_total; /* interrupts off */

/* The last endings, for thread_end_of(); interrupts off. */
static struct { int id; enum thread_end end; } end_log[END_LOG_SIZE];
static unsigned end_log_next;

static const char *const state_names[] = {"NEW", "READY", "RUNNING", "BLOCKED", "ZOMBIE"};
static const char *const end_names[] = {"alive", "returned", "exited", "terminated",
                                        "stack overflow", "exception"};

bool thread_init(void)
{
    static bool done;
    if (done)
        return thread_stack_ready();
    done = true;
    list_init(&all_threads);
    main_thread.magic = THREAD_MAGIC;
    main_thread.id = THREAD_BOOT_ID;
    strlcpy(main_thread.name, "main", sizeof main_thread.name);
    sched_trace_name(THREAD_BOOT_ID, main_thread.name);
    main_thread.state = THREAD_RUNNING;
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
    list_push_back(&all_threads, &main_thread.all_elem);
    live_count = 1;
    thread_running = &main_thread;
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
    list_elem_init(&t->sched_elem);
    if (!thread_build_first_frame(t)) {
        kprintf("thread_create: lab 4: the first stack frame is not built yet\n");
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
    list_push_back(&all_threads, &t->all_elem);
    live_count++;
    created_total++;
    intr_set_level(old);
    return t;
}

struct thread *thread_create(thread_fn *fn, void *arg, size_t stack_size)
{
    return thread_create_named(NULL, fn, arg, stack_size);
}

struct thread *thread_spawn(const char *name, thread_fn *fn, void *arg)
{
    struct thread *t = thread_create_named(name, fn, arg, 0);
    if (t != NULL)
        scheduler_add(t);
    return t;
}

void thread_first_run(struct thread *prev)
{
    /* We arrive here from thread_switch with interrupts off, like every
     * thread returning from a switch; do what they do after it. */
    scheduler_switch_done(prev);
    /* Defined state: every thread body starts with interrupts ON, whatever
     * the level of the thread that switched to it (lab 5's timer must be
     * able to preempt it). */
    intr_enable();
    struct thread *self = thread_current();
    self->fn(self->arg);
    scheduler_exit_current(THREAD_END_RETURNED);
}

void thread_exit(void)
{
    scheduler_exit_current(THREAD_END_EXITED);
}

void thread_dispatch_to(struct thread *t)
{
    scheduler_dispatch_to(t);
}

struct thread *thread_current(void)
{
    return thread_running != NULL ? thread_running : &main_thread;
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

const char *thread_state_name(enum thread_state s)
{
    return (unsigned)s < sizeof state_names / sizeof *state_names ? state_names[s] : "?";
}

const char *thread_end_name(enum thread_end e)
{
    return (unsigned)e < sizeof end_names / sizeof *end_names ? end_names[e] : "?";
}

struct list *thread_all_list(void)
{
    return &all_threads;
}

void thread_note_end(struct thread *t, enum thread_end end)
{
    KASSERT(intr_get_level() == INTR_OFF);
    KASSERT(t != &main_thread);
    t->end = end;
    list_remove(&t->all_elem);
    live_count--;
    end_log[end_log_next % END_LOG_SIZE].id = t->id;
    end_log[end_log_next % END_LOG_SIZE].end = end;
    end_log_next++;
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
}

bool thread_alive(int id)
{
    bool found = false;
    enum intr_level old = intr_disable();
    for (struct list_elem *e = list_begin(&all_threads); e != list_end(&all_threads);
         e = list_next(e))
        if (LIST_ENTRY(e, struct thread, all_elem)->id == id) {
            found = true;
            break;
        }
    intr_set_level(old);
    return found;
}

void thread_wait(int id)
{
    KASSERT(id != thread_current()->id);
    while (thread_alive(id))
        scheduler_yield();
}

enum thread_end thread_end_of(int id)
{
    enum thread_end end = THREAD_END_NONE;
    enum intr_level old = intr_disable();
    for (unsigned i = 0; i < END_LOG_SIZE && i < end_log_next; i++) {
        unsigned k = (end_log_next - 1 - i) % END_LOG_SIZE;
        if (end_log[k].id == id) {
            end = end_log[k].end;
            break;
        }
    }
    intr_set_level(old);
    return end;
}

unsigned long thread_count(void)
{
    return live_count;
}

unsigned long thread_created_total(void)
{
    return created_total;
}

size_t thread_stack_used(const struct thread *t)
{
    return thread_stack_high_water(t->stack_base, t->stack_top);
}

size_t thread_snapshot(struct thread_info *out, size_t max)
{
    size_t n = 0;
    enum intr_level old = intr_disable();
    for (struct list_elem *e = list_begin(&all_threads);
         e != list_end(&all_threads) && n < max; e = list_next(e), n++) {
        const struct thread *t = LIST_ENTRY(e, struct thread, all_elem);
        out[n].id = t->id;
        strlcpy(out[n].name, t->name, sizeof out[n].name);
        out[n].state = t->state;
        out[n].stack_size = t->stack_top - t->stack_base;
        out[n].stack_used = thread_stack_used(t);
        out[n].cpu_ticks = t->cpu_ticks;
        out[n].dispatches = t->dispatches;
    }
    intr_set_level(old);
    return n;
}
