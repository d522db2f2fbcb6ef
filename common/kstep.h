/* kstep.h: a lab's test failures and panics name the handout step they point at, from the lab's step table and probes. */
#ifndef COMMON_KSTEP_H
#define COMMON_KSTEP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ktable.h"

/* A probe: true if its step looks done; else false with what it found in
 * WHY (at most SIZE bytes). Runs inside a failing test. */
typedef bool kstep_probe_fn(char *why, size_t size);

/* Test TEST belongs to step STEP; a TEST ending in '*' is a name prefix. */
struct kstep_test {
    const char *test;
    int step;
};

/* Code NAME belongs to step STEP (for panics): NAME is a function, or a
 * source file ending in ".c" (matched against the end of the panic's path). */
struct kstep_code {
    const char *name;
    int step;
};

/*
 * One lab's steps. text[1..n_text-1] are what failures start with, e.g.
 * "step 2 (cfp_init_bitmap)" or "challenge (buddy allocator)"; text[0] is
 * unused (0 = no step). Steps 1..n_probed have a probe each (probe[s], or
 * probe == NULL): when a test of one of these steps (or, with
 * probe_unowned, of none) fails, the probes run in order and the first step
 * found not done is named before the test's own. Steps above n_probed
 * (challenges, groups) are never probed.
 */
struct kstep_table {
    const char *const *text;
    int n_text;
    kstep_probe_fn *const *probe;
    int n_probed;
    bool probe_unowned;
    bool keep_named; /* a message that names a step already keeps its text */
    const struct kstep_test *tests; /* which step each test checks */
    size_t n_tests;
    /* Optional: the running test's step right now (0: look TEST up in
     * tests). Lets a lab follow what a test is doing (lab 6's disk mode). */
    int (*step_now)(const char *test);
    const struct kstep_code *code; /* for panics: which step owns which code */
    size_t n_code;
    /* Optional: a panic's step found another way (0: none), e.g. from the
     * lab's last fault report. FILE is NULL for an exception. */
    int (*panic_step)(const char *file, const char *func);
};

#define KSTEP_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The text of STEP of T, or NULL for 0 or out of range. Any context. */
const char *kstep_text(const struct kstep_table *t, int step);

/* The step test TEST checks (0 if none): step_now first, then the tests
 * table. Any context. */
int kstep_of_test(const struct kstep_table *t, const char *test);

/* The first probed step whose probe fails, with what it found in WHY; 0 if
 * every probe passes. Only while a test runs (probes may fail it). */
int kstep_first_undone(const struct kstep_table *t, char *why, size_t size);

/* True if MSG already starts with a step: "step ", "steps ", "challenge"
 * or "lab" (an earlier lab's step). Any context. (Only for keep_named
 * tables: elsewhere "step 3: ..." may be a test's own loop counter.) */
bool kstep_names_step(const char *msg);

/*
 * Fail the running test (ktest_fail_at) with FMT's message, the step in
 * front: MSG as it is if keep_named and it names a step already; else, with OWN the test's
 * step and UNDONE the first probed step not done (probes run only for a
 * probed OWN, or no OWN with probe_unowned):
 *   "<UNDONE> is not done: <why>; this test needs it: <msg>"  UNDONE != OWN
 *   "<OWN>: <msg> (and <why>)"                                 UNDONE == OWN
 *   "<OWN>: <msg>"                                             no UNDONE
 *   "<msg>"                                                    neither
 * Only while a test runs; called like ktest_fail_at.
 */
void kstep_fail_at(const struct kstep_table *t, const char *file, int line, const char *fmt,
                   va_list ap) __attribute__((noreturn, format(printf, 4, 0)));

/* Register table T for panics: panic_at and the exception report print the
 * step that owns the failing code after "KPANIC ...: ". In a lab's test or
 * step file; a kernel with several (the full system) asks each in link
 * order, and the first that names a step answers. */
struct kstep_panic {
    const struct kstep_table *table;
};
KTABLE_DECLARE(const struct kstep_panic, kstep_panic);
#define KSTEP_PANIC_TABLE(t)                                                  \
    static const struct kstep_panic kstep_panic_##t KTABLE_ENTRY(kstep_panic) = {&(t)}

/* The registered tables' step text for a panic in FUNC (of FILE; NULL for
 * an exception) whose frame chain starts at EBP (0: none): a table's
 * panic_step, else its code table for FUNC, FILE, then each caller on the
 * chain. NULL if no step owns it. Called while panicking, interrupts off:
 * only reads. */
const char *kstep_panic_note(const char *file, const char *func, uint32_t ebp);

#endif
