/* tests_scan.c: lab 6 challenge tests of the elevator (SCAN) disk queue: order, no starvation, every request served, less head movement than FIFO. */
#include <stddef.h>

#include "common/kprintf.h"
#include "common/kstring.h"
#include "disk_layout.h"
#include "disk_pattern.h"
#include "tests_disk_util.h"
#include "tests_scan.h"

/* ---- The queue alone (pure: no drive, no threads) ------------------------ */

#define SIM_MAX 64

/* A channel queue in SCAN order and the requests of a simulated workload. */
struct scan_sim {
    struct disk_queue q;
    struct disk_request req[SIM_MAX];
    bool used[SIM_MAX];
};

static struct scan_sim sim;

/* Fail the test unless disk_scan_choose is written (the stub says so). */
static void scan_require_implemented(void)
{
    struct disk_queue empty;
    struct disk_request *r;
    tests_step(TESTS_STEP_CHALLENGE);
    disk_queue_init(&empty);
    int err = disk_scan_choose(&empty, &r);
    if (err != DISK_OK)
        KT_FAIL("the elevator is not implemented: disk_scan_choose (lab6-disk/disk_scan.c) "
                "returned %d (%s); the queue stays FIFO", err, disk_strerror(err));
}

static void sim_init(void)
{
    memset(&sim, 0, sizeof sim);
    disk_queue_init(&sim.q);
    sim.q.order = DISK_ORDER_SCAN;
}

/* Submit a request for BLOCK; returns it. */
static struct disk_request *sim_submit(uint32_t block)
{
    for (int i = 0; i < SIM_MAX; i++) {
        if (!sim.used[i]) {
            sim.used[i] = true;
            disk_request_init(&sim.req[i], NULL);
            sim.req[i].block = block;
            disk_queue_submit(&sim.q, &sim.req[i]);
            return &sim.req[i];
        }
    }
    KT_FAIL("the simulated queue is full (%d requests)", SIM_MAX);
}

/* The channel is free: the next request starts and finishes; returns it. */
static struct disk_request *sim_serve(void)
{
    struct disk_request *r = disk_queue_next(&sim.q);
    if (r == NULL)
        KT_FAIL("requests are pending (%u) but the queue names none to start next",
                disk_queue_pending_count(&sim.q));
    disk_queue_start(&sim.q, r);
    disk_queue_finish(&sim.q, r, DISK_OK);
    sim.used[r - sim.req] = false;
    return r;
}

/* Check the SCAN rule for the request about to start, against the pending
 * set as it is now: if any request lies ahead of the head in its direction,
 * the next one is ahead, and none lies strictly between the head and it (the
 * sweep goes on, in order); otherwise it is the nearest behind (the sweep
 * reverses only at the last request ahead). */
static void sim_check_next(int step)
{
    const struct disk_queue *q = &sim.q;
    struct disk_request *next = disk_queue_next(q);
    uint32_t h = q->head_block;
    bool any_ahead = false;
    struct list *pending = (struct list *)&q->pending;
    for (struct list_elem *e = list_begin(pending); e != list_end(pending); e = list_next(e)) {
        struct disk_request *r = LIST_ENTRY(e, struct disk_request, elem);
        any_ahead |= q->sweep_up ? r->block > h : r->block < h;
        any_ahead |= r->block == h && r->seq < q->head_seq;
    }
    bool next_ahead = (q->sweep_up ? next->block > h : next->block < h) ||
                      (next->block == h && next->seq < q->head_seq);
    if (any_ahead && !next_ahead)
        KT_FAIL("start %d: the head at block %lu sweeping %s reversed to block %lu while "
                "requests ahead were pending: SCAN reverses only after the last one",
                step, (unsigned long)h, q->sweep_up ? "up" : "down", (unsigned long)next->block);
    bool up = any_ahead ? q->sweep_up : !q->sweep_up;
    uint32_t lo = up ? h : next->block, hi = up ? next->block : h;
    for (struct list_elem *e = list_begin(pending); e != list_end(pending); e = list_next(e)) {
        struct disk_request *r = LIST_ENTRY(e, struct disk_request, elem);
        if (r->block > lo && r->block < hi)
            KT_FAIL("start %d: the head went from block %lu to %lu past block %lu, which was "
                    "pending: a sweep serves every request it passes, in order", step,
                    (unsigned long)h, (unsigned long)next->block, (unsigned long)r->block);
    }
}

