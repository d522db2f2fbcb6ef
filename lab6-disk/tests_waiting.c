/* tests_waiting.c: lab 6 tests of how a thread waits for the disk (sleeps, idle halts, compute runs, the woken thread runs first), judged by events, never by durations. */
#include <stddef.h>

#include "common/kprintf.h"
#include "disk_layout.h"
#include "disk_sched.h"
#include "disk_trace.h"
#include "lab1-boot/pit.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread.h"
#include "tests_disk_util.h"

/*
 * How fast the emulated drive answers depends on the host (QEMU often
 * answers before the thread has even gone to sleep; a busy host makes it
 * slow), so these tests do not wait for the drive to be slow: they hold each
 * request's IRQ14 back at the PIC (job.hold_irq, disk_trace.h) until the
 * waiting thread has been seen asleep in the disk queue on two turns of a
 * holder thread that sleeps a tick in between, or for DISK_HOLD_PATIENCE
 * turns if it never sleeps. Every request is then outstanding for as long as
 * the test needs, on every emulator and under any load, and the verdicts
 * count events: status-register reads, hlt, who was switched to.
 */

/* Status-register reads one IRQ-driven request needs: the 400 ns delays
 * after select and after a write command (4 each), one "ready?" poll, one
 * "DRQ?" poll for a write, one read in the bottom half, and a few spare for
 * a drive that is busy for a moment. A driver that polls while it waits
 * reads it thousands of times. */
#define TESTS_STATUS_READS_MAX 16ul

/* Fail unless every IRQ-driven request of JOB read the status register at
 * most TESTS_STATUS_READS_MAX times and had its waiter asleep in the disk
 * queue when the (held) interrupt came. */
static void tests_check_slept(const struct disk_job *job)
{
    if (job->status_reads_max > TESTS_STATUS_READS_MAX)
        KT_FAIL("the status register was read %lu times during one IRQ-driven request "
                "(block %lu): the driver polls instead of sleeping (expected <= %lu)",
                job->status_reads_max, (unsigned long)job->status_reads_max_block,
                TESTS_STATUS_READS_MAX);
    if (job->held_never_slept > 0 || job->slept < job->irq_requests)
        KT_FAIL("the waiting thread was not asleep in the disk queue when the interrupt "
                "came, for %lu of %lu requests (the first one's interrupt was held back for "
                "%d turns of another thread and it never slept): it polls or yields in a "
                "loop instead of sleeping until the interrupt wakes it",
                job->irq_requests - job->slept, job->irq_requests, DISK_HOLD_PATIENCE);
    KT_ASSERT_EQ(job->irq_requests, job->requests);
    KT_ASSERT_EQ(job->held, job->requests);
    if (job->wakeups < job->slept)
        KT_FAIL("%lu requests finished while their waiter slept, but the channel counted "
                "%lu wake-ups (stats.wakeups): every thread the disk layer wakes is counted, "
                "or the interrupt-triggered yield cannot be checked", job->slept,
                job->wakeups);
    if (job->wakeups > 2 * job->requests)
        KT_FAIL(TESTS_STEP_TEXT_QUEUE ": %lu requests, but the channel counted %lu wake-ups "
                "(stats.wakeups): a finished request wakes at most two threads (the next "
                "request's and its own), each counted once", job->requests, job->wakeups);
}

static void tests_print_events(const struct disk_job *job)
{
    kprintf("disk: %lu IRQ-driven requests held back: waiter asleep in %lu, idle halted "
            "during %lu, a compute thread ran during %lu, at most %lu status reads per "
            "request, at most %lu other threads before a woken waiter, %lu interrupts "
            "that woke without yielding\n", job->irq_requests, job->slept, job->halted,
            job->held_compute_ran, job->status_reads_max, job->others_first_max,
            job->irq_woke_no_yield);
}

/* With one disk thread and nothing else, the CPU goes to the idle thread
 * (which halts until the interrupt) while the thread waits: the thread runs
 * only to start its command and to take its data. It never polls or yields
 * in a loop. */
KTEST(disk_idle_halts_while_waiting)
{
    struct disk_job job;
    TESTS_REQUIRE_DISK();
    tests_mode(DISK_MODE_NONBLOCKING);
    tests_job_init(&job, DISK_JOB_READ, 0, 1, 16, DISK_RO_FIRST + 700, 0);
    job.seek = true;
    job.hold_irq = true;
    tests_job_run_ok(&job, "reads, no compute thread");
    tests_print_events(&job);
    tests_check_slept(&job);
    if (job.halted < job.irq_requests)
        KT_FAIL("the idle thread executed no hlt while %lu of %lu requests were outstanding: "
                "the disk thread stayed ready (busy-waiting) instead of sleeping",
                job.irq_requests - job.halted, job.irq_requests);
    if (job.disk_dispatches > 3 * job.requests + 2)
        KT_FAIL("the disk thread was switched to %lu times for %lu requests (expected <= "
                "%lu): it yields in a loop instead of sleeping", job.disk_dispatches,
                job.requests, 3 * job.requests + 2);
}

/* While disk threads wait for the disk, the compute thread runs: every
 * request is outstanding while the compute thread is switched to, and the
 * disk threads sleep meanwhile (they are switched to about once per request,
 * to take their data). */
