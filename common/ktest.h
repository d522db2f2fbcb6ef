/* ktest.h: in-kernel unit tests, collected in the ktest registration table. */
#ifndef COMMON_KTEST_H
#define COMMON_KTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "kstring.h"
#include "ktable.h"

/* One registered test. The linker gathers these between __ktest_start and
 * __ktest_end (registration table ktest, common/ktable.h); benchmarks the
 * same way in table kbench. */
struct ktest {
    const char *name;
    void (*fn)(void);
};
KTABLE_DECLARE(const struct ktest, ktest);
KTABLE_DECLARE(const struct ktest, kbench);

/* Declare a test:  KTEST(frames_alloc_single) { ... KT_ASSERT(...); ... } */
#define KTEST(tname)                                                         \
    static void ktest_fn_##tname(void);                                      \
    static const struct ktest ktest_desc_##tname                             \
        KTABLE_ENTRY(ktest) = {                                              \
            #tname, ktest_fn_##tname};                                       \
    static void ktest_fn_##tname(void)

/* Report "KTEST FAIL <test> file:line: <message>" and abandon the running test
 * (control returns to the runner). Only valid while a test runs. */
void ktest_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

#define KT_FAIL(...) ktest_fail_at(__FILE__, __LINE__, __VA_ARGS__)

#define KT_ASSERT(cond)                                                      \
    do {                                                                     \
        if (!(cond))                                                         \
            KT_FAIL("assertion `%s' failed", #cond);                         \
    } while (0)

/* Compare two integers (evaluated once, as long). Order: actual, expected. */
#define KT_ASSERT_EQ(actual, expected)                                       \
    do {                                                                     \
        long kt_a_ = (long)(actual), kt_e_ = (long)(expected);               \
        if (kt_a_ != kt_e_)                                                  \
            KT_FAIL("%s == %s: expected %ld, got %ld", #actual, #expected,   \
                    kt_e_, kt_a_);                                           \
    } while (0)

#define KT_ASSERT_NE(actual, unexpected)                                     \
    do {                                                                     \
        long kt_a_ = (long)(actual), kt_e_ = (long)(unexpected);             \
        if (kt_a_ == kt_e_)                                                  \
            KT_FAIL("%s != %s: both are %ld", #actual, #unexpected, kt_a_);  \
    } while (0)

/* Same, for addresses and bit patterns: values printed in hex. */
#define KT_ASSERT_EQ_HEX(actual, expected)                                   \
    do {                                                                     \
        unsigned long kt_a_ = (unsigned long)(actual);                       \
        unsigned long kt_e_ = (unsigned long)(expected);                     \
        if (kt_a_ != kt_e_)                                                  \
            KT_FAIL("%s == %s: expected 0x%lx, got 0x%lx", #actual,          \
                    #expected, kt_e_, kt_a_);                                \
    } while (0)

#define KT_ASSERT_STR_EQ(actual, expected)                                   \
    do {                                                                     \
        const char *kt_a_ = (actual), *kt_e_ = (expected);                   \
        if (strcmp(kt_a_, kt_e_) != 0)                                      \
            KT_FAIL("%s: expected \"%s\", got \"%s\"", #actual, kt_e_,       \
                    kt_a_);                                                  \
    } while (0)

/* ---- Tests that expect a CPU exception -------------------------------- */

/* What the exception handler saw when it delivered an expected fault. */
struct ktest_fault {
    uint32_t vector;     /* exception number, e.g. 14 for #PF */
    uint32_t error_code; /* CPU error code, 0 if the exception has none */
    uint32_t cr2;        /* faulting linear address (page faults) */
    uint32_t eip;        /* instruction that faulted */
};

/* Saved registers for ksetjmp/klongjmp (common/kjmp.asm). */
typedef struct {
    uint32_t ebx, esi, edi, ebp, esp, eip, eflags;
} kjmp_buf[1];

int ksetjmp(kjmp_buf buf) __attribute__((returns_twice));
void klongjmp(kjmp_buf buf, int val) __attribute__((noreturn));

/* Run STMT expecting exception VECTOR; the test fails if STMT completes or a
 * different exception arrives. Afterwards ktest_last_fault() describes it.
 * Interrupt state is restored to what it was before STMT. */
#define KT_EXPECT_FAULT(vector, stmt)                                        \
    do {                                                                     \
        if (ksetjmp(*ktest_catch_arm(vector)) == 0) {                        \
            stmt;                                                            \
            ktest_catch_disarm();                                            \
            KT_FAIL("expected exception %d, but `%s' completed",             \
                    (int)(vector), #stmt);                                   \
        }                                                                    \
    } while (0)

kjmp_buf *ktest_catch_arm(uint32_t vector);
void ktest_catch_disarm(void);
const struct ktest_fault *ktest_last_fault(void);

/* For the exception handler: true if the running test armed a catch for
 * VECTOR. Then ktest_deliver_fault() hands the details back to the test
 * (it does not return). Called with interrupts off. */
bool ktest_fault_expected(uint32_t vector);
void ktest_deliver_fault(const struct ktest_fault *fault) __attribute__((noreturn));

/* Print "KTEST FAIL <running test> <message>" (tagged like every protocol
 * line; "?" when no test runs) without abandoning the test: for exception
 * handlers, which then dump registers and call ktest_abandon_current() or
 * power off. Any context. */
void ktest_report_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Abandon the running test after its failure was already reported (used by
 * the exception handler). Only valid while a test runs. */
void ktest_abandon_current(void) __attribute__((noreturn));

/* ---- Runner ------------------------------------------------------------ */

/* Run every test whose name matches GLOBS (comma-separated list of patterns
 * with * and ?), printing the KTEST protocol lines (grade/README.md, "Protocol").
 * LAB is the lab name printed on START/DONE. Returns the number of failures. */
int ktest_run(const char *lab, const char *globs);

/* Hand the runner the grader's per-boot key (16 bytes; common/ktest_key.c
 * takes it off the command line at boot). From then on every protocol line
 * (START, RUN, PASS, FAIL, DONE, KMETRIC) ends with " #<seq>:<tag>", and a
 * test passes only if the kernel's code and test tables are still what they
 * were when the key arrived. One-shot: returns false, and changes nothing,
 * if a key was already set. */
bool ktest_set_key(const uint8_t key[16]);

/* With ON, after every test print the scheduling trace it left
 * (common/sched_trace.h) as tagged "KTRACE ..." lines (grade.py --timeline;
 * the `ktrace` command-line key). Boot only. */
void ktest_set_trace(bool on);

/* Name of the running test, or NULL. */
const char *ktest_current(void);

/* ---- Benchmarks -------------------------------------------------------- */

/* Declare a benchmark, run by the `bench` command-line key (make bench). It
 * reports with ktest_metric(); KT_ assertions work as in tests. */
#define KBENCH(bname)                                                        \
    static void kbench_fn_##bname(void);                                     \
    static const struct ktest kbench_desc_##bname                            \
        KTABLE_ENTRY(kbench) = {                                             \
            #bname, kbench_fn_##bname};                                      \
    static void kbench_fn_##bname(void)

/* Run every benchmark (protocol lines as for tests). Returns failures. */
int ktest_run_benches(const char *lab);

/* Print "KMETRIC name value unit". */
void ktest_metric(const char *name, unsigned long value, const char *unit);

#endif
