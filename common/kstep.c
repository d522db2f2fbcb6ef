/* kstep.c: put the handout step a failure points at in front of its message, from a lab's step table (kstep.h). */
#include <stdarg.h>

#include "format.h"
#include "ksyms.h"
#include "kstep.h"
#include "kstring.h"
#include "ktest.h"

#define KSTEP_MSG_MAX 512
#define KSTEP_WHY_MAX 320
#define KSTEP_CALLERS 16 /* frames of the chain a panic's step is looked for in */

KTABLE_DEFINE(const struct kstep_panic, kstep_panic);

const char *kstep_text(const struct kstep_table *t, int step)
{
    return step > 0 && step < t->n_text ? t->text[step] : NULL;
}

/* True if TEST is PATTERN, or starts with it when PATTERN ends in '*'. */
static bool kstep_test_matches(const char *pattern, const char *test)
{
    size_t n = strlen(pattern);
    if (n > 0 && pattern[n - 1] == '*')
        return strncmp(pattern, test, n - 1) == 0;
    return strcmp(pattern, test) == 0;
}

int kstep_of_test(const struct kstep_table *t, const char *test)
{
    int now = t->step_now != NULL ? t->step_now(test) : 0;
    if (now != 0)
        return now;
    for (size_t i = 0; test != NULL && i < t->n_tests; i++)
        if (kstep_test_matches(t->tests[i].test, test))
            return t->tests[i].step;
    return 0;
}

int kstep_first_undone(const struct kstep_table *t, char *why, size_t size)
{
    for (int s = 1; t->probe != NULL && s <= t->n_probed; s++)
        if (t->probe[s] != NULL && !t->probe[s](why, size))
            return s;
    return 0;
}

bool kstep_names_step(const char *msg)
{
    return strncmp(msg, "step ", 5) == 0 || strncmp(msg, "steps ", 6) == 0 ||
           strncmp(msg, "challenge", 9) == 0 || strncmp(msg, "lab", 3) == 0;
}

void kstep_fail_at(const struct kstep_table *t, const char *file, int line, const char *fmt,
                   va_list ap)
{
    static char msg[KSTEP_MSG_MAX], why[KSTEP_WHY_MAX];

    kvsnprintf(msg, sizeof msg, fmt, ap);
    if (t->keep_named && kstep_names_step(msg))
        ktest_fail_at(file, line, "%s", msg);
    int own = kstep_of_test(t, ktest_current());
    bool probe = own == 0 ? t->probe_unowned : own <= t->n_probed;
    int undone = probe ? kstep_first_undone(t, why, sizeof why) : 0;
    if (undone != 0 && undone != own)
        ktest_fail_at(file, line, "%s is not done: %s; this test needs it: %s",
                      kstep_text(t, undone), why, msg);
    if (undone != 0)
        ktest_fail_at(file, line, "%s: %s (and %s)", kstep_text(t, own), msg, why);
    if (kstep_text(t, own) != NULL)
        ktest_fail_at(file, line, "%s: %s", kstep_text(t, own), msg);
    ktest_fail_at(file, line, "%s", msg);
}

/* ---- Panics ---------------------------------------------------------------- */

/* True if PATH is NAME or ends in "/NAME". */
static bool kstep_path_is(const char *path, const char *name)
{
    size_t p = strlen(path), n = strlen(name);
    return p >= n && strcmp(path + p - n, name) == 0 && (p == n || path[p - n - 1] == '/');
}

/* The step of T that owns function FUNC (IS_FILE false) or source FILE. */
static int kstep_code_step(const struct kstep_table *t, const char *name, bool is_file)
{
    for (size_t i = 0; name != NULL && i < t->n_code; i++) {
        const char *c = t->code[i].name;
        size_t n = strlen(c);
        bool file_entry = n > 2 && strcmp(c + n - 2, ".c") == 0;
        if (file_entry == is_file &&
            (is_file ? kstep_path_is(name, c) : strcmp(name, c) == 0))
            return t->code[i].step;
    }
    return 0;
}

/* Table T's step for a panic in FUNC of FILE with the callers RETS[0..N). */
static int kstep_panic_step(const struct kstep_table *t, const char *file, const char *func,
                            const uint32_t *rets, int n)
{
    int step = t->panic_step != NULL ? t->panic_step(file, func) : 0;
    if (step == 0)
        step = kstep_code_step(t, func, false);
    if (step == 0)
        step = kstep_code_step(t, file, true);
    for (int i = 0; step == 0 && i < n; i++)
        step = kstep_code_step(t, ksyms_lookup(rets[i], NULL), false);
    return step;
}

const char *kstep_panic_note(const char *file, const char *func, uint32_t ebp)
{
    uint32_t rets[KSTEP_CALLERS];
    int n = -1; /* the chain is walked only if some table is registered */
    for (const struct kstep_panic *p = __kstep_panic_start; p < __kstep_panic_end; p++) {
        if (n < 0)
            n = ebp != 0 ? backtrace_collect(ebp, rets, KSTEP_CALLERS) : 0;
        int step = kstep_panic_step(p->table, file, func, rets, n);
        if (step != 0)
            return kstep_text(p->table, step);
    }
    return NULL;
}
