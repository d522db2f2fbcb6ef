/* cmdline.c: parse the kernel command line; report unknown keys. */
#include <stddef.h>

#include "cmdline.h"
#include "common/kprintf.h"
#include "common/kstring.h"

extern const struct cmdline_key __cmdkey_start[], __cmdkey_end[];

static struct cmdline boot_cmdline;
static char boot_text[CMDLINE_MAX_LEN];

CMDLINE_KEY(test, "run the tests matching GLOB[,GLOB...], then power off");
CMDLINE_KEY(seed, "seed for test randomisation and timer jitter");
CMDLINE_KEY(bench, "run the benchmarks, print KMETRIC lines, power off");

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

static bool cmdline_key_known(const char *key)
{
    for (const struct cmdline_key *k = __cmdkey_start; k < __cmdkey_end; k++)
        if (strcmp(k->name, key) == 0)
            return true;
    return false;
}

void cmdline_init(const char *text)
{
    strlcpy(boot_text, text, sizeof boot_text);
    cmdline_parse(&boot_cmdline, text);
    for (int i = 0; i < boot_cmdline.count; i++) {
        if (cmdline_key_known(boot_cmdline.keys[i]))
            continue;
        kprintf("cmdline: unknown key '%s' ignored; known keys:",
                boot_cmdline.keys[i]);
        for (const struct cmdline_key *k = __cmdkey_start; k < __cmdkey_end; k++)
            kprintf(" %s", k->name);
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
    char *end;

    if (v == NULL)
        return default_value;
    unsigned long n = strtoul(v, &end, 0);
    if (*v == '\0' || *end != '\0') {
        kprintf("cmdline: %s=%s is not a number; using %lu\n", key, v,
                default_value);
        return default_value;
    }
    return n;
}
