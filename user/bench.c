/* bench.c: `bench WHAT N` repeats one operation N times for the kernel's benchmarks, which count
 * the instructions of a run with N and one with 0 and divide the difference by N. WHAT: getpid
 * (a system call's round trip), fork (fork + exit + wait), spawn (spawn + exit + wait of
 * good_tiny), yield (with a yielding partner: two switches between user processes per round).
 * Exit 0; 2 = bad arguments; 1 = an operation failed. */
#include "user/lib/ulib.h"

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    int n = argc > 2 ? atoi(argv[2]) : 0;
    int status;
    if (strcmp(what, "getpid") == 0) {
        for (int i = 0; i < n; i++)
            getpid();
    } else if (strcmp(what, "fork") == 0) {
        for (int i = 0; i < n; i++) {
            int pid = fork();
            if (pid == 0)
                exit(0);
            if (pid < 0 || wait(pid, &status) != pid)
                return 1;
        }
    } else if (strcmp(what, "spawn") == 0) {
        char *tiny[] = {"good_tiny", NULL};
        for (int i = 0; i < n; i++) {
            int pid = spawn("good_tiny", tiny);
            if (pid < 0 || wait(pid, &status) != pid)
                return 1;
        }
    } else if (strcmp(what, "yield") == 0) {
        int partner = fork();
        if (partner == 0)
            for (;;)
                yield();
        if (partner < 0)
            return 1;
        for (int i = 0; i < n; i++)
            yield();
        kill(partner);
        wait(partner, &status);
    } else {
        printf("usage: bench getpid|fork|spawn|yield N\n");
        return 2;
    }
    return 0;
}
