/* cmdline.h: the kernel command line ("key=value key2 ..."), parsed once at boot. */
#ifndef LAB1_CMDLINE_H
#define LAB1_CMDLINE_H

#include <stdbool.h>

#define CMDLINE_MAX_ARGS 16
#define CMDLINE_MAX_LEN  512

/* A parsed command line: pointers into buf. */
struct cmdline {
    char buf[CMDLINE_MAX_LEN];       /* private copy, split in place */
    const char *keys[CMDLINE_MAX_ARGS];
    const char *values[CMDLINE_MAX_ARGS]; /* "" for a bare key */
    int count;
};

/* A key some lab understands; registered with CMDLINE_KEY so unknown keys
 * can be reported. */
struct cmdline_key {
    const char *name;
    const char *help;
};

#define CMDLINE_KEY(kname, khelp)                                            \
    static const struct cmdline_key cmdline_key_##kname                      \
        __attribute__((used, section(".cmdkey"), aligned(4))) = {#kname,     \
                                                                 khelp}

/* Split TEXT into CL. Words beyond CMDLINE_MAX_ARGS are reported and dropped.
 * Pure: usable in tests. */
void cmdline_parse(struct cmdline *cl, const char *text);

/* Value of KEY in CL, "" for a bare key, NULL if absent. */
const char *cmdline_lookup(const struct cmdline *cl, const char *key);

/* Parse the boot command line and report keys no lab registered. Boot only. */
void cmdline_init(const char *text);

/* The boot command line, as given. */
const char *cmdline_text(void);

/* Value of KEY on the boot command line, "" for a bare key, NULL if absent. */
const char *cmdline_get(const char *key);

/* Numeric value of KEY, or DEFAULT_VALUE if absent; a malformed number is
 * reported and DEFAULT_VALUE used. */
unsigned long cmdline_get_ulong(const char *key, unsigned long default_value);

#endif
