/* tests_rr_util.h: helpers shared by lab 5's in-kernel tests: requirements, memory baselines, sleeping. */
#ifndef LAB5_TESTS_RR_UTIL_H
#define LAB5_TESTS_RR_UTIL_H

#include "common/ktest.h"
#include "lab4-threads/scheduler.h"
#include "rr.h"

/* Fail unless threads exist and round robin is installed. */
#define TESTS_REQUIRE_RR()                                                     \
    do {                                                                       \
        if (scheduler_idle_thread() == NULL)                                   \
            KT_FAIL("threads cannot be created (no idle thread)");             \
        if (scheduler_policy() != &rr_policy)                                  \
            KT_FAIL("round robin is not the scheduling policy");               \
    } while (0)

struct tests_rr_baseline {
    unsigned long process_free, kernel_free, heap_blocks, threads;
};

/* Warm up, then record the baseline: N threads exist at once while main
 * holds N_BUFS heap blocks of BUF_SIZE bytes. The heap keeps the arena pages
 * a peak touched mapped (not a leak), so the warm-up must reach the test's
 * peak: then every frame the test takes must come back. */
void tests_rr_baseline_take(struct tests_rr_baseline *b, int n, int n_bufs,
                            size_t buf_size);
void tests_rr_baseline_now(struct tests_rr_baseline *b);

#define TESTS_RR_ASSERT_BASELINE(b)                                            \
    do {                                                                       \
        struct tests_rr_baseline now_;                                         \
        tests_rr_baseline_now(&now_);                                          \
        KT_ASSERT_EQ(now_.threads, (b)->threads);                              \
        KT_ASSERT_EQ(now_.heap_blocks, (b)->heap_blocks);                      \
        KT_ASSERT_EQ(now_.process_free, (b)->process_free);                    \
        KT_ASSERT_EQ(now_.kernel_free, (b)->kernel_free);                      \
    } while (0)

/* Sleep until COND holds or LIMIT ticks passed, checking every 5 ticks.
 * Returns COND's last value. */
#define TESTS_RR_SLEEP_UNTIL(cond, limit)                                      \
    ({                                                                         \
        uint32_t t0_ = timer_ticks();                                          \
        while (!(cond) && timer_ticks() - t0_ < (uint32_t)(limit))             \
            scheduler_sleep(5);                                                \
        (bool)(cond);                                                          \
    })

/* Spawn or fail the test; returns the id. */
int tests_rr_spawn(const char *name, thread_fn *fn, void *arg);

#endif
