/* ktest.c: the in-kernel test runner and the KTEST line protocol, tagged when the grader gave a key. */
#include <stdarg.h>
#include <stddef.h>

#include "debug.h"
#include "format.h"
#include "intr_level.h"
#include "kprintf.h"
#include "kstring.h"
#include "ktest.h"
#include "sched_trace.h"
#include "siphash.h"

/* The test and benchmark tables (common/ktable.h). */
KTABLE_DEFINE(const struct ktest, ktest);
KTABLE_DEFINE(const struct ktest, kbench);

static const struct ktest *ktest_running; /* test in progress, or NULL */
static kjmp_buf ktest_abandon;            /* back to the runner on failure */

/* An expected exception, armed by KT_EXPECT_FAULT. */
static bool catch_armed;
static uint32_t catch_vector;
static kjmp_buf catch_jmp;
static struct ktest_fault catch_result;

#define GLOB_MAX 128
#define LINE_MAX 1024 /* a protocol line, tag included; longer messages are cut */
#define TAG_ROOM 32   /* " #<seq>:<16 hex digits>" */

/* Code, read-only data and every registration table: [__kernel_start,
 * __ktables_end) (common/kernel.ld). */
extern const char __kernel_start[], __ktables_end[];

static char line_buf[LINE_MAX];

/* The grader's per-boot key (ktest_set_key), the next line's sequence
 * number, and the keyed hash of code and tables when the key arrived. */
static uint8_t tag_key[SIPHASH_KEY_BYTES];
static bool tag_keyed;
static uint32_t tag_seq;
static uint64_t code_hash;
static bool trace_dump; /* ktest_set_trace: KTRACE lines after every test */

static uint64_t ktest_code_hash(void)
{
    return siphash24(tag_key, __kernel_start, (size_t)(__ktables_end - __kernel_start));
}

bool ktest_set_key(const uint8_t key[16])
{
    if (tag_keyed)
        return false;
    memcpy(tag_key, key, sizeof tag_key);
    tag_keyed = true;
    code_hash = ktest_code_hash();
    return true;
}

/* False if the boot has a key and code or tables changed since it arrived. */
static bool ktest_code_intact(void)
{
    return !tag_keyed || ktest_code_hash() == code_hash;
}

/* Append the decimal digits of N at P; returns the end. (Tags do not go
 * through the formatting engine, so they stay right even when it is not.) */
