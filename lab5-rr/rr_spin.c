/* rr_spin.c: CPU-bound spinner threads that never yield: preemption evidence for demos and tests. */
#include <stddef.h>

#include "common/format.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "lab1-boot/pit.h"
#include "lab4-threads/scheduler.h"
#include "rr_spin.h"

struct spin_arg {
    struct rr_spin *s;
    int k;
};
static struct spin_arg spin_args[RR_SPIN_MAX]; /* one spinner set at a time */

static void spin_body(void *p)
{
    struct spin_arg *a = p;
    struct rr_spin *s = a->s;
    int k = a->k;
    struct thread *me = thread_current();

    while (!s->stop && (s->max_ticks == 0 || thread_cpu_ticks(me) < s->max_ticks)) {
        s->count[k]++;
        if (s->last == k)
            continue;
        enum intr_level old = intr_disable(); /* the check and the line, in run order */
        if (s->stop) { /* no run lines once stop is set: the order stays clean */
            intr_set_level(old);
            break;
        }
        if (s->last != k) {
            s->last = k;
            s->runs[k]++;
            if (s->logged < RR_SPIN_LOG) {
                s->run_tick[s->logged] = timer_ticks();
                s->run_who[s->logged] = k;
                s->run_switch[s->logged] = scheduler_stats()->switches;
                s->logged++;
            }
            if (s->verbose)
                kprintf("spin %d: run %lu at tick %lu\n", k, s->runs[k],
                        (unsigned long)timer_ticks());
        }
        intr_set_level(old);
    }
    s->cpu[k] = thread_cpu_ticks(me);
}

int rr_spin_start(struct rr_spin *s)
{
    struct thread *ts[RR_SPIN_MAX];
    int started = 0;

    s->stop = false;
    s->last = -1;
    s->logged = 0;
    for (int k = 0; k < s->n && k < RR_SPIN_MAX; k++) {
        char name[THREAD_NAME_MAX];
        s->count[k] = s->runs[k] = s->cpu[k] = 0;
        spin_args[k] = (struct spin_arg){s, k};
        ksnprintf(name, sizeof name, "spin%d", k);
        ts[k] = thread_create_named(name, spin_body, &spin_args[k], 0);
        if (ts[k] == NULL)
            break;
        s->ids[k] = thread_id(ts[k]);
        started++;
    }
    s->n = started;
    for (int k = 0; k < started; k++)
        scheduler_add(ts[k]);
    return started;
}

void rr_spin_stop(struct rr_spin *s)
{
    s->stop = true; /* one store: the spinners see it before their next run line */
    for (int k = 0; k < s->n; k++)
        thread_wait(s->ids[k]);
}

unsigned long rr_spin_min_runs(const struct rr_spin *s)
{
    unsigned long m = (unsigned long)-1;
    for (int k = 0; k < s->n; k++)
        if (s->runs[k] < m)
            m = s->runs[k];
    return m;
}
