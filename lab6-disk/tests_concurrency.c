/* tests_concurrency.c: lab 6 tests with many threads: verified concurrent I/O, exactly-once completion, IRQ accounting, no busy-waiting, I/O priority. */
#include <stddef.h>

#include "common/kprintf.h"
#include "common/kstring.h"
#include "disk_layout.h"
#include "disk_pattern.h"
#include "disk_sched.h"
#include "lab1-boot/kernel.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread.h"
#include "tests_disk_util.h"

/* Four disk threads write seeded patterns to 128 blocks while two compute
 * threads run, then four others read them back crosswise. The grader checks
 * data.img afterwards (grade/checks/lab6.py). */
KTEST(disk_concurrent_write_verify)
{
    struct disk_job job;
    TESTS_REQUIRE_DISK();
    tests_mode(DISK_MODE_NONBLOCKING);
    tests_job_init(&job, DISK_JOB_WRITE, 2, 4, DISK_CONC_COUNT / 4, DISK_CONC_FIRST,
                   DISK_STREAM_CONC);
    tests_job_run_ok(&job, "concurrent write");
    kprintf("disk: wrote blocks %u-%u, stream %u, seed %lu\n", DISK_CONC_FIRST,
            DISK_CONC_FIRST + DISK_CONC_COUNT - 1, DISK_STREAM_CONC,
            (unsigned long)job.seed);
    KT_ASSERT(job.compute_iterations > 0);
    job.op = DISK_JOB_READ_VERIFY;
    job.rotate = 1;
    tests_job_run_ok(&job, "concurrent read-back");
    KT_ASSERT(job.compute_iterations > 0);
}

/* Sixteen threads, eight requests each, write then read back: every
 * request is carried out and finished exactly once. */
KTEST(disk_many_threads_exactly_once)
{
    struct disk_job job;
    TESTS_REQUIRE_DISK();
    tests_mode(DISK_MODE_NONBLOCKING);
    struct disk *d = tests_disk();
    struct disk_channel *ch = tests_channel();
    unsigned long sub = ch->queue.submitted, fin = ch->queue.finished;
    unsigned long reads = d->stats.reads, writes = d->stats.writes;
    tests_job_init(&job, DISK_JOB_WRITE, 1, 16, DISK_MANY_COUNT / 16, DISK_MANY_FIRST,
                   DISK_STREAM_MANY);
    tests_job_run_ok(&job, "16 writers");
    job.op = DISK_JOB_READ_VERIFY;
    job.rotate = 5;
    tests_job_run_ok(&job, "16 readers");
    KT_ASSERT_EQ(d->stats.writes - writes, DISK_MANY_COUNT);
    KT_ASSERT_EQ(d->stats.reads - reads, DISK_MANY_COUNT);
    KT_ASSERT_EQ(ch->queue.submitted - sub, 2 * DISK_MANY_COUNT);
    KT_ASSERT_EQ(ch->queue.finished - fin, 2 * DISK_MANY_COUNT);
    KT_ASSERT(disk_queue_idle(&ch->queue));
}

/* IRQ-driven: exactly one interrupt per request, none unexpected. */
KTEST(disk_irq_count_matches_requests)
{
    struct disk_job job;
    TESTS_REQUIRE_DISK();
    tests_mode(DISK_MODE_NONBLOCKING);
    tests_job_init(&job, DISK_JOB_READ_INITIAL, 1, 3, 20, DISK_RO_FIRST + 500, 0);
    tests_job_run_ok(&job, "reads");
    KT_ASSERT_EQ(job.irq_completions, job.requests);
    KT_ASSERT_EQ(job.irqs, job.requests);
    KT_ASSERT_EQ(job.irq_unexpected, 0);
}

/* Waiting can only be seen when the drive takes its time: Bochs emulates
 * seeks (every other request of a `seek` job crosses the disk: milliseconds);
 * QEMU usually answers at once from the host's page cache. Below this
 * average service time the tests about waiting have nothing to judge. */
#define TESTS_SLOW_DISK_US 300u

static bool disk_was_slow(const struct disk_job *job)
{
    uint32_t us = disk_job_service_us(job);
    if (us >= TESTS_SLOW_DISK_US)
        return true;
    kprintf("disk: the drive answered in %lu us on average: too fast for a thread to have "
            "to wait, nothing to judge (Bochs, whose disk seeks, judges it)\n",
            (unsigned long)us);
    return false;
}

/* While disk threads wait for the disk, a compute thread keeps the CPU. */
KTEST(disk_compute_progress_during_io)
{
    struct disk_job job;
    TESTS_REQUIRE_DISK();
    tests_mode(DISK_MODE_NONBLOCKING);
    tests_job_init(&job, DISK_JOB_READ, 1, 2, 40, DISK_RO_FIRST + 600, 0);
    job.seek = true; /* so the disk takes its time, on Bochs at least */
    tests_job_run_ok(&job, "reads with a compute thread");
    KT_ASSERT(job.compute_iterations > 0);
    if (!disk_was_slow(&job))
        return;
    /* Two disk threads that polled would leave it 1/3 of the CPU (round
     * robin); sleeping ones leave it nearly all of it. */
    if (disk_job_cpu_share(&job) < 60)
        KT_FAIL("the compute thread kept only %u%% of the CPU (%lu of %lu ticks) while "
                "the disk threads waited: they should sleep, not poll",
                disk_job_cpu_share(&job), job.compute_ticks, job.elapsed_ticks);
}

/* With one disk thread and nothing else, the CPU goes to the idle thread
 * (which halts until the interrupt) while the thread waits: the thread itself
 * runs only to start its command and to take its data. It never polls or
 * yields in a loop. */
