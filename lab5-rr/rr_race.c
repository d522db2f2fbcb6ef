/* rr_race.c: threads racing on a shared counter, with and without an interrupt-disabled critical section. */
#include "common/intr_level.h"
#include "lab4-threads/scheduler.h"
#include "rr_race.h"

#define DAWDLE 20 /* loop iterations between read and write: widens the window */

static void dawdle(void)
{
    for (volatile int i = 0; i < DAWDLE; i++)
        ;
}

static void race_body(void *p)
{
    struct rr_race *r = p;
    struct thread *me = thread_current();
    unsigned long mine = 0;

    while (thread_cpu_ticks(me) < r->ticks) {
        unsigned long u = r->unprotected_count; /* the timer may strike here... */
        dawdle();
        r->unprotected_count = u + 1;           /* ...and this overwrites others' work */

        /* LAB 5: TODO step 7: the same read-dawdle-write on
         * r->protected_count, as a nesting-safe critical section: no
         * preemption between the read and the write. */
        /* LAB 5: BEGIN SOLUTION */
        enum intr_level old = intr_disable();
        unsigned long v = r->protected_count;
        dawdle();
        r->protected_count = v + 1;
        intr_set_level(old);
        /* LAB 5: END SOLUTION */
        mine++;
    }
    enum intr_level old = intr_disable(); /* the other racers add theirs too */
    r->total += mine;
    intr_set_level(old);
}

int rr_race_start(struct rr_race *r)
{
    struct thread *ts[RR_RACE_MAX];
    int started = 0;

    r->protected_count = r->unprotected_count = r->total = 0;
    for (int k = 0; k < r->n && k < RR_RACE_MAX; k++) {
        ts[k] = thread_create_named("racer", race_body, r, 0);
        if (ts[k] == NULL)
            break;
        r->ids[k] = thread_id(ts[k]);
        started++;
    }
    r->n = started;
    for (int k = 0; k < started; k++)
        scheduler_add(ts[k]);
    return started;
}

void rr_race_wait(struct rr_race *r)
{
    for (int k = 0; k < r->n; k++)
        thread_wait(r->ids[k]);
}