/* A fixed queue, the head at block 1000 sweeping up: up to the last
 * request, then down, as an elevator. Then seeded random arrivals between
 * starts, every choice checked against the rule. */
KTEST(disk_scan_sweeps_in_order)
{
    static const uint32_t blocks[] = {1500, 200, 1200, 3000, 900, 1000, 50, 2500};
    static const uint32_t want[] = {1200, 1500, 2500, 3000, 1000, 900, 200, 50};
    scan_require_implemented();
    sim_init();
    sim_submit(1000);
    sim_serve(); /* the head is at 1000, going up */
    for (unsigned i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        sim_submit(blocks[i]);
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
        sim_check_next((int)i);
        struct disk_request *r = sim_serve();
        if (r->block != want[i])
            KT_FAIL("request %u served block %lu, expected %lu (order 1200 1500 2500 3000 "
                    "up from 1000, then 1000 900 200 50 down)", i, (unsigned long)r->block,
                    (unsigned long)want[i]);
    }
    KT_ASSERT_EQ(sim.q.head_movement, 1000 + (3000 - 1000) + (3000 - 50)); /* from block 0 */
    KT_ASSERT_EQ(sim.q.reversals, 1);

    uint32_t x = disk_pattern_seed() * 2654435761u + 12345u;
    sim_init();
    for (int step = 0; step < 400; step++) {
        for (int n = 0; n < 3 && disk_queue_pending_count(&sim.q) < SIM_MAX - 1; n++) {
            x = x * 1664525u + 1013904223u;
            if ((x >> 28) < 9) /* about one arrival per start on average */
                sim_submit((x >> 8) % DISK_DATA_BLOCKS);
        }
        if (disk_queue_pending_count(&sim.q) == 0)
            continue;
        sim_check_next(step);
        sim_serve();
    }
}

/* Three threads read one block over and over (each resubmits as soon as its
 * request starts) while one request waits on the other side of the head:
 * the waiter must be served within a few starts, not after the hogs stop
 * (nearest-first would starve it; so would SCAN that lets newcomers for the
 * head's own block in ahead of the sweep). */
KTEST(disk_scan_no_starvation)
{
    enum { HOGS = 3, BOUND = 2 * HOGS + 2, ROUNDS = 100 };
    scan_require_implemented();
    sim_init();
    sim_submit(600);
    sim_serve();
    sim_submit(500);
    sim_serve(); /* the head is at 500, going down */
    for (int i = 0; i < HOGS; i++)
        sim_submit(500);
    struct disk_request *waiter = sim_submit(3000);
    uint32_t waiter_block = waiter->block;
    int served_after = -1;
    for (int step = 0; step < ROUNDS; step++) {
        struct disk_request *r = sim_serve();
        if (r == waiter && r->block == waiter_block) {
            served_after = step;
            break;
        }
        sim_submit(r->block); /* the hog asks again at once */
    }
    if (served_after < 0)
        KT_FAIL("a request for block 3000 waited %d starts while %d threads kept asking for "
                "block 500 (the head's block): it starved", ROUNDS, HOGS);
    if (served_after >= BOUND)
        KT_FAIL("a request for block 3000 waited %d starts behind %d threads that kept "
                "asking for block 500: expected fewer than %d (a newcomer for the head's "
                "block waits for the next sweep)", served_after, HOGS, BOUND);
}

/* ---- The drive, with threads ------------------------------------------- */

/* Owner's K-th block of the movement workload: scattered over the read-only
 * region, the same for every order and seed. */
static uint32_t scan_scattered_block(const struct disk_job *job, int owner, int k)
{
    uint32_t x = (uint32_t)(owner * 64 + k + 1) * 2654435761u;
    (void)job;
    return DISK_RO_FIRST + (x >> 8) % DISK_RO_COUNT;
}