KTEST(disk_idle_halts_while_waiting)
{
    struct disk_job job;
    TESTS_REQUIRE_DISK();
    tests_mode(DISK_MODE_NONBLOCKING);
    tests_job_init(&job, DISK_JOB_READ, 0, 1, 30, DISK_RO_FIRST + 700, 0);
    job.seek = true;
    tests_job_run_ok(&job, "reads, no compute thread");
    if (job.disk_dispatches > 3 * job.requests + 2)
        KT_FAIL("the disk thread was switched to %lu times for %lu requests: "
                "busy-waiting?", job.disk_dispatches, job.requests);
    if (!disk_was_slow(&job))
        return;
    kprintf("disk: %lu ticks, the disk thread ran in %lu of them, the idle thread was "
            "switched to %lu times and halted %lu times\n", job.elapsed_ticks,
            job.disk_cpu_ticks, job.idle_runs, job.idle_halts);
    if (job.idle_runs == 0)
        KT_FAIL("the idle thread never ran while %lu requests waited for the disk: "
                "the disk thread was always ready (busy-waiting?)", job.requests);
    if (job.disk_cpu_ticks * 2 > job.elapsed_ticks + 2)
        KT_FAIL("the disk thread was running in %lu of %lu ticks: it should sleep while "
                "the drive works, not poll", job.disk_cpu_ticks, job.elapsed_ticks);
}

/* Three threads that never yield and one disk thread: when a request
 * finishes, its thread runs at once instead of waiting behind the compute
 * threads' quanta, because a thread the disk wakes runs first (dual queue). */
KTEST(disk_priority_for_io_threads)
{
    struct disk_job job;
    TESTS_REQUIRE_DISK();
    tests_mode(DISK_MODE_NONBLOCKING);
    tests_job_init(&job, DISK_JOB_READ, 3, 1, 30, DISK_RO_FIRST + 800, 0);
    tests_job_run_ok(&job, "one disk thread against three compute threads");
    uint32_t quantum_us = (uint32_t)tests_quantum_ticks() * 1000u;
    uint32_t resume_avg = job.resume_us_total / (uint32_t)job.requests;
    kprintf("disk: a finished request's thread ran again after %lu us on average "
            "(quantum %lu us)\n", (unsigned long)resume_avg, (unsigned long)quantum_us);
    if (resume_avg > quantum_us / 2)
        KT_FAIL("a thread whose request finished waited %lu us on average for the CPU "
                "(limit %lu): it queues behind the compute threads instead of running first",
                (unsigned long)resume_avg, (unsigned long)(quantum_us / 2));
    unsigned long limit = job.requests * tests_quantum_ticks();
    if (job.elapsed_ticks > limit)
        KT_FAIL("%lu sequential requests took %lu ticks (limit %lu)", job.requests,
                job.elapsed_ticks, limit);
    KT_ASSERT(disk_job_cpu_share(&job) >= 50);
}

/* Master and slave share one channel: threads reading the boot disk and
 * threads writing and reading the data disk at the same time, in each mode.
 * Helper threads only touch static data, and are waited for before any
 * assertion can end the test. */
static struct boot_readers {
    int errors, mismatches, done;
} readers;

static void boot_reader_main(void *arg)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    (void)arg;
    for (int round = 0; round < 3; round++)
        for (uint32_t i = 0; i < 16; i++) {
            int err = disk_read(disk_boot(), 8 + i, buf);
            enum intr_level old = intr_disable();
            if (err != DISK_OK)
                readers.errors++;
            else if (memcmp(buf, __kernel_start + i * DISK_BLOCK_SIZE, DISK_BLOCK_SIZE) != 0)
                readers.mismatches++;
            intr_set_level(old);
        }
    enum intr_level old = intr_disable();
    readers.done++;
    intr_set_level(old);
}

static void master_slave_in_mode(enum disk_mode mode)
{
    struct disk_job wr, rd;
    int started = 0;

    tests_mode(mode);
    readers.errors = readers.mismatches = readers.done = 0;
    for (int i = 0; i < 2; i++)
        started += thread_spawn("boot-reader", boot_reader_main, NULL) != NULL;
    tests_job_init(&wr, DISK_JOB_WRITE, 1, 3, 8, DISK_SCRATCH_FIRST + 100 * (uint32_t)mode,
                   DISK_STREAM_SCRATCH);
    disk_job_run(&wr);
    rd = wr;
    rd.op = DISK_JOB_READ_VERIFY;
    rd.rotate = 2;
    disk_job_run(&rd);
    while (readers.done < started)
        scheduler_sleep(1);
    disk_job_print("slave writes beside master reads", &wr);
    disk_job_print("slave read-back beside master reads", &rd);
    KT_ASSERT_EQ(started, 2);
    KT_ASSERT_EQ(readers.errors, 0);
    KT_ASSERT_EQ(readers.mismatches, 0);
    KT_ASSERT_EQ(wr.errors + wr.mismatches + rd.errors + rd.mismatches, 0);
    KT_ASSERT_EQ(wr.requests + rd.requests, 48);
}

KTEST(disk_master_slave_serialised)
{
    TESTS_REQUIRE_DISK();
    KT_ASSERT(disk_boot() != NULL);
    master_slave_in_mode(DISK_MODE_NONBLOCKING);
    master_slave_in_mode(DISK_MODE_SIMPLE);
    master_slave_in_mode(DISK_MODE_BLOCKING);
    tests_mode(DISK_MODE_NONBLOCKING);
}
