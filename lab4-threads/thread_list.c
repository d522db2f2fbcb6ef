/* thread_list.c: the registry of live threads and the log of endings: lookup, counts, snapshots. */
#include <stddef.h>

#include "common/debug.h"
#include "common/intr_level.h"
#include "common/kstring.h"
#include "thread.h"
#include "thread_list.h"
#include "thread_stack.h"

#define END_LOG_SIZE 32

static struct list all_threads;    /* live threads (not zombies); interrupts off */
static bool all_threads_ready;
static unsigned long live_count, created_total; /* interrupts off */

/* The last endings, for thread_end_of(); interrupts off. */
static struct { int id; enum thread_end end; } end_log[END_LOG_SIZE];
static unsigned end_log_next;

static const char *const state_names[] = {"NEW", "READY", "RUNNING", "BLOCKED", "ZOMBIE"};
static const char *const end_names[] = {"alive", "returned", "exited", "terminated",
                                        "stack overflow", "exception"};

void thread_list_add(struct thread *t)
{
    KASSERT(intr_get_level() == INTR_OFF);
    if (!all_threads_ready) {
        list_init(&all_threads);
        all_threads_ready = true;
    }
    list_push_back(&all_threads, &t->all_elem);
    live_count++;
    if (t->id != THREAD_BOOT_ID)
        created_total++;
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
    KASSERT(t->id != THREAD_BOOT_ID);
    t->end = end;
    list_remove(&t->all_elem);
    live_count--;
    end_log[end_log_next % END_LOG_SIZE].id = t->id;
    end_log[end_log_next % END_LOG_SIZE].end = end;
    end_log_next++;
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
