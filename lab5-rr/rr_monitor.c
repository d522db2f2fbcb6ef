/* rr_monitor.c: monitor commands quantum and sched (counters, the ready queue, CPU shares). */
#include <stddef.h>

#include "common/kprintf.h"
#include "common/kstring.h"
#include "lab1-boot/monitor.h"
#include "lab4-threads/scheduler.h"
#include "rr.h"
#include "rr_queue.h"

#define SNAPSHOT_MAX 64

static struct thread_info snapshot[SNAPSHOT_MAX]; /* monitor only */
static int queue_ids[SNAPSHOT_MAX];

static int cmd_quantum(int argc, char **argv)
{
    if (argc > 2) {
        kprintf("usage: quantum [MS]\n");
        return 1;
    }
    if (argc == 2) {
        char *end;
        unsigned long ms = strtoul(argv[1], &end, 0);
        if (*argv[1] == '\0' || *end != '\0' || !rr_set_quantum_ms(ms)) {
            kprintf("quantum: '%s' is not a number of milliseconds in 1..10000\n", argv[1]);
            return 1;
        }
    }
    uint32_t seed;
    kprintf("quantum: %lu ms = %lu ticks", rr_quantum_ms(), (unsigned long)rr_quantum_ticks());
    if (rr_seed(&seed))
        kprintf(", plus 0..%lu ticks of jitter (seed=%lu)", (unsigned long)rr_jitter_ticks(),
                (unsigned long)seed);
    kprintf("; policy %s\n", scheduler_policy()->name);
    return 0;
}
MONITOR_COMMAND(quantum, "[MS]", "show or set the round-robin time slice", cmd_quantum);

static int cmd_sched(int argc, char **argv)
{
    (void)argc, (void)argv;
    const struct scheduler_stats *s = scheduler_stats();
    kprintf("policy %s, quantum %lu ms, %lu ready\n", scheduler_policy()->name,
            rr_quantum_ms(), (unsigned long)scheduler_ready_count());
    kprintf("ticks %lu (idle %lu), switches %lu, yields %lu, preemptions %lu, "
            "quantum expiries %lu, wakeups %lu, zombies freed %lu\n", s->ticks,
            s->idle_ticks, s->switches, s->yields, s->preemptions, rr_expiries(),
            s->wakeups, s->reaped);
    const struct rr_stats *r = rr_stats();
    kprintf("round robin: %lu ticks counted, %lu expiries = %lu preemptions + %lu renewals, "
            "%lu yields, %lu late EOIs\n", r->ticks, r->expiries, r->preemptions, r->renewals,
            r->yields, r->late_eois);
    if (s->preempt_eoi_pending)
        kprintf("WARNING: %lu preemptions happened before the timer's EOI\n",
                s->preempt_eoi_pending);
    if (!scheduler_check_eoi(true))
        kprintf("(from now on every preemption checks that the timer's EOI went out)\n");
    if (rr_not_installed() != NULL)
        kprintf("round robin is not installed: %s\n", rr_not_installed());
    size_t queued = rr_queue_snapshot(queue_ids, SNAPSHOT_MAX);
    kprintf("ready queue (head first):");
    for (size_t i = 0; i < queued; i++)
        kprintf(" %d", queue_ids[i]);
    kprintf("%s\n", queued == 0 ? " empty" : "");
    size_t n = thread_snapshot(snapshot, SNAPSHOT_MAX);
    kprintf("  id name             state    cpu ticks  share  dispatches\n");
    for (size_t i = 0; i < n; i++) {
        unsigned long share = s->ticks ? snapshot[i].cpu_ticks * 100 / s->ticks : 0;
        kprintf("%4d %-16s %-8s %9lu  %4lu%%  %10lu\n", snapshot[i].id, snapshot[i].name,
                thread_state_name(snapshot[i].state), snapshot[i].cpu_ticks, share,
                snapshot[i].dispatches);
    }
    return 0;
}
MONITOR_COMMAND(sched, "", "scheduler counters and per-thread CPU ticks", cmd_sched);