static char *put_decimal(char *p, uint32_t n)
{
    char digits[10];
    int k = 0;

    do {
        digits[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n != 0);
    while (k > 0)
        *p++ = digits[--k];
    return p;
}

/* With a key, append " #<seq>:<tag>" to the text in line_buf: the tag is the
 * SipHash-2-4 of "<text> #<seq>" under the key, 16 hex digits
 * (grade/linetag.py). line_buf has TAG_ROOM bytes free after the text. */
static void ktest_seal(void)
{
    static const char hex[] = "0123456789abcdef";

    if (!tag_keyed)
        return;
    char *p = line_buf + strlen(line_buf);
    *p++ = ' ';
    *p++ = '#';
    p = put_decimal(p, tag_seq++);
    uint64_t mac = siphash24(tag_key, line_buf, (size_t)(p - line_buf));
    *p++ = ':';
    for (int shift = 60; shift >= 0; shift -= 4)
        *p++ = hex[(mac >> shift) & 0xF];
    *p = '\0';
}

/* Print one protocol line: the text of FMT (and a message MSG_FMT/MSG_AP
 * after it, if MSG_FMT is not NULL), control bytes shown as '?', tagged when
 * the boot has a key, in one piece with interrupts off. */
static void ktest_line(const char *msg_fmt, va_list *msg_ap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ktest_line(const char *msg_fmt, va_list *msg_ap, const char *fmt, ...)
{
    const size_t room = sizeof line_buf - TAG_ROOM;
    enum intr_level old = intr_disable();
    va_list ap;

    va_start(ap, fmt);
    size_t n = (size_t)kvsnprintf(line_buf, room, fmt, ap);
    va_end(ap);
    if (msg_fmt != NULL && n < room - 1)
        kvsnprintf(line_buf + n, room - n, msg_fmt, *msg_ap);
    for (char *c = line_buf; *c; c++)
        if ((unsigned char)*c < ' ' || (unsigned char)*c > '~')
            *c = '?';
    ktest_seal();
    kprintf("%s\n", line_buf);
    memset(line_buf, 0, sizeof line_buf); /* leave no tagged line in memory */
    intr_set_level(old);
}

void ktest_set_trace(bool on)
{
    trace_dump = on;
}

/* One KTRACE line of the scheduling trace (sched_trace_dump's EMIT). */
static void ktest_trace_line(const char *text)
{
    ktest_line(NULL, NULL, "KTRACE %s", text);
}

/* True if NAME matches one of the comma-separated patterns in GLOBS. */
static bool ktest_selected(const char *name, const char *globs)
{
    char pat[GLOB_MAX];

    while (*globs) {
        size_t n = 0;
        while (globs[n] && globs[n] != ',')
            n++;
        if (n > 0 && n < GLOB_MAX) {
            memcpy(pat, globs, n);
            pat[n] = '\0';
            if (glob_match(pat, name))
                return true;
        }
        globs += n;
        if (*globs == ',')
            globs++;
    }
    return false;
}

static int ktest_count(const char *globs)
{
    int n = 0;
    for (const struct ktest *t = __ktest_start; t < __ktest_end; t++)
        n += ktest_selected(t->name, globs);
    return n;
}

/* Run one test; true if it passed. */
static bool ktest_run_one(const struct ktest *t)
{
    enum intr_level level = intr_get_level();
    volatile bool passed = false; /* survives klongjmp */

    ktest_line(NULL, NULL, "KTEST RUN %s", t->name);
    ktest_running = t;
    sched_trace_reset(); /* the trace of this test only */
    if (ksetjmp(ktest_abandon) == 0) {
        t->fn();
        passed = true;
    }
    ktest_running = NULL;
    catch_armed = false;
    intr_set_level(level);
    if (passed && !ktest_code_intact()) {
        ktest_line(NULL, NULL, "KTEST FAIL %s ktest: INTEGRITY: the kernel's code or "
                   "test tables changed since boot", t->name);
        passed = false;
    }
    if (passed)
        ktest_line(NULL, NULL, "KTEST PASS %s", t->name);
    if (trace_dump)
        sched_trace_dump(t->name, ktest_trace_line);
    return passed;
}

int ktest_run(const char *lab, const char *globs)
{
    int passed = 0, failed = 0;

    ktest_line(NULL, NULL, "KTEST START %s %d", lab, ktest_count(globs));
    for (const struct ktest *t = __ktest_start; t < __ktest_end; t++) {
        if (!ktest_selected(t->name, globs))
            continue;
        if (ktest_run_one(t))
            passed++;
        else
            failed++;
    }
    ktest_line(NULL, NULL, "KTEST DONE %s: %d passed, %d failed", lab, passed, failed);
    return failed;
}

int ktest_run_benches(const char *lab)
{
    int passed = 0, failed = 0;

    ktest_line(NULL, NULL, "KTEST START %s-bench %d", lab,
               (int)(__kbench_end - __kbench_start));
    for (const struct ktest *b = __kbench_start; b < __kbench_end; b++) {
        if (ktest_run_one(b))
            passed++;
        else
            failed++;
    }
    ktest_line(NULL, NULL, "KTEST DONE %s-bench: %d passed, %d failed", lab, passed,
               failed);
    return failed;
}

const char *ktest_current(void)
{
    return ktest_running ? ktest_running->name : NULL;
}

void ktest_fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ktest_line(fmt, &ap, "KTEST FAIL %s %s:%d: ",
               ktest_running ? ktest_running->name : "?", file, line);
    va_end(ap);
    if (ktest_running == NULL) /* a KT_ assertion used outside a test */
        panic_at(file, line, __func__, "test assertion failed outside a test");
    klongjmp(ktest_abandon, 1);
}

void ktest_report_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ktest_line(fmt, &ap, "KTEST FAIL %s ", ktest_running ? ktest_running->name : "?");
    va_end(ap);
}

void ktest_abandon_current(void)
{
    if (ktest_running == NULL)
        PANIC("no test is running");
    klongjmp(ktest_abandon, 1);
}

kjmp_buf *ktest_catch_arm(uint32_t vector)
{
    catch_vector = vector;
    catch_armed = true;
    return &catch_jmp;
}

void ktest_catch_disarm(void)
{
    catch_armed = false;
}

const struct ktest_fault *ktest_last_fault(void)
{
    return &catch_result;
}

bool ktest_fault_expected(uint32_t vector)
{
    return ktest_running != NULL && catch_armed && catch_vector == vector;
}

void ktest_deliver_fault(const struct ktest_fault *fault)
{
    catch_result = *fault;
    catch_armed = false;
    klongjmp(catch_jmp, 1);
}

void ktest_metric(const char *name, unsigned long value, const char *unit)
{
    ktest_line(NULL, NULL, "KMETRIC %s %lu %s", name, value, unit);
}
