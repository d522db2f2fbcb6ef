/* tests_rr_util.h: helpers shared by lab 5's in-kernel tests: requirements and sleeping. */
#ifndef LAB5_TESTS_RR_UTIL_H
#define LAB5_TESTS_RR_UTIL_H

#include "common/ktest.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/tests_util.h"
#include "rr.h"

/* Fail unless threads exist and round robin is installed (itself, or under a
 * policy that extends it, as lab 6's does). */
#define TESTS_REQUIRE_RR()                                                     \
    do {                                                                       \
        if (scheduler_idle_thread() == NULL)                                   \
            KT_FAIL("threads cannot be created (no idle thread)");             \
        if (rr_not_installed() != NULL)                                        \
            KT_FAIL("round robin was not installed: %s", rr_not_installed());  \
        if (!scheduler_policy_includes(&rr_policy))                            \
            KT_FAIL("round robin is not the scheduling policy");               \
    } while (0)

/* Baselines, spawning and waiting: lab4-threads/tests_util.h. */

/* Sleep until COND holds or LIMIT ticks passed, checking every 5 ticks.
 * Returns COND's last value. */
#define TESTS_RR_SLEEP_UNTIL(cond, limit)                                      \
    ({                                                                         \
        uint32_t t0_ = timer_ticks();                                          \
        while (!(cond) && timer_ticks() - t0_ < (uint32_t)(limit))             \
            scheduler_sleep(5);                                                \
        (bool)(cond);                                                          \
    })

#endif
