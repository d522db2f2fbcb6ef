/* bench_scale.c: lab 6 scaling benchmark: read latency with 1 to 32 requests queued at once (NonBlockingDisk). */
#include "common/format.h"
#include "common/ktest.h"
#include "common/x86.h"
#include "disk_layout.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread.h"
#include "tests_disk_util.h"

#define SCALE_MAX_READERS 32

static const int scale_readers[] = {1, 2, 4, 8, 16, 32};
static uint8_t scale_buf[SCALE_MAX_READERS][DISK_BLOCK_SIZE];
static volatile uint32_t scale_latency[SCALE_MAX_READERS];
static volatile int scale_result[SCALE_MAX_READERS];
static volatile bool scale_go;

/* Reader ME's block: the even readers at the start of the read-only area,
 * the odd ones at its end, so under FIFO every request seeks across it and
 * service takes long enough for the whole queue to build. */
static uint32_t scale_block(int me)
{
    return me % 2 ? DISK_RO_FIRST + DISK_RO_COUNT - 1 - (uint32_t)me : DISK_RO_FIRST + (uint32_t)me;
}

/* One reader: wait for the start, then read its own block and time it. */
static void scale_reader(void *arg)
{
    int me = (int)(uintptr_t)arg;
    while (!scale_go)
        scheduler_yield();
    uint64_t t0 = rdtsc();
    scale_result[me] = disk_read(tests_disk(), scale_block(me), scale_buf[me]);
    scale_latency[me] = (uint32_t)(rdtsc() - t0);
}

/* K readers request a block each at the same moment: the mean latency (the
 * queue makes the k-th wait for k services) and the elapsed time per request
 * (a seek across the read-only area each). */
static void scale_measure(int k)
{
    static int ids[SCALE_MAX_READERS];
    /* Head at the far end: reader 0's request seeks like the others. */
    KT_ASSERT_EQ(disk_read(tests_disk(), scale_block(1), scale_buf[0]), 0);
    scale_go = false;
    for (int i = 0; i < k; i++) {
        struct thread *t = thread_spawn("scale-reader", scale_reader, (void *)(uintptr_t)i);
        KT_ASSERT(t != NULL);
        ids[i] = thread_id(t);
    }
    scheduler_yield(); /* every reader is waiting for the start */
    uint64_t t0 = rdtsc();
    scale_go = true;
    for (int i = 0; i < k; i++)
        thread_wait(ids[i]);
    uint32_t total = (uint32_t)(rdtsc() - t0); /* well under 2^32 instructions */
    uint32_t sum = 0;
    for (int i = 0; i < k; i++) {
        KT_ASSERT_EQ(scale_result[i], 0);
        sum += scale_latency[i];
    }
    char name[48];
    ksnprintf(name, sizeof name, "disk_read_latency_queued_n%d", k);
    ktest_metric(name, (unsigned long)(sum / (uint32_t)k), "insns");
    ksnprintf(name, sizeof name, "disk_read_elapsed_per_request_queued_n%d", k);
    ktest_metric(name, (unsigned long)(total / (uint32_t)k), "insns");
}

KBENCH(bench_scale_disk_queue)
{
    TESTS_REQUIRE_DISK();
    tests_mode(DISK_MODE_NONBLOCKING);
    for (unsigned i = 0; i < sizeof scale_readers / sizeof scale_readers[0]; i++)
        scale_measure(scale_readers[i]);
}
