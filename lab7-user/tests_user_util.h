/* tests_user_util.h: helpers for lab 7's kernel tests: run a user program and wait, leak baselines. */
#ifndef LAB7_TESTS_USER_UTIL_H
#define LAB7_TESTS_USER_UTIL_H

#include "common/ktest.h"
#include "lab4-threads/tests_util.h"
#include "proc.h"
#include "tests_user_steps.h"

/* Everything a process holds must come back once it is reaped. */
struct user_baseline {
    struct tests_baseline k; /* free frames (both pools), heap blocks, threads */
    unsigned procs;          /* live processes */
    unsigned long upages;    /* user pages mapped */
};

/* Fail the test unless lab7_setup() made processes possible. */
#define USER_REQUIRE()                                                          \
    do {                                                                        \
        if (!lab7_ready())                                                      \
            KT_FAIL("lab 7: user processes are not set up (lab7_setup failed)"); \
    } while (0)

void user_baseline_take(struct user_baseline *b);

/* Fail the test unless B is back: "WHAT leaked". */
#define USER_ASSERT_NO_LEAK(b, what)                                            \
    do {                                                                        \
        struct user_baseline n_;                                                \
        user_baseline_take(&n_);                                                \
        if (n_.procs != (b)->procs || n_.upages != (b)->upages ||               \
            n_.k.process_free != (b)->k.process_free ||                         \
            n_.k.kernel_free != (b)->k.kernel_free ||                           \
            n_.k.heap_blocks != (b)->k.heap_blocks || n_.k.threads != (b)->k.threads) \
            KT_FAIL("%s must give back everything once reaped: processes %u->%u, user " \
                    "pages %lu->%lu, free frames process %lu->%lu kernel %lu->%lu, heap " \
                    "blocks %lu->%lu, threads %lu->%lu", what, (b)->procs, n_.procs,       \
                    (b)->upages, n_.upages, (b)->k.process_free, n_.k.process_free,     \
                    (b)->k.kernel_free, n_.k.kernel_free, (b)->k.heap_blocks,           \
                    n_.k.heap_blocks, (b)->k.threads, n_.k.threads);                    \
    } while (0)

/* Spawn the program and arguments of LINE (words split at spaces) as a child
 * of the kernel and wait for it: its wait status; a spawn error fails the
 * test. */
int user_run(const char *line);

/* Spawn LINE without waiting: its pid (a spawn error fails the test). */
int user_start(const char *line);

/* Spawn LINE, but make its thread's first "return to ring 3" start
 * KERNEL_ENTRY in ring 0 instead, inside the new process's address space (for
 * tests that must run kernel code as that process). Its pid (a spawn error
 * fails the test). Caller must have interrupts off, so that the thread cannot
 * start before the redirect; KERNEL_ENTRY must never return. */
int user_start_in_ring0(const char *line, void (*kernel_entry)(void));

/* The state of process PID, PROC_FREE if it is gone (any interrupt level). */
enum proc_state user_state_of(int pid);

/* The pid of the live process named NAME whose parent is PPID, or -1. */
int user_find(const char *name, int ppid);

/* Fail unless STATUS (from LINE) is a normal exit with CODE. */
void user_expect_exit(const char *line, int status, int code);

/* Fail unless STATUS (from LINE) says the kernel ended it with REASON or
 * ALT (an exception vector some CPUs report instead). */
void user_expect_killed(const char *line, int status, int reason, int alt);

#endif
