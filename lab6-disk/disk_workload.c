/* disk_workload.c: run a job of compute threads and disk threads, wait for it without spinning, measure it. */
#include <stddef.h>

#include "common/debug.h"
#include "common/kprintf.h"
#include "common/kstring.h"
#include "disk_channel.h"
#include "disk_pattern.h"
#include "disk_sched.h"
#include "disk_trace.h"
#include "disk_workload.h"
#include "lab1-boot/pit.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread.h"

static struct disk_job last_job;
static bool have_last;

/* One disk thread's work: which job and which share of it. */
struct disk_worker {
    struct disk_job *job;
    int index;
};

/* Count one finished thread of JOB in *LEFT; the last one wakes the runner.
 * After this the thread must not touch JOB (the runner may return). */
static void disk_job_thread_done(struct disk_job *job, int *left)
{
    enum intr_level old = intr_disable();
    if (--*left == 0 && job->waiter != NULL) {
        struct thread *w = job->waiter;
        job->waiter = NULL;
        scheduler_resume(w);
    }
    intr_set_level(old);
}

/* Sleep until *LEFT is 0. */
static void disk_job_wait(struct disk_job *job, int *left)
{
    enum intr_level old = intr_disable();
    while (*left > 0) {
        job->waiter = thread_current();
        scheduler_block();
    }
    intr_set_level(old);
}

static void disk_job_note(struct disk_job *job, int err, bool mismatch, uint32_t block)
{
    enum intr_level old = intr_disable();
    if (err != DISK_OK)
        job->errors++;
    if (mismatch)
        job->mismatches++;
    if ((err != DISK_OK || mismatch) && job->errors + job->mismatches == 1) {
        job->first_error = err; /* the first problem of the job */
        job->first_bad_block = block;
    }
    job->requests++;
    intr_set_level(old);
}

static void disk_worker_main(void *arg)
{
    struct disk_worker *w = arg;
    struct disk_job *job = w->job;
    uint8_t buf[DISK_BLOCK_SIZE], want[DISK_BLOCK_SIZE];
    int owner = (w->index + job->rotate) % job->disk_threads;
    unsigned long d0 = thread_current()->dispatches, c0 = thread_current()->cpu_ticks;

    for (int k = 0; k < job->blocks_per_thread; k++) {
        uint32_t offset = (uint32_t)owner + (uint32_t)(k * job->disk_threads);
        uint32_t block = job->first_block + offset;
        if (job->seek && (k & 1))
            block = disk_size(job->disk) - 1 - offset;
        if (job->block_of != NULL)
            block = job->block_of(job, owner, k);
        int err;
        bool bad = false;
        switch (job->op) {
        case DISK_JOB_WRITE:
            disk_pattern_fill(buf, job->seed, job->stream, block);
            err = disk_write(job->disk, block, buf);
            break;
        default:
            memset(buf, 0, sizeof buf);
            err = disk_read(job->disk, block, buf);
            if (err == DISK_OK && job->op == DISK_JOB_READ_INITIAL) {
                disk_pattern_initial(want, block);
                bad = memcmp(buf, want, sizeof buf) != 0;
            } else if (err == DISK_OK && job->op == DISK_JOB_READ_VERIFY) {
                bad = !disk_pattern_check(buf, job->seed, job->stream, block);
            }
        }
        disk_job_note(job, err, bad, block);
    }
    enum intr_level old = intr_disable();
    job->disk_dispatches += thread_current()->dispatches - d0;
    job->disk_cpu_ticks += thread_current()->cpu_ticks - c0;
    intr_set_level(old);
    disk_job_thread_done(job, &job->disk_left);
}

static void disk_compute_main(void *arg)
{
    struct disk_job *job = arg;
    unsigned long n = 0;

    while (!job->stop)
        n++;
    enum intr_level old = intr_disable();
    job->compute_iterations += n;
    intr_set_level(old);
    disk_job_thread_done(job, &job->compute_left);
}

/* Sum of the compute threads' CPU ticks (they are all alive). Interrupts off. */
static unsigned long disk_job_compute_ticks(const struct disk_job *job)
{
    unsigned long sum = 0;
    for (int i = 0; i < job->compute_threads; i++)
        if (job->compute[i] != NULL)
            sum += job->compute[i]->cpu_ticks;
    return sum;
}

/* Sum of the compute threads' dispatches. Interrupts off. */
static unsigned long disk_job_compute_dispatches(const struct disk_job *job)
{
    unsigned long sum = 0;
    for (int i = 0; i < job->compute_threads; i++)
        if (job->compute[i] != NULL)
            sum += job->compute[i]->dispatches;
    return sum;
}

