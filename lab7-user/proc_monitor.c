/* proc_monitor.c: the monitor's 'ps' and 'run PROGRAM ARGS...' (spawn from the kernel and wait). */
#include "common/kprintf.h"
#include "lab1-boot/monitor.h"
#include "proc.h"
#include "setup.h"
#include "uvm.h"

static const char *state_name(int s)
{
    switch (s) {
    case ABI_PROC_RUNNING: return "running";
    case ABI_PROC_READY: return "ready";
    case ABI_PROC_BLOCKED: return "blocked";
    case ABI_PROC_ZOMBIE: return "zombie";
    default: return "?";
    }
}

static int cmd_ps(int argc, char **argv)
{
    (void)argc, (void)argv;
    struct abi_procinfo info;
    kprintf("  pid  ppid state    pages name\n");
    for (int i = 0; proc_info(i, &info) == 0; i++)
        kprintf("%5d %5d %-8s %5u %s\n", info.pid, info.ppid, state_name(info.state),
                info.pages, info.name);
    kprintf("%u processes, %lu created since boot, %lu user pages mapped\n", proc_count(),
            proc_created(), uvm_total_pages());
    return 0;
}
MONITOR_COMMAND(ps, "", "list the user processes", cmd_ps);

static int cmd_run(int argc, char **argv)
{
    if (argc < 2) {
        kprintf("usage: run PROGRAM [ARGS...]\n");
        return 1;
    }
    if (!lab7_ready()) {
        kprintf("run: no user processes in this kernel\n");
        return 1;
    }
    int pid = proc_spawn(argv[1], argc - 1, argv + 1);
    if (pid < 0) {
        kprintf("run: %s: error %d\n", argv[1], pid);
        return 1;
    }
    int status = 0;
    proc_wait(pid, &status);
    if (ABI_WIFEXITED(status))
        kprintf("run: process %d exited with %d\n", pid, ABI_WEXITSTATUS(status));
    else
        kprintf("run: process %d was ended: reason %u\n", pid, ABI_WKILLREASON(status));
    return 0;
}
MONITOR_COMMAND(run, "PROGRAM [ARGS...]", "run a user program and wait for it", cmd_run);
