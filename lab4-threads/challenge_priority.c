/* challenge_priority.c: lab 4 challenge: the priority policy (highest effective priority first, FIFO among equals), prio_set and prio_spawn. */
#include "common/debug.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/kstring.h"
#include "lab1-boot/cmdline.h"
#include "lab1-boot/monitor.h"
#include "challenge_priority.h"
#include "scheduler.h"

CMDLINE_KEY(sched, "scheduling policy: fifo (default) or priority (lab 4 challenge)");

static struct list ready;  /* READY threads through sched_elem, arrival order; interrupts off */
static size_t n_ready;

int prio_get(const struct thread *t)
{
    enum intr_level old = intr_disable();
    int p = prio_effective(t);
    intr_set_level(old);
    return p;
}

int prio_base(const struct thread *t)
{
    enum intr_level old = intr_disable();
    const struct prio_thread *p = prio_slot_find(t);
    int b = p != NULL ? p->base : PRIO_DEFAULT;
    intr_set_level(old);
    return b;
}

/* ---- The policy ----------------------------------------------------------- */

static void prio_enqueue(struct thread *t)
{
    KASSERT(intr_get_level() == INTR_OFF && t->state == THREAD_READY);
    list_push_back(&ready, &t->sched_elem);
    n_ready++;
}

/* The ready thread that should run next (not removed), or NULL. Interrupts off. */
static struct thread *prio_best(void)
{
    if (list_empty(&ready))
        return NULL;
    /* LAB 4: TODO the ready thread with the highest effective priority; the
     * one that became ready first among equals. */
    /* LAB 4: BEGIN SOLUTION challenge */
    struct thread *best = NULL;
    for (struct list_elem *e = list_begin(&ready); e != list_end(&ready); e = list_next(e)) {
        struct thread *t = LIST_ENTRY(e, struct thread, sched_elem);
        if (best == NULL || prio_effective(t) > prio_effective(best))
            best = t;
    }
    return best;
    /* LAB 4: END SOLUTION */
    return LIST_ENTRY(list_front(&ready), struct thread, sched_elem);
}

static struct thread *prio_pick_next(void)
{
    KASSERT(intr_get_level() == INTR_OFF);
    struct thread *t = prio_best();
    if (t != NULL) {
        list_remove(&t->sched_elem);
        n_ready--;
    }
    return t;
}

static void prio_remove(struct thread *t)
{
    KASSERT(intr_get_level() == INTR_OFF && list_contains(&ready, &t->sched_elem));
    list_remove(&t->sched_elem);
    n_ready--;
}

static size_t prio_ready_count(void)
{
    return n_ready;
}

/* A timer tick found CUR running: preempt it if an interrupt (a sleeper's
 * wake-up) made a thread with a higher priority ready. */
static bool prio_on_tick(struct thread *cur)
{
    /* LAB 4: TODO true if the best ready thread outranks CUR. */
    /* LAB 4: BEGIN SOLUTION challenge */
    struct thread *best = prio_best();
    return best != NULL && prio_effective(best) > prio_effective(cur);
    /* LAB 4: END SOLUTION */
    (void)cur;
    return false;
}

static void prio_activate(void)
{
    list_init(&ready);
    n_ready = 0;
}

const struct sched_policy prio_policy = {
    .name = "priority",
    .enqueue = prio_enqueue,
    .pick_next = prio_pick_next,
    .remove = prio_remove,
    .ready_count = prio_ready_count,
    .on_tick = prio_on_tick,
    .on_yield = NULL,
    .activate = prio_activate,
};

bool prio_active(void)
{
    return scheduler_policy() == &prio_policy;
}

void prio_yield_if_outranked(void)
{
    enum intr_level old = intr_disable();
    /* LAB 4: TODO if the policy is active and the best ready thread
     * outranks the running one, yield to it. */
    /* LAB 4: BEGIN SOLUTION challenge */
    struct thread *best = prio_active() ? prio_best() : NULL;
    if (best != NULL && prio_effective(best) > prio_effective(thread_current()))
        scheduler_yield();
    /* LAB 4: END SOLUTION */
    intr_set_level(old);
}

void prio_set(int p)
{
    enum intr_level old = intr_disable();
    struct prio_thread *me = prio_slot(thread_current());
    me->base = prio_clamp(p);
    prio_refresh(me);
    intr_set_level(old);
    prio_yield_if_outranked();
}

int prio_spawn(const char *name, int p, thread_fn *fn, void *arg)
{
    struct thread *t = thread_create_named(name, fn, arg, 0);
    if (t == NULL) {
        kprintf("prio_spawn: cannot create thread %s\n", name);
        return -1;
    }
    int id = thread_id(t);
    enum intr_level old = intr_disable();
    struct prio_thread *s = prio_slot(t);
    s->base = s->effective = prio_clamp(p);
    scheduler_add(t);
    intr_set_level(old);
    prio_yield_if_outranked(); /* T may have run and ended: only ID is used after */
    return id;
}

void challenge_priority_select(void)
{
    const char *want = cmdline_get("sched");
    if (want == NULL || strcmp(want, "fifo") == 0)
        return;
    if (strcmp(want, "priority") != 0) {
        kprintf("sched=%s: unknown policy (fifo, priority): keeping %s\n", want,
                scheduler_policy()->name);
        return;
    }
    scheduler_set_policy(&prio_policy);
    kprintf("lab4: challenge policy %s installed\n", prio_policy.name);
}

/* Monitor: `prio` lists the live threads' priorities; `prio P` sets the
 * monitor's own base priority. */
static int cmd_prio(int argc, char **argv)
{
    if (argc > 2) {
        kprintf("usage: prio [P]\n");
        return 1;
    }
    if (argc == 2) {
        unsigned long p;
        const char *why;
        if (!cmdline_parse_number(argv[1], PRIO_MIN, PRIO_MAX, &p, &why)) {
            kprintf("prio: %s: %s (%d..%d)\n", argv[1], why, PRIO_MIN, PRIO_MAX);
            return 1;
        }
        prio_set((int)p);
    }
    kprintf("policy %s\n  id name             state    base  effective\n",
            scheduler_policy()->name);
    enum intr_level old = intr_disable();
    struct list *all = thread_all_list();
    for (struct list_elem *e = list_begin(all); e != list_end(all); e = list_next(e)) {
        struct thread *t = LIST_ENTRY(e, struct thread, all_elem);
        const struct prio_thread *p = prio_slot_find(t);
        if (t == scheduler_idle_thread())
            kprintf("%4d %-16s %-8s    -     -  (runs when nothing is ready)\n", t->id,
                    t->name, thread_state_name(t->state));
        else
            kprintf("%4d %-16s %-8s %4d  %4d%s\n", t->id, t->name,
                    thread_state_name(t->state), p ? p->base : PRIO_DEFAULT,
                    p ? p->effective : PRIO_DEFAULT, p && p->waiting ? "  (waits for a lock)" : "");
    }
    intr_set_level(old);
    return 0;
}
MONITOR_COMMAND(prio, "[P]", "thread priorities (lab 4 challenge); P: set the monitor's own",
                cmd_prio);
