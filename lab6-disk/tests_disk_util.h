/* tests_disk_util.h: helpers shared by lab 6's in-kernel tests and benchmarks. */
#ifndef LAB6_TESTS_DISK_UTIL_H
#define LAB6_TESTS_DISK_UTIL_H

#include "common/ktest.h"
#include "disk.h"
#include "disk_channel.h"
#include "disk_workload.h"

/* Fail the test unless the data disk answered and threads work. */
#define TESTS_REQUIRE_DISK()                                                   \
    do {                                                                       \
        if (!tests_disk_ok())                                                  \
            KT_FAIL("%s", tests_disk_problem());                              \
    } while (0)

bool tests_disk_ok(void);
const char *tests_disk_problem(void);

/* The data disk and the primary channel (valid after TESTS_REQUIRE_DISK). */
struct disk *tests_disk(void);
struct disk_channel *tests_channel(void);

/* Switch to MODE (KT_ASSERT that it worked). */
void tests_mode(enum disk_mode mode);

/* A job on the data disk with nothing measured yet. */
void tests_job_init(struct disk_job *job, enum disk_job_op op, int compute, int threads,
                    int per_thread, uint32_t first, uint32_t stream);

/* Run JOB and fail the test, saying what went wrong, unless every request
 * succeeded and every check passed. */
void tests_job_run_ok(struct disk_job *job, const char *what);

/* The round-robin quantum in timer ticks. */
unsigned long tests_quantum_ticks(void);

#endif
