/* bench_disk.c: lab 6 benchmarks: read throughput and the CPU share a compute thread keeps during disk I/O, per disk mode (KMETRIC lines). */
#include <stddef.h>

#include "common/kstring.h"
#include "common/format.h"
#include "common/x86.h"
#include "disk_layout.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread.h"
#include "tests_disk_util.h"
#include "tests_scan.h"

#define BENCH_BLOCKS 256         /* sequential reads per measurement */
#define BENCH_BASELINE_TICKS 50  /* compute thread alone, to know its full speed */

static volatile bool bench_stop;
static volatile unsigned long bench_iters;
static volatile int bench_compute_done;

static void bench_compute(void *arg)
{
    (void)arg;
    while (!bench_stop)
        bench_iters++;
    bench_compute_done = 1;
}

/* 64-bit values scaled down together until both fit in 24 bits (no 64-bit
 * division in the kernel), then NUM * SCALE / DEN. */
static unsigned long ratio(uint64_t num, uint64_t den, unsigned long scale)
{
    while (num >= (1ull << 24) || den >= (1ull << 24)) {
        num >>= 1;
        den >>= 1;
    }
    return den == 0 ? 0 : (unsigned long)((uint32_t)num * scale / (uint32_t)den);
}

/* One disk thread reads BENCH_BLOCKS blocks: sequential ones (SEEK false)
 * or every other one at the far end of the disk (Bochs then emulates a
 * seek of a few milliseconds per request, as a real disk would take). */
static void bench_read_job(struct disk_job *job, bool seek)
{
    tests_job_init(job, DISK_JOB_READ, 0, 1, BENCH_BLOCKS, DISK_RO_FIRST, 0);
    job->seek = seek;
    tests_job_run_ok(job, seek ? "bench reads with seeks" : "bench sequential reads");
}

static void bench_metric(const char *what, enum disk_mode mode, unsigned long value,
                         const char *unit)
{
    char name[64];
    ksnprintf(name, sizeof name, "%s_%s", what, disk_mode_name(mode));
    ktest_metric(name, value, unit);
}

/* Read throughput alone, then the compute thread's speed while the same
 * reads run, relative to its speed alone. */
static void bench_mode(enum disk_mode mode)
{
    struct disk_job job;

    TESTS_REQUIRE_DISK();
    tests_mode(mode);
    /* Throughput: instructions (Bochs) per block, nothing else running. */
    uint64_t t0 = rdtsc();
    bench_read_job(&job, false);
    uint64_t t1 = rdtsc();
    bench_metric("disk_read_block_sequential", mode, ratio(t1 - t0, BENCH_BLOCKS, 1), "insns");
    t0 = rdtsc();
    bench_read_job(&job, true);
    t1 = rdtsc();
    bench_metric("disk_read_block_seeking", mode, ratio(t1 - t0, BENCH_BLOCKS, 1), "insns");

    /* The compute thread alone. */
    bench_stop = false;
    bench_iters = 0;
    bench_compute_done = 0;
    KT_ASSERT(thread_spawn("bench-compute", bench_compute, NULL) != NULL);
    scheduler_sleep(2); /* it runs */
    unsigned long i0 = bench_iters;
    t0 = rdtsc();
    scheduler_sleep(BENCH_BASELINE_TICKS);
    unsigned long i1 = bench_iters;
    t1 = rdtsc();
    uint64_t base_iters = i1 - i0, base_time = t1 - t0;

    /* The seeking reads beside it: the long disk job. */
    i0 = bench_iters;
    t0 = rdtsc();
    bench_read_job(&job, true);
    i1 = bench_iters;
    t1 = rdtsc();
    bench_stop = true;
    while (!bench_compute_done)
        scheduler_sleep(1);
    uint64_t job_iters = i1 - i0, job_time = t1 - t0;
    bench_metric("disk_read_block_seeking_beside_compute", mode,
                 ratio(job_time, BENCH_BLOCKS, 1), "insns");
    /* share = (job_iters / job_time) / (base_iters / base_time), in percent */
    bench_metric("disk_cpu_share", mode, ratio(job_iters * base_time, base_iters * job_time, 100),
                 "percent");
    tests_mode(DISK_MODE_NONBLOCKING);
}

KBENCH(bench_disk_simple)
{
    bench_mode(DISK_MODE_SIMPLE);
}

KBENCH(bench_disk_blocking)
{
    bench_mode(DISK_MODE_BLOCKING);
}

KBENCH(bench_disk_nonblocking)
{
    bench_mode(DISK_MODE_NONBLOCKING);
}

/* The elevator challenge: the same concurrent scattered reads under FIFO and
 * SCAN, at the drive's pace (no interrupt hold): head movement (blocks) and
 * instructions per read (Bochs charges a seek by its distance). */
KBENCH(bench_disk_scan)
{
    struct disk_job job;
    for (int o = 0; o < DISK_ORDER_COUNT; o++) {
        char name[64];
        uint64_t t0 = rdtsc();
        scan_movement_job(&job, (enum disk_order)o, false);
        uint64_t t1 = rdtsc();
        ksnprintf(name, sizeof name, "disk_head_movement_%s", disk_order_name((enum disk_order)o));
        ktest_metric(name, job.head_movement, "blocks");
        ksnprintf(name, sizeof name, "disk_read_block_scattered_%s",
                  disk_order_name((enum disk_order)o));
        ktest_metric(name, ratio(t1 - t0, job.requests, 1), "insns");
    }
}
