/* rr_demos.c: lab 5's demos for `spin DEMO`: spinners preempted in turn, and the counter race. */
#include <stddef.h>

#include "common/kprintf.h"
#include "common/kstring.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread_demos.h"
#include "rr.h"
#include "rr_race.h"
#include "rr_spin.h"

static struct rr_spin demo_spin;
static struct rr_race demo_race;

static int demo_spin_start(int argc, char **argv, int *ids, int max)
{
    unsigned long n = thread_demo_arg(argc, argv, 1, 3);
    demo_spin = (struct rr_spin){
        .n = (int)(n < 1 ? 1 : n > RR_SPIN_MAX ? RR_SPIN_MAX : n),
        .max_ticks = (uint32_t)thread_demo_arg(argc, argv, 2, 50),
        .verbose = true,
    };
    if (max < demo_spin.n)
        return 0;
    kprintf("spin: %d threads that never yield, %lu ticks of CPU each, quantum %lu ms\n",
            demo_spin.n, (unsigned long)demo_spin.max_ticks, rr_quantum_ms());
    int started = rr_spin_start(&demo_spin);
    for (int k = 0; k < started; k++)
        ids[k] = demo_spin.ids[k];
    return started;
}

/* The race demo's reporter: waits for the racers, then prints the counts. */
static void race_reporter(void *arg)
{
    struct rr_race *r = arg;
    rr_race_wait(r);
    kprintf("race: %lu increments made; with interrupts off: %lu; unprotected: %lu "
            "(%lu lost to preemption between read and write)\n", r->total,
            r->protected_count, r->unprotected_count, r->total - r->unprotected_count);
}

static int demo_race_start(int argc, char **argv, int *ids, int max)
{
    demo_race = (struct rr_race){
        .n = (int)thread_demo_arg(argc, argv, 1, 4),
        .ticks = (uint32_t)thread_demo_arg(argc, argv, 2, 40),
    };
    if (demo_race.n < 1 || demo_race.n > RR_RACE_MAX || max < 1)
        return 0;
    if (rr_race_start(&demo_race) == 0)
        return 0;
    return thread_demo_spawn_one("race-report", race_reporter, &demo_race, ids, max);
}

static const struct thread_demo lab5_demos[] = {
    {"spin", "[N] [TICKS]", "N threads that never yield, preempted in turn (run lines)",
     demo_spin_start},
    {"race", "[N] [TICKS]", "N threads increment counters with and without a critical section",
     demo_race_start},
};

void rr_demos_init(void)
{
    thread_demos_init();
    for (size_t i = 0; i < sizeof lab5_demos / sizeof *lab5_demos; i++)
        thread_demo_register(&lab5_demos[i]);
}
