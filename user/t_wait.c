/* t_wait.c: exit codes reach wait(); a finished child stays a zombie until it is waited for;
 * wait() refuses non-children and reaps each child once. Exit 0 = PASS. */
#include "user/lib/ulib.h"

/* The state procinfo reports for PID, or -1 if it is not listed. */
static int state_of(int pid)
{
    struct abi_procinfo info;
    for (int i = 0; procinfo(i, &info) == 0; i++)
        if (info.pid == pid)
            return info.state;
    return -1;
}

int main(void)
{
    static const int codes[] = {0, 1, 42, 255};
    int pids[4];
    int status;

    for (int i = 0; i < 4; i++) { /* exit codes arrive intact, in any order of waiting */
        char num[8];
        snprintf(num, sizeof num, "%d", codes[i]);
        char *argv[] = {"exitcode", num, NULL};
        pids[i] = spawn("exitcode", argv);
        CHECK(pids[i] > 0, "spawn exitcode %d failed: %s", codes[i], errname(pids[i]));
    }
    for (int i = 3; i >= 0; i--) {
        int r = wait(pids[i], &status);
        CHECK(r == pids[i] && ABI_WIFEXITED(status) && ABI_WEXITSTATUS(status) == codes[i],
              "wait(%d) must give exit %d, got pid %d status %#x", pids[i], codes[i], r, status);
        CHECK(wait(pids[i], &status) == -E_CHILD, "a reaped child must not be waited for twice");
    }

    /* A child that exits stays a zombie until its parent waits. */
    int pid = fork();
    if (pid == 0)
        exit(7);
    for (int i = 0; i < 100000 && state_of(pid) != ABI_PROC_ZOMBIE; i++)
        yield();
    CHECK(state_of(pid) == ABI_PROC_ZOMBIE, "an exited, unwaited child must be a zombie (state %d)",
          state_of(pid));
    CHECK(wait(pid, &status) == pid && ABI_WEXITSTATUS(status) == 7, "zombie's status lost");
    CHECK(state_of(pid) == -1, "a reaped zombie must leave the process table (state %d)",
          state_of(pid));

    /* wait(-1) takes any child; with none left it fails. */
    int a = fork();
    if (a == 0)
        exit(11);
    int r = wait(-1, &status);
    CHECK(r == a && ABI_WEXITSTATUS(status) == 11, "wait(-1) must reap the one child");
    CHECK(wait(-1, &status) == -E_CHILD, "wait(-1) with no children must return -E_CHILD");
    CHECK(wait(getppid(), &status) == -E_CHILD, "waiting for one's parent must fail with -E_CHILD");
    CHECK(wait(getpid(), &status) == -E_CHILD, "waiting for oneself must fail with -E_CHILD");
    CHECK(wait(1000000, &status) == -E_CHILD, "waiting for no such pid must fail with -E_CHILD");
    return check_verdict("t_wait");
}
