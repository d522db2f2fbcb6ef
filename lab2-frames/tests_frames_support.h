/* tests_frames_support.h: helpers for lab 2's in-kernel tests: private pools, baselines, snapshots. */
#ifndef LAB2_TESTS_FRAMES_SUPPORT_H
#define LAB2_TESTS_FRAMES_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/ktest.h"
#include "lab2-frames/cont_frame_pool.h"

/*
 * Every KT_ failure of a file that includes this header starts with the
 * handout step it points at (README, "What to implement";
 * tests_frames_steps.c): the first step whose bitmap functions, run on a
 * scratch bitmap, are not done yet (then the message says what they did),
 * else the step the running test belongs to. buddy_* (challenge) failures
 * start with "challenge". Called like ktest_fail_at; only while a test runs.
 */
void tests_frames_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
#undef KT_FAIL
#define KT_FAIL(...) tests_frames_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/* The first handout step (1-6) whose functions fail their probe on a scratch
 * bitmap, with what they did in WHY; 0 if every step passes. Any context in
 * a test; touches no registered pool. */
int tests_frames_first_undone(char *why, size_t size);

/* Nonzero while a helper below runs a step of its own (tp_create: 4 then
 * 2, tp_destroy: 5): a failure there names that step rather than the
 * test's. test_begin resets it. */
extern int tests_frames_helper_step;

/* Fail the running test (naming the step) unless frames_init() built both
 * system pools at boot. */
void tests_frames_require_pools(void);

/*
 * The system pools are shared by the whole kernel, so every test leaves
 * their free counts as it found them (test_begin / test_end). Tests that
 * need a pool of their own carve one out of frames allocated from the
 * process pool (a nested pool, see cfp_init) with tp_create, and give the
 * frames back with tp_destroy. Only one private pool exists at a time.
 */

/* The private pool and the frames it came from. Static storage, so a test
 * that fails half-way leaves nothing dangling: the next test_begin cleans up. */
struct tests_frames_pool {
    struct cont_frame_pool pool;
    unsigned long outer; /* its frames: a run of the process pool */
    unsigned long info;  /* external bitmap: a run of the kernel pool, or 0 */
};
extern struct tests_frames_pool tp;

/* Free counts of the system pools when the running test began. */
extern unsigned long base_free_kernel, base_free_process;

/* Clean up after an earlier failed test and record the baselines (fails,
 * naming the step, if the system pools could not be built at boot). */
void test_begin(void);

/* KT_ASSERT that both system pools are back at their baselines. */
void test_end(void);

/* Carve a pool of N frames out of the process pool. INTERNAL: its bitmap
 * in its own first frame(s); else in frames from the kernel pool. */
struct cont_frame_pool *tp_create(unsigned long n, bool internal);

/* Unregister the private pool and release its frames (KT_ASSERTs success). */
void tp_destroy(void);

/* A snapshot of a pool, to show that a failed call changed nothing. */
struct snapshot {
    unsigned long free;
    unsigned long counts[4];
};

void snap(const struct cont_frame_pool *pool, struct snapshot *s);

/* KT_ASSERT that POOL still matches BEFORE. */
void expect_unchanged(const struct cont_frame_pool *pool, const struct snapshot *before);

#endif
