/* tests_disk_util.c: helpers for lab 6's tests: disk presence, modes, jobs that must succeed. */
#include <stddef.h>

#include "common/kprintf.h"
#include "common/kstring.h"
#include "disk_pattern.h"
#include "lab4-threads/scheduler.h"
#include "lab5-rr/rr.h"
#include "tests_disk_util.h"

bool tests_disk_ok(void)
{
    return tests_disk_problem() == NULL;
}

const char *tests_disk_problem(void)
{
    if (scheduler_idle_thread() == NULL)
        return "threads cannot be created (labs 4-5)";
    if (disk_primary_channel() == NULL)
        return "disk_system_init did not run";
    if (disk_data() == NULL)
        return "no data disk: the primary slave did not answer IDENTIFY "
               "(is build/lab6/data.img attached? does ata_identify work?)";
    return NULL;
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
