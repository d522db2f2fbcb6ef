/* tests_util.h: helpers for in-kernel thread tests (labs 4-6): memory baselines, spawning, waiting. */
#ifndef LAB4_TESTS_UTIL_H
#define LAB4_TESTS_UTIL_H

#include <stddef.h>

#include "common/ktest.h"
#include "scheduler.h"
#include "thread.h"

#define TESTS_WARMUP_MAX 128

/* What must come back after threads end: free frames, heap blocks, threads. */
struct tests_baseline {
    unsigned long process_free, kernel_free, heap_blocks, threads;
};

/* Fail the test unless threads can be created (scheduler up, idle thread). */
#define TESTS_REQUIRE_THREADS()                                                \
    do {                                                                       \
        if (!tests_threads_ok())                                               \
            KT_FAIL("step 1 (first frame): threads cannot be created "       \
                    "(thread_create failed at boot: no idle thread)");         \
    } while (0)

bool tests_threads_ok(void);

/* Record the current baseline after a warm-up that reaches the test's peak:
 * N threads alive at once while the caller holds N_BUFS heap blocks of
 * BUF_SIZE bytes. The heap keeps the arena pages a peak touched mapped
 * (not a leak), so after a warm-up to the same peak every frame the test
 * takes must come back. */
void tests_baseline_take(struct tests_baseline *b, int n, int n_bufs, size_t buf_size);

/* Fail the test (KT_ASSERT) unless the baseline is back. */
#define TESTS_ASSERT_BASELINE(b)                                               \
    do {                                                                       \
        struct tests_baseline now_;                                            \
        tests_baseline_now(&now_);                                             \
        KT_ASSERT_EQ(now_.threads, (b)->threads);                              \
        KT_ASSERT_EQ(now_.heap_blocks, (b)->heap_blocks);                      \
        KT_ASSERT_EQ(now_.process_free, (b)->process_free);                    \
        KT_ASSERT_EQ(now_.kernel_free, (b)->kernel_free);                      \
    } while (0)

void tests_baseline_now(struct tests_baseline *b);

/* Spawn a thread or fail the test. Returns its id. */
int tests_spawn(const char *name, thread_fn *fn, void *arg);

/* Wait for every id in IDS[0..N). */
void tests_wait_all(const int *ids, int n);

/* Fail the test unless the FIFO ready queue is sound (fifo_check) and holds
 * exactly N threads. Call from a test, interrupts on or off. */
void tests_expect_ready(size_t n);

#endif
