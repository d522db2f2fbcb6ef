/* cmdline.h: the kernel command line ("key=value key2 ..."), parsed once at boot. */
#ifndef LAB1_CMDLINE_H
#define LAB1_CMDLINE_H

#include <stdbool.h>

#include "common/ktable.h"

#define CMDLINE_MAX_ARGS 16
#define CMDLINE_MAX_LEN  512

/* A parsed command line: pointers into buf. */
struct cmdline {
    char buf[CMDLINE_MAX_LEN];       /* private copy, split in place */
    const char *keys[CMDLINE_MAX_ARGS];
    const char *values[CMDLINE_MAX_ARGS]; /* "" for a bare key */
    int count;
};

/* A key some lab understands; registered with CMDLINE_KEY (any text) or
 * CMDLINE_NUM_KEY (a number in min..max) so unknown keys and bad numbers can
 * be reported at boot. */
struct cmdline_key {
    const char *name;
    const char *help;
    bool numeric;
    unsigned long min, max;
};
KTABLE_DECLARE(const struct cmdline_key, cmdkey); /* defined in cmdline.c */

#define CMDLINE_KEY(kname, khelp)                                            \
    static const struct cmdline_key cmdline_key_##kname                      \
        KTABLE_ENTRY(cmdkey) = {                                             \
            #kname, khelp, false, 0, 0}

#define CMDLINE_NUM_KEY(kname, khelp, kmin, kmax)                            \
    static const struct cmdline_key cmdline_key_##kname                      \
        KTABLE_ENTRY(cmdkey) = {                                             \
            #kname, khelp, true, (kmin), (kmax)}

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

/* Parse TEXT as a number for the command line: decimal digits without a
 * leading zero ("0" itself is fine), or "0x" and hex digits; no sign, no
 * spaces, no octal. True with *OUT set if it is one and lies in MIN..MAX;
 * false with *WHY naming the problem otherwise. Pure: usable in tests. */
bool cmdline_parse_number(const char *text, unsigned long min, unsigned long max,
                          unsigned long *out, const char **why);

/* Numeric value of KEY (range: its CMDLINE_NUM_KEY registration, else any
 * unsigned long), or DEFAULT_VALUE if it is absent, malformed or out of
 * range. A bad value of a registered key was reported at boot; of an
 * unregistered one, it is reported here. */
unsigned long cmdline_get_ulong(const char *key, unsigned long default_value);

/* True with *OUT set if KEY is on the command line with a valid number (as
 * cmdline_get_ulong judges it); false if it is absent or bad. */
bool cmdline_get_number(const char *key, unsigned long *out);

#endif
