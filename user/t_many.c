/* t_many.c: `t_many [N]` runs N (default 64) spinners at once: all must be alive together under
 * round robin; then each is killed and reaped with the kill status. Exit 0 = PASS. */
#include "user/lib/ulib.h"

#define MAX_SPIN 128

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 64;
    int pids[MAX_SPIN];
    char *spin_argv[] = {"t_spin", NULL};
    if (n < 1 || n > MAX_SPIN)
        n = 64;
    int started = 0;
    for (int i = 0; i < n; i++) {
        pids[i] = spawn("t_spin", spin_argv);
        if (pids[i] < 0) {
            CHECK(false, "spawn of spinner %d failed: %s", i, errname(pids[i]));
            break;
        }
        started++;
    }
    /* Every spinner alive at once (they never exit by themselves). */
    struct abi_procinfo info;
    int alive = 0;
    for (int i = 0; procinfo(i, &info) == 0; i++)
        if (info.ppid == getpid() && info.state != ABI_PROC_ZOMBIE &&
            strcmp(info.name, "t_spin") == 0)
            alive++;
    printf("t_many: %d spinners started, %d alive at once\n", started, alive);
    CHECK(alive == n, "%d spinners must be alive at once, procinfo lists %d", n, alive);
    yield();
    for (int i = 0; i < started; i++)
        CHECK(kill(pids[i]) == 0, "kill(spinner %d) failed", pids[i]);
    for (int i = 0; i < started; i++) {
        int status = 0;
        int r = wait(pids[i], &status);
        CHECK(r == pids[i] && !ABI_WIFEXITED(status) &&
                  ABI_WKILLREASON(status) == ABI_KILLED_BY_KILL,
              "spinner %d: wait gave pid %d status %#x, expected killed by kill()", pids[i], r,
              status);
    }
    return check_verdict("t_many");
}
