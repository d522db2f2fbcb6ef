/* tests_support.h: helpers shared by lab 3's in-kernel tests and benchmarks: scratch VM pools. */
#ifndef LAB3_TESTS_SUPPORT_H
#define LAB3_TESTS_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ktest.h"
#include "vm.h"

/*
 * Every KT_ failure of a file that includes this header starts with the
 * handout step it points at (README, "What to implement"; tests_steps.c):
 * the first step a probe finds not done (steps 1-2 and 5-7 are run on
 * scratch data, steps 3-4 judged by the last fault report and the heap),
 * else the step the running test checks. large_page_* (challenge) failures
 * start with "challenge". Called like ktest_fail_at; only while a test runs.
 */
void tests_lab3_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
#undef KT_FAIL
#define KT_FAIL(...) tests_lab3_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/* The first handout step (1-7) a probe finds not done, with what it found
 * in WHY; 0 if none. Only while a test runs (step 6's probe maps and frees
 * a page at TESTS_NO_POOL). */
int tests_lab3_first_undone(char *why, size_t size);

/* Scratch pools. Each test starts from a fresh one: tests_pool() destroys
 * what an earlier (possibly failed) test left and creates it again. */
#define TESTS_POOL_BASE   0x00400000u /* 4 MiB: right above the identity range */
#define TESTS_POOL_SIZE   0x03C00000u /* 60 MiB, up to 64 MiB */
#define TESTS_KPOOL_BASE  0x40000000u /* a pool backed by the KERNEL frame pool */
#define TESTS_KPOOL_SIZE  0x00800000u
#define TESTS_NO_POOL     0x30000000u /* no pool ever covers 0x30000000-0x3FFFFFFF */

/* Fresh pool at TESTS_POOL_BASE over the process frame pool. Fails the test
 * if lab 3's VM is not up. */
struct vm_pool *tests_pool(void);

/* Fresh pool at TESTS_KPOOL_BASE over the kernel frame pool. */
struct vm_pool *tests_kernel_frames_pool(void);

/* Destroy both scratch pools (if live). */
void tests_pools_destroy(void);

/* Fail the test unless vm_setup() succeeded. */
#define TESTS_REQUIRE_VM()                                                    \
    do {                                                                      \
        if (!vm_ready())                                                      \
            KT_FAIL("lab 3 VM is not set up (vm_setup failed at boot)");      \
    } while (0)

/* page_table_map(paging_kernel_pt(), VA, FRAME, FLAGS), after failing the
 * test (instead of page_table_map's assertion panicking) if VA is still
 * mapped: a page freed earlier that kept its entry. */
bool tests_map(uint32_t va, unsigned long frame, uint32_t flags);

/* Free frames of the process pool / kernel pool right now. */
unsigned long tests_process_free(void);
unsigned long tests_kernel_free(void);

/* A pseudo-random number (seeded from the command line's seed=, else 1). */
uint32_t tests_random(void);

/* True if NEEDLE occurs in HAYSTACK. */
bool tests_contains(const char *haystack, const char *needle);

#endif
