/* thread_monitor.c: monitor commands threads, spawn, yield, kill. */
#include <stddef.h>

#include "common/format.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/kstring.h"
#include "lab1-boot/monitor.h"
#include "scheduler.h"
#include "thread.h"
#include "thread_demos.h"

#define SNAPSHOT_MAX 64
#define SPAWN_IDS_MAX 16

static struct thread_info snapshot[SNAPSHOT_MAX]; /* monitor only: one command at a time */

static int cmd_threads(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (!scheduler_running()) {
        kprintf("threads: the scheduler is not running\n");
        return 1;
    }
    size_t n = thread_snapshot(snapshot, SNAPSHOT_MAX);
    kprintf("  id name             state    stack used/size  cpu ticks  dispatches\n");
    for (size_t i = 0; i < n; i++) {
        const struct thread_info *t = &snapshot[i];
        kprintf("%4d %-16s %-8s %6lu/%-7lu %10lu  %10lu\n", t->id, t->name,
                thread_state_name(t->state), (unsigned long)t->stack_used,
                (unsigned long)t->stack_size, t->cpu_ticks, t->dispatches);
    }
    kprintf("%lu live threads, %lu created since boot, %lu ready, policy %s\n",
            thread_count(), thread_created_total(), (unsigned long)scheduler_ready_count(),
            scheduler_policy()->name);
    return 0;
}
MONITOR_COMMAND(threads, "", "list threads: state, stack high-water mark, CPU ticks",
                cmd_threads);

static void list_demos(void)
{
    kprintf("demos:\n");
    for (int i = 0; thread_demo_at(i) != NULL; i++) {
        const struct thread_demo *d = thread_demo_at(i);
        kprintf("  %-10s %-14s %s\n", d->name, d->args, d->help);
    }
}

static int cmd_spawn(int argc, char **argv)
{
    int ids[SPAWN_IDS_MAX];
    bool background = argc > 2 && strcmp(argv[argc - 1], "&") == 0;

    if (argc < 2) {
        kprintf("usage: spawn DEMO [ARGS] [&]   (& : do not wait for it)\n");
        list_demos();
        return 1;
    }
    const struct thread_demo *d = thread_demo_find(argv[1]);
    if (d == NULL) {
        kprintf("spawn: no demo '%s'\n", argv[1]);
        list_demos();
        return 1;
    }
    int n = d->start(argc - 1 - background, argv + 1, ids, SPAWN_IDS_MAX);
    if (n == 0) {
        kprintf("spawn: %s started no thread\n", d->name);
        return 1;
    }
    char list[8 * SPAWN_IDS_MAX];
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof list; i++)
        len += (size_t)ksnprintf(list + len, sizeof list - len, " %d", ids[i]);
    kprintf("spawn: %s started %d thread%s:%s\n", d->name, n, n == 1 ? "" : "s", list);
    if (background) {
        kprintf("spawn: running in the background (they run whenever the monitor "
                "yields: 'yield', or preemption in lab 5)\n");
        return 0;
    }
    for (int i = 0; i < n; i++)
        thread_wait(ids[i]);
    for (int i = 0; i < n; i++)
        kprintf("spawn: thread %d %s\n", ids[i], thread_end_name(thread_end_of(ids[i])));
    return 0;
}
MONITOR_COMMAND(spawn, "DEMO [ARGS] [&]", "start a demo's threads and wait for them",
                cmd_spawn);

static int cmd_yield(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
    for (unsigned long i = 0; i < n; i++)
        scheduler_yield();
    return 0;
}
MONITOR_COMMAND(yield, "[N]", "let ready threads run: yield N times", cmd_yield);

static int cmd_kill(int argc, char **argv)
{
    if (argc != 2) {
        kprintf("usage: kill ID\n");
        return 1;
    }
    int id = (int)strtoul(argv[1], NULL, 0);
    struct thread *victim = NULL;
    enum intr_level old = intr_disable(); /* the victim must not end meanwhile */
    for (struct list_elem *e = list_begin(thread_all_list());
         e != list_end(thread_all_list()); e = list_next(e)) {
        struct thread *t = LIST_ENTRY(e, struct thread, all_elem);
        if (t->id == id)
            victim = t;
    }
    bool ok = victim != NULL && scheduler_can_terminate(victim);
    if (ok)
        scheduler_terminate(victim);
    intr_set_level(old);
    if (!ok) {
        kprintf("kill: no thread %d that can be killed (not main, idle, the monitor, "
                "or a thread waiting in a device queue)\n", id);
        return 1;
    }
    kprintf("kill: thread %d terminated\n", id);
    return 0;
}
MONITOR_COMMAND(kill, "ID", "terminate a thread (not main or idle)", cmd_kill);
