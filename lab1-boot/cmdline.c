/* cmdline.c: parse the kernel command line; report unknown keys. */
#include <stddef.h>

#include "cmdline.h"
#include "common/kprintf.h"
#include "common/kstring.h"

KTABLE_DEFINE(const struct cmdline_key, cmdkey);

#define CMDLINE_ULONG_MAX ((unsigned long)-1)

static struct cmdline boot_cmdline;
static char boot_text[CMDLINE_MAX_LEN];

CMDLINE_KEY(test, "run the tests matching GLOB[,GLOB...], then power off");
CMDLINE_NUM_KEY(seed, "seed for test randomisation and timer jitter", 0, CMDLINE_ULONG_MAX);
CMDLINE_KEY(bench, "run the benchmarks, print KMETRIC lines, power off");
CMDLINE_KEY(ktrace, "after each test print its scheduling trace (KTRACE lines, grade.py --timeline)");

void cmdline_parse(struct cmdline *cl, const char *text)
{
    char *p = cl->buf;

    strlcpy(cl->buf, text, sizeof cl->buf);
    cl->count = 0;
    for (;;) {
        while (k_isspace(*p))
            p++;
        if (*p == '\0')
            break;
        char *word = p;
        while (*p && !k_isspace(*p))
            p++;
        if (*p)
            *p++ = '\0';
        if (cl->count == CMDLINE_MAX_ARGS) {
            kprintf("cmdline: too many words, ignoring '%s'\n", word);
            continue;
        }
        char *eq = strchr(word, '=');
        cl->keys[cl->count] = word;
        cl->values[cl->count] = eq ? eq + 1 : "";
        if (eq)
            *eq = '\0';
        cl->count++;
    }
}

const char *cmdline_lookup(const struct cmdline *cl, const char *key)
{
    for (int i = cl->count - 1; i >= 0; i--) /* the last one wins */
        if (strcmp(cl->keys[i], key) == 0)
            return cl->values[i];
    return NULL;
}

static const struct cmdline_key *cmdline_key_find(const char *key)
{
    for (const struct cmdline_key *k = __cmdkey_start; k < __cmdkey_end; k++)
        if (strcmp(k->name, key) == 0)
            return k;
    return NULL;
}

static int cmdline_digit(char c, unsigned long base)
{
    int d = k_isdigit(c) ? c - '0' : k_isxdigit(c) ? k_tolower(c) - 'a' + 10 : -1;
    return d >= 0 && (unsigned long)d < base ? d : -1;
}

bool cmdline_parse_number(const char *text, unsigned long min, unsigned long max,
                          unsigned long *out, const char **why)
{
    const char *p = text;
    unsigned long base = 10, n = 0;

    if (*p == '\0') {
        *why = "no number";
        return false;
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
        if (*p == '\0') {
            *why = "no hex digits after 0x";
            return false;
        }
    } else if (p[0] == '0' && p[1] != '\0') {
        *why = "leading zero (octal is not accepted: write decimal, or 0x for hex)";
        return false;
    }
    for (; *p; p++) {
        int d = cmdline_digit(*p, base);
        if (d < 0) {
            *why = base == 16 ? "not a hex number" : "not a decimal number";
            return false;
        }
        if (n > (CMDLINE_ULONG_MAX - (unsigned long)d) / base) {
            *why = "too large";
            return false;
        }
        n = n * base + (unsigned long)d;
    }
    if (n < min || n > max) {
        *why = "out of range";
        return false;
    }
    *out = n;
    return true;
}

/* Judge VALUE of KEY against its registration; REPORT says why it is bad. */
static bool cmdline_number_of(const char *key, const char *value, bool report,
                              unsigned long *out)
{
    const struct cmdline_key *k = cmdline_key_find(key);
    unsigned long min = 0, max = CMDLINE_ULONG_MAX;
    const char *why;

    if (k != NULL && k->numeric) {
        min = k->min;
        max = k->max;
    }
    if (cmdline_parse_number(value, min, max, out, &why))
        return true;
    if (report)
        kprintf("cmdline: %s=%s: %s (expected %lu..%lu); ignored, the default is kept\n",
                key, value, why, min, max);
    return false;
}

void cmdline_init(const char *text)
{
    unsigned long n;

    strlcpy(boot_text, text, sizeof boot_text);
    cmdline_parse(&boot_cmdline, text);
    for (int i = 0; i < boot_cmdline.count; i++) {
        const struct cmdline_key *k = cmdline_key_find(boot_cmdline.keys[i]);
        if (k != NULL) {
            if (k->numeric)
                (void)cmdline_number_of(k->name, boot_cmdline.values[i], true, &n);
            continue;
        }
        kprintf("cmdline: unknown key '%s' ignored; known keys:",
                boot_cmdline.keys[i]);
        for (const struct cmdline_key *q = __cmdkey_start; q < __cmdkey_end; q++)
            kprintf(" %s", q->name);
        kprintf("\n");
    }
}

const char *cmdline_text(void)
{
    return boot_text;
}

const char *cmdline_get(const char *key)
{
    return cmdline_lookup(&boot_cmdline, key);
}

unsigned long cmdline_get_ulong(const char *key, unsigned long default_value)
{
    const char *v = cmdline_get(key);
    const struct cmdline_key *k = cmdline_key_find(key);
    unsigned long n;

    if (v == NULL)
        return default_value;
    /* a registered key's bad value was reported by cmdline_init */
    if (!cmdline_number_of(key, v, k == NULL || !k->numeric, &n))
        return default_value;
    return n;
}

bool cmdline_get_number(const char *key, unsigned long *out)
{
    const char *v = cmdline_get(key);
    const struct cmdline_key *k = cmdline_key_find(key);

    return v != NULL && cmdline_number_of(key, v, k == NULL || !k->numeric, out);
}
