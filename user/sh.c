/* sh.c: the shell: runs programs by name with arguments (spawn + wait; "double quotes" keep
 * spaces in an argument) and says how each ended;
 * built-ins: help, exit, ps, bg (run without waiting), wait. As the first process it adopts
 * orphans: it reaps any child while it waits for the one in the foreground. */
#include "user/lib/ulib.h"

#define SH_LINE 256
#define SH_ARGS ABI_ARGV_MAX

static const char *sh_state(int state)
{
    switch (state) {
    case ABI_PROC_RUNNING: return "running";
    case ABI_PROC_READY: return "ready";
    case ABI_PROC_BLOCKED: return "blocked";
    case ABI_PROC_ZOMBIE: return "zombie";
    default: return "?";
    }
}

static void sh_ps(void)
{
    struct abi_procinfo info;
    printf("  PID  PPID STATE    PAGES NAME\n");
    for (int i = 0; procinfo(i, &info) == 0; i++)
        printf("%5d %5d %-8s %5u %s\n", info.pid, info.ppid, sh_state(info.state), info.pages,
               info.name);
}

static void sh_help(void)
{
    printf("StepOS shell. Type a program's name and its arguments, e.g. 'echo hi', 'args a b';\n"
           "double quotes keep spaces in one argument: args \"a b\" c (\\\" is a quote).\n"
           "Built-ins: help, exit [N], ps (processes), bg PROGRAM ARGS (do not wait),\n"
           "wait (reap every finished background program).\n"
           "Try: hello, echo, args, exitcode 3, t_div0, t_priv cli, t_mem read 0x100000.\n");
}

/* Report how PID ended. */
static void sh_report(const char *name, int pid, int status)
{
    char text[64];
    printf("[%d] %s: %s\n", pid, name, status_text(status, text, sizeof text));
}

/* Run one command line; false when the shell should end (*CODE its status). */
static bool sh_run(char **argv, int argc, int *code)
{
    if (strcmp(argv[0], "exit") == 0) {
        *code = argc > 1 ? atoi(argv[1]) : 0;
        return false;
    }
    if (strcmp(argv[0], "help") == 0) {
        sh_help();
    } else if (strcmp(argv[0], "ps") == 0) {
        sh_ps();
    } else if (strcmp(argv[0], "wait") == 0) {
        int status, pid;
        while ((pid = wait(-1, &status)) > 0)
            sh_report("background", pid, status);
    } else {
        bool background = strcmp(argv[0], "bg") == 0;
        char **prog = background ? argv + 1 : argv;
        if (prog[0] == NULL) {
            printf("bg: which program?\n");
            return true;
        }
        int pid = spawn(prog[0], prog);
        if (pid < 0) {
            printf("%s: cannot run: %s (%d)%s\n", prog[0], errname(pid), pid,
                   pid == -E_NOENT ? "; 'help' lists a few programs" : "");
        } else if (background) {
            printf("[%d] %s started\n", pid, prog[0]);
        } else {
            /* Wait for any child, so background programs and orphans the shell adopted
             * (it may be the first process) are reaped too, until the foreground one ends. */
            int status, r;
            while ((r = wait(-1, &status)) > 0 && r != pid)
                sh_report("background", r, status);
            if (r < 0)
                perror_code("sh: wait", r);
            else
                sh_report(prog[0], pid, status);
        }
    }
    return true;
}

int main(void)
{
    char line[SH_LINE];
    char *argv[SH_ARGS + 1];
    int code = 0;

    printf("StepOS user shell (pid %d); 'help' lists the built-ins\n", getpid());
    for (;;) {
        printf("$ ");
        int n = readline(line, sizeof line);
        if (n < 0)
            break; /* end of input */
        const char *why;
        int argc = split_words(line, argv, SH_ARGS, &why);
        if (argc < 0)
            printf("sh: %s; nothing run\n", why);
        else if (argc > 0 && !sh_run(argv, argc, &code))
            break;
    }
    return code;
}