/* Distinct blocks of the scratch region (37 is prime to 256). */
static uint32_t scan_scratch_block(const struct disk_job *job, int owner, int k)
{
    uint32_t i = (uint32_t)(owner * job->blocks_per_thread + k);
    return DISK_SCRATCH_FIRST + 100 + (i * 37u) % 256u;
}

/* Switch the queue's order (KT_ASSERT that it worked). */
static void scan_order(enum disk_order order)
{
    int err = disk_set_order(order);
    if (err != DISK_OK)
        KT_FAIL("disk_set_order(%s) returned %d (%s)", disk_order_name(order), err,
                disk_strerror(err));
}

void scan_movement_job(struct disk_job *job, enum disk_order order, bool hold)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    TESTS_REQUIRE_DISK();
    tests_step(TESTS_STEP_CHALLENGE);
    tests_mode(DISK_MODE_NONBLOCKING);
    scan_order(order);
    KT_ASSERT_EQ(disk_read(tests_disk(), DISK_RO_FIRST, buf), DISK_OK); /* the head at 0 */
    tests_job_init(job, DISK_JOB_READ_INITIAL, 0, SCAN_JOB_THREADS, SCAN_JOB_PER_THREAD,
                   DISK_RO_FIRST, 0);
    job->block_of = scan_scattered_block;
    job->hold_irq = hold; /* every thread's request is queued before the next start */
    tests_job_run_ok(job, order == DISK_ORDER_SCAN ? "scan reads" : "fifo reads");
    scan_order(DISK_ORDER_FIFO);
}

/* Eight threads write 128 scattered blocks under SCAN, eight others read
 * them back: every request is served exactly once, with the right data. */
KTEST(disk_scan_serves_every_request)
{
    struct disk_job job;
    scan_require_implemented();
    TESTS_REQUIRE_DISK();
    tests_step(TESTS_STEP_CHALLENGE);
    struct disk_channel *ch = tests_channel();
    tests_mode(DISK_MODE_NONBLOCKING);
    scan_order(DISK_ORDER_SCAN);
    unsigned long sub = ch->queue.submitted, fin = ch->queue.finished;
    tests_job_init(&job, DISK_JOB_WRITE, 0, 8, 16, DISK_SCRATCH_FIRST, DISK_STREAM_SCRATCH);
    job.block_of = scan_scratch_block;
    job.hold_irq = true;
    tests_job_run_ok(&job, "scan writers");
    job.op = DISK_JOB_READ_VERIFY;
    job.rotate = 3;
    tests_job_run_ok(&job, "scan readers");
    KT_ASSERT_EQ(ch->queue.submitted - sub, 256);
    KT_ASSERT_EQ(ch->queue.finished - fin, 256);
    KT_ASSERT(disk_queue_idle(&ch->queue));
    scan_order(DISK_ORDER_FIFO);
}

/* The same concurrent reads under FIFO and SCAN: the elevator moves the
 * head strictly less (sum of |block - previous block| over the starts, a
 * count the host's speed cannot change). */
KTEST(disk_scan_less_head_movement)
{
    struct disk_job fifo, scan;
    scan_require_implemented();
    scan_movement_job(&fifo, DISK_ORDER_FIFO, true);
    scan_movement_job(&scan, DISK_ORDER_SCAN, true);
    kprintf("disk: head movement over %lu reads: fifo %lu blocks (%lu reversals), "
            "scan %lu blocks (%lu reversals)\n", scan.requests, fifo.head_movement,
            fifo.reversals, scan.head_movement, scan.reversals);
    ktest_metric("disk_head_movement_fifo", fifo.head_movement, "blocks");
    ktest_metric("disk_head_movement_scan", scan.head_movement, "blocks");
    if (scan.head_movement >= fifo.head_movement)
        KT_FAIL("SCAN moved the head %lu blocks for the same reads FIFO served with %lu: the "
                "elevator must move it less", scan.head_movement, fifo.head_movement);
}
