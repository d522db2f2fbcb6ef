/* tests_frames_support.h: helpers for lab 2's in-kernel tests: private pools, baselines, snapshots. */
#ifndef LAB2_TESTS_FRAMES_SUPPORT_H
#define LAB2_TESTS_FRAMES_SUPPORT_H

#include <stdbool.h>

#include "common/ktest.h"
#include "lab2-frames/cont_frame_pool.h"

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

/* Clean up after an earlier failed test and record the baselines. */
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
