/* tests_concurrency.c: lab 6 tests with many threads: verified concurrent I/O, exactly-once completion, IRQ accounting, master and slave on one channel. */
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
 * data.img afterwards (lab6-disk/checks.py). */
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
