/* tests_disk_util.h: helpers shared by lab 6's in-kernel tests and benchmarks. */
#ifndef LAB6_TESTS_DISK_UTIL_H
#define LAB6_TESTS_DISK_UTIL_H

#include "common/ktest.h"
#include "disk.h"
#include "disk_channel.h"
#include "disk_workload.h"

/*
 * Every failure of lab 6's tests starts with the handout step it points at
 * (README.md, "What to implement"), like labs 1, 4 and 5: "step 3 (polled
 * transfer): ...". KT_FAIL, and so every KT_ASSERT, adds the step a test
 * named with tests_step(), or else the step of the disk mode in use (simple
 * and blocking: step 3; nonblocking: step 6), unless the message starts with
 * a step (or "challenge", or an earlier lab) itself.
 */
enum tests_step {
    TESTS_STEP_MODE = 0,  /* the step of the current mode's driver */
    TESTS_STEP_ATA,       /* 1: select, 400 ns, status check, polling; IDENTIFY */
    TESTS_STEP_QUEUE,     /* 2: the queue: the dual-queue rule, sleeping, waking */
    TESTS_STEP_POLLED,    /* 3: programming the drive, the polled transfer */
    TESTS_STEP_CHECKS,    /* 4: refusing bad requests */
    TESTS_STEP_PAUSE,     /* 5: BlockingDisk's pause */
    TESTS_STEP_IRQ,       /* 6: NonBlockingDisk: top half, bottom half, the yield */
    TESTS_STEP_IO_FIRST,  /* 7: the I/O queue first */
    TESTS_STEP_CHALLENGE, /* the elevator (not a step: optional) */
    TESTS_STEP_COUNT
};

/* "step 3 (polled transfer)" */
#define TESTS_STEP_TEXT_ATA      "step 1 (ATA select, delay, poll)"
#define TESTS_STEP_TEXT_QUEUE    "step 2 (request queue)"
#define TESTS_STEP_TEXT_POLLED   "step 3 (polled transfer)"
#define TESTS_STEP_TEXT_CHECKS   "step 4 (request checks)"
#define TESTS_STEP_TEXT_PAUSE    "step 5 (BlockingDisk's pause)"
#define TESTS_STEP_TEXT_IRQ      "step 6 (NonBlockingDisk)"
#define TESTS_STEP_TEXT_IO_FIRST "step 7 (I/O queue first)"
#define TESTS_STEP_TEXT_CHALLENGE "challenge (elevator)"

/* Failures of the running test name STEP from now on (TESTS_STEP_MODE: the
 * current mode's); TESTS_REQUIRE_DISK starts every test at TESTS_STEP_MODE.
 * Thread context. */
void tests_step(enum tests_step step);
const char *tests_step_text(enum tests_step step);

/* KT_FAIL with the step in front (see above). Only while a test runs. */
void tests_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
#undef KT_FAIL
#define KT_FAIL(...) tests_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/* Fail the test unless the data disk answered and threads work; failures
 * then name the mode's step. */
#define TESTS_REQUIRE_DISK()                                                   \
    do {                                                                       \
        tests_step(TESTS_STEP_MODE);                                           \
        if (!tests_disk_ok())                                                  \
            KT_FAIL("%s", tests_disk_problem());                              \
    } while (0)

bool tests_disk_ok(void);
/* NULL, or what is missing, starting with its step. */
const char *tests_disk_problem(void);

/* The data disk and the primary channel (valid after TESTS_REQUIRE_DISK). */
struct disk *tests_disk(void);
struct disk_channel *tests_channel(void);

/* Switch to MODE (KT_ASSERT that it worked), after checking that the
 * queue's dual-queue rule names the threads to wake (else "step 2 (request
 * queue): ...": no transfer could work beside another thread). */
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
