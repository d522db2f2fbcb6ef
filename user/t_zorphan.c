/* t_zorphan.c: a parent that exits after its child has already ended, without waiting for it: the
 * zombie goes to the first process, which must be woken to reap it (kernel tests check that).
 * `t_zorphan alive`: the child sleeps until killed instead (an orphan still running).
 * Exit 0 = PASS (the child was a zombie, or alive, when this process exited). */
#include "user/lib/ulib.h"

#define ZOMBIE_WAIT_ROUNDS 100000 /* yields to see the child end (it only exits) */

/* The state procinfo reports for PID, or -1 if it is not listed. */
static int state_of(int pid)
{
    struct abi_procinfo info;
    for (int i = 0; procinfo(i, &info) == 0; i++)
        if (info.pid == pid)
            return info.state;
    return -1;
}

int main(int argc, char **argv)
{
    bool alive = argc > 1 && strcmp(argv[1], "alive") == 0;
    int child = fork();
    if (child == 0) {
        while (alive) /* stay, orphaned, until a kernel test kills it */
            sleep(1000);
        exit(5);
    }
    CHECK(child > 0, "fork failed: %s", errname(child));
    if (child <= 0)
        return check_verdict("t_zorphan");
    if (alive)
        return check_verdict("t_zorphan");
    for (int i = 0; i < ZOMBIE_WAIT_ROUNDS && state_of(child) != ABI_PROC_ZOMBIE; i++)
        yield();
    CHECK(state_of(child) == ABI_PROC_ZOMBIE,
          "the child (pid %d) must be a zombie before its parent exits (state %d)", child,
          state_of(child));
    return check_verdict("t_zorphan"); /* exits without waiting: the zombie is an orphan now */
}