/* The hold thread of a job with hold_irq (disk_workload.h): one turn per
 * tick (it sleeps in between, so the others run), it lets the held IRQ14 of
 * the request owning the channel through once that request's waiter has been
 * seen asleep on two turns (and, in a job without compute threads, the idle
 * thread has executed hlt since the command went out), or after
 * DISK_HOLD_PATIENCE turns (then it stops holding: the waiter does not sleep,
 * the test has its verdict). */
static void disk_hold_main(void *arg)
{
    struct disk_job *job = arg;
    struct disk_channel *ch = job->disk->chan;
    unsigned long current = 0, compute0 = 0; /* queue.started of the held request */
    int turns = 0, asleep_turns = 0;
    bool released = false;

    for (;;) {
        enum intr_level old = disk_channel_lock(ch);
        if (job->stop) { /* checked with interrupts off: the compute threads live */
            disk_channel_unlock(ch, old);
            break;
        }
        struct disk_request *r = disk_queue_active(&ch->queue);
        bool held = r != NULL && r->irq_driven && r->issued;
        bool asleep = held && r->sleeping;
        bool halted = held && scheduler_stats()->idle_halts != r->trace_halts0;
        unsigned long id = ch->queue.started, compute = disk_job_compute_dispatches(job);
        disk_channel_unlock(ch, old);
        bool pending = disk_hold_pending(ch);
        if (!held) {
            current = 0;
            if (pending)
                disk_hold_release(ch); /* no request to hold it for */
        } else {
            if (id != current) {
                current = id;
                compute0 = compute;
                turns = asleep_turns = 0;
                released = false;
                job->held++;
            }
            turns++;
            asleep_turns += asleep;
            /* Asleep on two turns, and with no compute thread the idle thread
             * has halted meanwhile (it may have run only to find the next tick
             * already pending, on a busy host: then wait longer). */
            bool enough = asleep_turns >= 2 && (job->compute_threads > 0 || halted);
            int limit = asleep_turns >= 2 ? 4 * DISK_HOLD_PATIENCE : DISK_HOLD_PATIENCE;
            if (pending && (enough || turns > limit)) {
                bool gave_up = !released && asleep_turns < 2;
                if (!released) {
                    released = true;
                    job->held_never_slept += gave_up;
                    job->held_compute_ran += compute != compute0;
                }
                disk_hold_release(ch);
                if (gave_up) {
                    /* The verdict is known: let the rest of the job run at
                     * its own pace instead of DISK_HOLD_PATIENCE turns each. */
                    disk_hold_end(ch);
                    break;
                }
            }
        }
        scheduler_sleep(1);
    }
    disk_job_thread_done(job, &job->hold_left);
}

