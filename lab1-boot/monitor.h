/* monitor.h: the kernel monitor on the console; labs add commands with MONITOR_COMMAND. */
#ifndef LAB1_MONITOR_H
#define LAB1_MONITOR_H

#include "common/ktable.h"

#define MONITOR_MAX_ARGS 8

/* A command: FN gets argc/argv (argv[0] is the command name) and returns 0 on
 * success or non-zero after printing what went wrong. */
struct monitor_command {
    const char *name;
    const char *args; /* usage, e.g. "[GLOB]" */
    const char *help; /* one line */
    int (*fn)(int argc, char **argv);
};
KTABLE_DECLARE(const struct monitor_command, moncmd); /* defined in monitor.c */

/* Register a command from any file linked into the kernel:
 *   MONITOR_COMMAND(frames, "", "show the frame pools", cmd_frames); */
#define MONITOR_COMMAND(cname, cargs, chelp, cfn)                            \
    static const struct monitor_command monitor_cmd_##cname                  \
        KTABLE_ENTRY(moncmd) = {                                             \
            #cname, cargs, chelp, cfn}

/* Run one command line (split on spaces). Returns the command's result, or -1
 * for an unknown command. Thread context, interrupts on. */
int monitor_execute(char *line);

/* Prompt "stepos> ", read lines from the console and execute them, forever.
 * Thread context, interrupts on. */
void monitor_run(void) __attribute__((noreturn));

#endif
