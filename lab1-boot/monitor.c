/* monitor.c: the interactive kernel monitor and its lab-1 commands. */
#include <stddef.h>

#include "bootinfo.h"
#include "cmdline.h"
#include "common/kprintf.h"
#include "common/ksyms.h"
#include "common/kstring.h"
#include "common/ktest.h"
#include "common/power.h"
#include "common/x86.h"
#include "input.h"
#include "kernel.h"
#include "monitor.h"
#include "pit.h"

#define MONITOR_LINE_MAX 128

KTABLE_DEFINE(const struct monitor_command, moncmd);

static int split_args(char *line, char **argv)
{
    int argc = 0;

    for (char *p = line; *p;) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (*p == '\0')
            break;
        if (argc == MONITOR_MAX_ARGS) {
            kprintf("too many arguments (max %d)\n", MONITOR_MAX_ARGS - 1);
            return -1;
        }
        argv[argc++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    return argc;
}

int monitor_execute(char *line)
{
    char *argv[MONITOR_MAX_ARGS + 1];
    int argc = split_args(line, argv);

    if (argc <= 0)
        return argc;
    argv[argc] = NULL;
    for (const struct monitor_command *c = __moncmd_start; c < __moncmd_end; c++)
        if (strcmp(c->name, argv[0]) == 0)
            return c->fn(argc, argv);
    kprintf("unknown command '%s'; type 'help'\n", argv[0]);
    return -1;
}

void monitor_run(void)
{
    char line[MONITOR_LINE_MAX];

    kprintf("Type 'help' for commands.\n");
    for (;;) {
        kprintf("stepos> ");
        input_readline(line, sizeof line);
        monitor_execute(line);
    }
}

/* ---- lab-1 commands ---------------------------------------------------- */

/* The command that sorts right after PREV by name (NULL: the first). */
static const struct monitor_command *next_by_name(const struct monitor_command *prev)
{
    const struct monitor_command *best = NULL;

    for (const struct monitor_command *c = __moncmd_start; c < __moncmd_end; c++)
        if ((prev == NULL || strcmp(c->name, prev->name) > 0) &&
            (best == NULL || strcmp(c->name, best->name) < 0))
            best = c;
    return best;
}

static int cmd_help(int argc, char **argv)
{
    (void)argc, (void)argv;
    for (const struct monitor_command *c = next_by_name(NULL); c; c = next_by_name(c))
        kprintf("  %-10s %-12s %s\n", c->name, c->args, c->help);
    return 0;
}
MONITOR_COMMAND(help, "", "list commands", cmd_help);

static const char *e820_type_name(uint32_t type)
{
    switch (type) {
    case E820_USABLE: return "usable";
    case E820_RESERVED: return "reserved";
    case E820_ACPI: return "ACPI reclaimable";
    case E820_NVS: return "ACPI NVS";
    case E820_BAD: return "bad memory";
    default: return "unknown";
    }
}

/* Print the E820 map (used by 'info'). */
static void info_memory_map(void)
{
    const struct boot_info *bi = boot_info();
    uint32_t usable_kib = 0;

    kprintf("memory map (BIOS E820, %lu entries):\n",
            (unsigned long)bi->e820_count);
    for (uint32_t i = 0; i < bi->e820_count; i++) {
        const struct e820_entry *e = &bi->e820[i];
        uint32_t base = (uint32_t)e->base, len = (uint32_t)e->length;
        kprintf("  %08lx-%08lx %8lu KiB  %s\n", (unsigned long)base,
                (unsigned long)(base + len - 1), (unsigned long)(len / 1024),
                e820_type_name(e->type));
        if (e->type == E820_USABLE)
            usable_kib += len / 1024;
    }
    kprintf("  usable: %lu KiB\n", (unsigned long)usable_kib);
}

static int cmd_info(int argc, char **argv)
{
    (void)argc, (void)argv;
    kprintf("StepOS %s\n", LAB_TITLE);
    kprintf("kernel: %p-%p, boot drive 0x%02lx, %lu sectors\n",
            (void *)__kernel_start, (void *)__kernel_end,
            (unsigned long)boot_info()->boot_drive,
            (unsigned long)boot_info()->kernel_sectors);
    info_memory_map();
    kprintf("ticks: %lu at %lu Hz\n", (unsigned long)timer_ticks(),
            (unsigned long)pit_hz());
    kprintf("command line: \"%s\"\n", cmdline_text());
    return 0;
}
MONITOR_COMMAND(info, "", "memory map, ticks, command line", cmd_info);

static int cmd_test(int argc, char **argv)
{
    return ktest_run(LAB_NAME, argc > 1 ? argv[1] : "*") ? 1 : 0;
}
MONITOR_COMMAND(test, "[GLOB]", "run the in-kernel tests matching GLOB", cmd_test);

static int cmd_backtrace(int argc, char **argv)
{
    (void)argc, (void)argv;
    kprintf("backtrace:\n");
    backtrace_print(read_ebp());
    return 0;
}
MONITOR_COMMAND(backtrace, "", "print the call stack", cmd_backtrace);

static int cmd_exit(int argc, char **argv)
{
    (void)argc, (void)argv;
    kprintf("powering off\n");
    power_off(POWER_OK);
}
MONITOR_COMMAND(exit, "", "power off", cmd_exit);