int disk_job_run(struct disk_job *job)
{
    struct disk_worker workers[DISK_JOB_MAX_THREADS];
    struct disk_channel *ch = job->disk != NULL ? job->disk->chan : NULL;

    KASSERT(job->disk_threads >= 1 && job->disk_threads <= DISK_JOB_MAX_THREADS);
    KASSERT(job->compute_threads >= 0 && job->compute_threads <= DISK_JOB_MAX_THREADS);
    KASSERT(job->blocks_per_thread >= 0);
    KASSERT(!job->seek || job->op == DISK_JOB_READ); /* never write the far end */
    memset(&job->requests, 0, sizeof *job - offsetof(struct disk_job, requests));
    job->stop = false;
    job->waiter = NULL;
    job->disk_left = job->compute_left = job->hold_left = 0;
    KASSERT(!job->hold_irq || (ch != NULL && ch->mode == DISK_MODE_NONBLOCKING));

    /* Compute threads first, so they are running when the disk work starts. */
    for (int i = 0; i < job->compute_threads; i++) {
        job->compute[i] = thread_spawn("compute", disk_compute_main, job);
        if (job->compute[i] == NULL)
            job->spawn_failed = true;
        else
            job->compute_left++;
    }
    enum intr_level old = intr_disable();
    struct disk_channel_stats cs0 = ch != NULL ? ch->stats : (struct disk_channel_stats){0};
    unsigned long moved0 = ch != NULL ? ch->queue.head_movement : 0;
    unsigned long rev0 = ch != NULL ? ch->queue.reversals : 0;
    unsigned long halts0 = scheduler_stats()->idle_halts;
    struct thread *idle = scheduler_idle_thread();
    unsigned long idle0 = idle != NULL ? idle->dispatches : 0;
    unsigned long io0 = disk_sched_stats()->io_dispatches;
    struct disk_stats ds0 = job->disk != NULL ? job->disk->stats : (struct disk_stats){0};
    disk_trace_reset_max();
    struct disk_trace tr0 = *disk_trace_get();
    if (job->hold_irq) {
        disk_hold_begin(ch);
        if (thread_spawn("disk-hold", disk_hold_main, job) == NULL)
            job->spawn_failed = true;
        else
            job->hold_left++;
    }
    unsigned long ticks0 = timer_ticks(), cticks0 = disk_job_compute_ticks(job);
    uint32_t us0 = disk_now_us();
    for (int i = 0; i < job->disk_threads; i++) {
        workers[i].job = job;
        workers[i].index = i;
        if (thread_spawn("disk-io", disk_worker_main, &workers[i]) == NULL)
            job->spawn_failed = true;
        else
            job->disk_left++;
    }
    intr_set_level(old);
    disk_job_wait(job, &job->disk_left);

    old = intr_disable();
    job->elapsed_ticks = timer_ticks() - ticks0;
    job->compute_ticks = disk_job_compute_ticks(job) - cticks0;
    job->elapsed_us = disk_now_us() - us0;
    job->idle_halts = scheduler_stats()->idle_halts - halts0;
    job->idle_runs = idle != NULL ? idle->dispatches - idle0 : 0;
    job->io_dispatches = disk_sched_stats()->io_dispatches - io0;
    if (job->disk != NULL) {
        job->wait_us_total = job->disk->stats.wait_us_total - ds0.wait_us_total;
        job->resume_us_total = job->disk->stats.resume_us_total - ds0.resume_us_total;
        job->service_us_total = job->disk->stats.service_us_total - ds0.service_us_total;
    }
    if (ch != NULL) {
        job->irqs = ch->stats.irqs - cs0.irqs;
        job->irq_completions = ch->stats.irq_completions - cs0.irq_completions;
        job->irq_unexpected = ch->stats.irq_unexpected - cs0.irq_unexpected;
        job->wakeups = ch->stats.wakeups - cs0.wakeups;
        job->head_movement = ch->queue.head_movement - moved0;
        job->reversals = ch->queue.reversals - rev0;
    }
    const struct disk_trace *tr = disk_trace_get();
    job->irq_requests = tr->irq_requests - tr0.irq_requests;
    job->slept = tr->slept - tr0.slept;
    job->halted = tr->halted - tr0.halted;
    job->resumed = tr->resumed - tr0.resumed;
    job->status_reads_max = tr->status_reads_max;
    job->status_reads_max_block = tr->status_reads_max_block;
    job->others_first_max = tr->others_first_max;
    job->irq_woke_no_yield = tr->irq_woke_no_yield - tr0.irq_woke_no_yield;
    job->stop = true;
    intr_set_level(old);
    disk_job_wait(job, &job->compute_left);
    disk_job_wait(job, &job->hold_left);
    if (job->hold_irq)
        disk_hold_end(ch);
    for (int i = 0; i < job->compute_threads; i++)
        job->compute[i] = NULL;
    last_job = *job;
    have_last = true;
    bool ok = !job->spawn_failed && job->errors == 0 && job->mismatches == 0 &&
              job->requests == (unsigned long)(job->disk_threads * job->blocks_per_thread);
    return ok ? 0 : -1;
}

unsigned disk_job_cpu_share(const struct disk_job *job)
{
    if (job->elapsed_ticks == 0)
        return 0;
    unsigned long share = job->compute_ticks * 100 / job->elapsed_ticks;
    return share > 100 ? 100 : (unsigned)share;
}

uint32_t disk_job_service_us(const struct disk_job *job)
{
    return job->requests ? job->service_us_total / (uint32_t)job->requests : 0;
}

void disk_job_print(const char *what, const struct disk_job *job)
{
    kprintf("%s: %lu requests in %lu.%03lu ms, %lu errors, %lu mismatches; "
            "%d compute thread(s) kept %u%% of the CPU; %lu IRQs, idle ran %lu times\n",
            what, job->requests, (unsigned long)(job->elapsed_us / 1000),
            (unsigned long)(job->elapsed_us % 1000), job->errors, job->mismatches,
            job->compute_threads, disk_job_cpu_share(job), job->irqs, job->idle_runs);
}

const struct disk_job *disk_job_last(void)
{
    return have_last ? &last_job : NULL;
}
