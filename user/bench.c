/* bench.c: `bench WHAT N` repeats one operation N times for the kernel's benchmarks, which count
 * the instructions of a run with N and one with 0 and divide the difference by N. WHAT: getpid
 * (a system call's round trip), fork (fork + exit + wait), spawn (spawn + exit + wait of
 * good_tiny), yield (with a yielding partner: two switches between user processes per round),
 * cowread and cowwrite (N pages touched, then one fork whose child reads, or writes, each of
 * them: the difference is N copy-on-write faults when fork shares pages).
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
    } else if (strcmp(what, "cowread") == 0 || strcmp(what, "cowwrite") == 0) {
        bool write = what[3] == 'w';
        volatile char *r = n > 0 ? mem_alloc((unsigned)n * 4096) : NULL;
        if (n > 0 && r == NULL)
            return 1;
        for (int i = 0; i < n; i++)
            r[i * 4096] = 1;
        int pid = fork();
        if (pid == 0) {
            int sum = 0;
            for (int i = 0; i < n; i++) {
                if (write)
                    r[i * 4096] = 2;
                else
                    sum += r[i * 4096];
            }
            exit(sum == n || write ? 0 : 1);
        }
        if (pid < 0 || wait(pid, &status) != pid || status != 0)
            return 1;
    } else {
        printf("usage: bench getpid|fork|spawn|yield|cowread|cowwrite N\n");
        return 2;
    }
    return 0;
}