KTEST(disk_compute_progress_during_io)
{
    struct disk_job job;
    TESTS_REQUIRE_DISK();
    tests_mode(DISK_MODE_NONBLOCKING);
    tests_job_init(&job, DISK_JOB_READ, 1, 2, 10, DISK_RO_FIRST + 600, 0);
    job.seek = true;
    job.hold_irq = true;
    tests_job_run_ok(&job, "reads with a compute thread");
    tests_print_events(&job);
    KT_ASSERT(job.compute_iterations > 0);
    tests_check_slept(&job);
    if (job.held_compute_ran < job.held)
        KT_FAIL("the compute thread was not switched to while %lu of %lu requests were "
                "outstanding: waiting for the disk must leave the CPU to the others",
                job.held - job.held_compute_ran, job.held);
    if (job.disk_dispatches > 3 * job.requests + 2)
        KT_FAIL("the disk threads were switched to %lu times for %lu requests (expected <= "
                "%lu): they take turns with the compute thread instead of sleeping",
                job.disk_dispatches, job.requests, 3 * job.requests + 2);
}

static volatile bool spin_stop, spin_done;

/* A compute thread that also lets the held IRQ14 through once the request
 * that owns the channel has its waiter asleep (so the disk must wake it). */
static void spin_main(void *arg)
{
    struct disk_channel *ch = arg;
    while (!spin_stop) {
        enum intr_level old = disk_channel_lock(ch);
        struct disk_request *r = disk_channel_active(ch);
        bool asleep = r != NULL && r->issued && r->sleeping;
        disk_channel_unlock(ch, old);
        if (asleep && disk_hold_pending(ch))
            disk_hold_release(ch);
    }
    spin_done = true;
}

/* The I/O priority is one-shot: this thread reads a block (its interrupt
 * held until it sleeps, so the disk wakes it: one dispatch from the I/O
 * queue), then computes for three quanta beside a compute thread; each
 * time round robin preempts it, it must rejoin the ready queue like
 * anyone, not the I/O queue (it would then run before every CPU-bound
 * thread). */
static void priority_is_one_shot(void)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    struct disk_channel *ch = tests_channel();
    const struct disk_sched_stats *s = disk_sched_stats();
    spin_stop = spin_done = false;
    disk_hold_begin(ch);
    if (thread_spawn("spin", spin_main, ch) == NULL) {
        disk_hold_end(ch);
        KT_FAIL("cannot create a thread");
    }
    enum intr_level old = intr_disable();
    unsigned long wakeups = s->io_wakeups, io = s->io_dispatches;
    intr_set_level(old);
    int err = disk_read(tests_disk(), DISK_RO_FIRST + 5, buf);
    disk_hold_end(ch);
    KT_ASSERT_EQ(err, DISK_OK);
    unsigned long t0 = timer_ticks();
    while (timer_ticks() - t0 < 3 * tests_quantum_ticks() + 1)
        ; /* compute: round robin preempts this thread at each quantum's end */
    old = intr_disable();
    wakeups = s->io_wakeups - wakeups;
    io = s->io_dispatches - io;
    intr_set_level(old);
    spin_stop = true;
    while (!spin_done)
        scheduler_sleep(1);
    KT_ASSERT(wakeups >= 1); /* the read slept: the disk woke this thread */
    if (io > wakeups)
        KT_FAIL("a thread the disk woke %lu time(s) was dispatched from the I/O queue %lu "
                "times while it computed for three quanta: the boost is one-shot (clear "
                "DISK_PD_BOOST when the thread is queued), or a disk-woken thread that then "
                "computes runs before every CPU-bound thread", wakeups, io);
}

/* Three threads that never yield and one disk thread: when a request
 * finishes, the interrupt-triggered yield runs its thread
 * at once, before the compute threads, because a thread the disk wakes runs
 * first (dual queue). */
KTEST(disk_priority_for_io_threads)
{
    struct disk_job job;
    TESTS_REQUIRE_DISK();
    tests_mode(DISK_MODE_NONBLOCKING);
    tests_job_init(&job, DISK_JOB_READ, 3, 1, 10, DISK_RO_FIRST + 800, 0);
    job.hold_irq = true;
    tests_job_run_ok(&job, "one disk thread against three compute threads");
    tests_print_events(&job);
    tests_check_slept(&job);
    if (job.irq_woke_no_yield > 0)
        KT_FAIL("%lu interrupts woke the waiting thread and returned to the interrupted "
                "thread: the bottom half must end with the interrupt-triggered yield "
                "(disk_sched_preempt)", job.irq_woke_no_yield);
    tests_step(TESTS_STEP_IO_FIRST); /* what follows is the I/O queue's */
    KT_ASSERT_EQ(job.resumed, job.requests);
    if (job.others_first_max > 0)
        KT_FAIL("after a request finished, %lu other thread(s) ran before the thread that "
                "waited for it: a thread the disk wakes must run first (the I/O queue of "
                "disk_policy_pick_next)", job.others_first_max);
    KT_ASSERT(job.io_dispatches >= job.requests);
    priority_is_one_shot();
}
