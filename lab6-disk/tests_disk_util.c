/* tests_disk_util.c: helpers for lab 6's tests: disk presence, modes, jobs that must succeed. */
#include <stdarg.h>
#include <stddef.h>

#include "common/debug.h"
#include "common/format.h"
#include "common/kprintf.h"
#include "common/kstep.h"
#include "common/kstring.h"
#include "disk_pattern.h"
#include "lab4-threads/scheduler.h"
#include "lab5-rr/rr.h"
#include "tests_disk_util.h"

bool tests_disk_ok(void)
{
    return tests_disk_problem() == NULL;
}

/* NULL if disk_queue_pick follows the dual-queue rule on a small queue of
 * its own: a free channel and a sleeping next request: that one; then a
 * completed request whose thread sleeps. Else what it got wrong. */
static const char *queue_problem(void)
{
    struct disk_queue q;
    struct disk_request a, b;
    disk_queue_init(&q);
    disk_request_init(&a, NULL);
    disk_request_init(&b, NULL);
    a.positioned = b.positioned = false;
    disk_queue_submit(&q, &a);
    disk_queue_submit(&q, &b);
    disk_queue_sleep(&q, &a);
    disk_queue_sleep(&q, &b);
    if (disk_queue_pick(&q) != &a || a.sleeping)
        return TESTS_STEP_TEXT_QUEUE ": the channel is free and the oldest request's thread "
               "sleeps, but disk_queue_pick did not name it (and clear `sleeping`): no "
               "thread waiting for the channel would ever be woken";
    disk_queue_start(&q, &a);
    if (disk_queue_pick(&q) != NULL)
        return TESTS_STEP_TEXT_QUEUE ": disk_queue_pick named a thread while the channel "
               "is busy and no request has finished";
    disk_queue_sleep(&q, &a);
    disk_queue_finish(&q, &a, DISK_OK);
    if (disk_queue_pick(&q) != &b || disk_queue_pick(&q) != &a || disk_queue_pick(&q) != NULL)
        return TESTS_STEP_TEXT_QUEUE ": after a request finished, disk_queue_pick must name "
               "the next request's sleeping thread first, then the finished one's, then "
               "nobody";
    return NULL;
}

const char *tests_disk_problem(void)
{
    if (scheduler_idle_thread() == NULL)
        return "labs 4-5 (threads): threads cannot be created";
    if (disk_primary_channel() == NULL)
        return "lab 6 set-up: disk_system_init did not run";
    if (disk_data() == NULL)
        return TESTS_STEP_TEXT_ATA ": no data disk: the primary slave did not answer "
               "IDENTIFY (is build/lab6/data.img attached? do ata_select and ata_poll "
               "work?)";
    return NULL;
}

/* ---- Steps ----------------------------------------------------------------- */

static const char *const step_texts[TESTS_STEP_COUNT] = {
    NULL, TESTS_STEP_TEXT_ATA, TESTS_STEP_TEXT_QUEUE, TESTS_STEP_TEXT_POLLED,
    TESTS_STEP_TEXT_CHECKS, TESTS_STEP_TEXT_PAUSE, TESTS_STEP_TEXT_IRQ,
    TESTS_STEP_TEXT_IO_FIRST, TESTS_STEP_TEXT_CHALLENGE,
};
static enum tests_step step_now;

/* STEP, or for TESTS_STEP_MODE the step of the mode in use. */
static enum tests_step step_resolve(enum tests_step step)
{
    if (step == TESTS_STEP_MODE)
        return disk_get_mode() == DISK_MODE_NONBLOCKING ? TESTS_STEP_IRQ : TESTS_STEP_POLLED;
    return step;
}

/* The step every test is at: the one it named last, else its mode's. */
static int steps_now(const char *test)
{
    (void)test;
    return step_resolve(step_now);
}

static const struct kstep_table steps = {
    .text = step_texts, .n_text = TESTS_STEP_COUNT, .keep_named = true,
    .step_now = steps_now,
};

void tests_step(enum tests_step step)
{
    KASSERT(step < TESTS_STEP_COUNT);
    step_now = step;
}

const char *tests_step_text(enum tests_step step)
{
    return kstep_text(&steps, step_resolve(step));
}

void tests_fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kstep_fail_at(&steps, file, line, fmt, ap);
}

struct disk *tests_disk(void)
{
    return disk_data();
}

struct disk_channel *tests_channel(void)
{
    return disk_primary_channel();
}

void tests_mode(enum disk_mode mode)
{
    const char *queue = queue_problem();
    if (queue != NULL)
        KT_FAIL("%s", queue);
    KT_ASSERT_EQ(disk_set_mode(mode), DISK_OK);
    KT_ASSERT_EQ(disk_get_mode(), mode);
}

void tests_job_init(struct disk_job *job, enum disk_job_op op, int compute, int threads,
                    int per_thread, uint32_t first, uint32_t stream)
{
    memset(job, 0, sizeof *job);
    job->disk = disk_data();
    job->op = op;
    job->compute_threads = compute;
    job->disk_threads = threads;
    job->blocks_per_thread = per_thread;
    job->first_block = first;
    job->stream = stream;
    job->seed = disk_pattern_seed();
}

void tests_job_run_ok(struct disk_job *job, const char *what)
{
    int r = disk_job_run(job);
    disk_job_print(what, job);
    if (job->spawn_failed)
        KT_FAIL("%s: could not create the job's threads", what);
    if (job->errors > 0)
        KT_FAIL("%s: %lu of %lu requests failed, the first on block %lu with %d (%s)", what,
                job->errors, job->requests, (unsigned long)job->first_bad_block,
                job->first_error, disk_strerror(job->first_error));
    if (job->mismatches > 0)
        KT_FAIL("%s: %lu blocks read back wrong, the first is block %lu", what,
                job->mismatches, (unsigned long)job->first_bad_block);
    KT_ASSERT_EQ(job->requests, (unsigned long)(job->disk_threads * job->blocks_per_thread));
    KT_ASSERT_EQ(r, 0);
}

unsigned long tests_quantum_ticks(void)
{
    return rr_quantum_ticks();
}
