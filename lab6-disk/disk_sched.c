/* disk_sched.c: installing the dual-queue policy, waking disk waiters with I/O priority, the interrupt-triggered yield. */
#include <stddef.h>

#include "common/debug.h"
#include "common/intr_level.h"
#include "disk_sched.h"
#include "lab1-boot/intr.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread.h"

static bool installed;

void disk_sched_install(void)
{
    if (installed)
        return;
    const struct sched_policy *base = scheduler_policy();
    KASSERT(base != &disk_policy);
    disk_policy_set_base(base);
    scheduler_set_policy(&disk_policy);
    installed = true;
}

bool disk_sched_installed(void)
{
    return installed;
}

void disk_sched_wake(struct thread *t)
{
    KASSERT(intr_get_level() == INTR_OFF);
    KASSERT(t != NULL && t->state == THREAD_BLOCKED);
    if (installed)
        disk_policy_boost(t);
    scheduler_resume(t);
}

void disk_sched_preempt(void)
{
    KASSERT(intr_get_level() == INTR_OFF && intr_in_irq());
    /* The running thread goes back to the ready queue (the idle thread is
     * never queued); the disk-woken thread is picked first. */
    scheduler_yield();
}

const struct disk_sched_stats *disk_sched_stats(void)
{
    return disk_policy_stats();
}
