/* t_orphan.c: a process whose parent exits is adopted by the first process (the one with no
 * parent), which reaps it. The middle child exits at once; the grandchild stays until this test
 * has checked its new parent, then is killed and must vanish (reaped by its adopter). Exit 0 = PASS. */
#include "user/lib/ulib.h"

/* What procinfo says about PID: false if it is not listed. */
static bool info_of(int pid, struct abi_procinfo *out)
{
    for (int i = 0; procinfo(i, out) == 0; i++)
        if (out->pid == pid)
            return true;
    return false;
}

/* The first process: the one with no parent (ppid <= 0). */
static int first_process(void)
{
    struct abi_procinfo info;
    for (int i = 0; procinfo(i, &info) == 0; i++)
        if (info.ppid <= 0)
            return info.pid;
    return -1;
}

int main(void)
{
    int status;
    int middle = fork();
    if (middle == 0) {
        int grandchild = fork();
        if (grandchild == 0) {
            for (;;) /* stay, adopted, until the test kills it */
                sleep(1000);
        }
        exit(grandchild > 0 ? (grandchild & 0x7F) : 0xFF); /* tell the parent who it was */
    }
    CHECK(middle > 0, "fork failed: %s", errname(middle));
    CHECK(wait(middle, &status) == middle, "the middle child must be reaped by its parent");
    int low = ABI_WEXITSTATUS(status);
    CHECK(low != 0xFF, "the middle child could not fork");

    /* Find the grandchild (by the pid bits the middle child passed on) and check its parent. */
    struct abi_procinfo info;
    int gc = -1;
    for (int i = 0; procinfo(i, &info) == 0; i++)
        if ((info.pid & 0x7F) == low && info.pid != middle && info.pid != getpid() &&
            strcmp(info.name, "t_orphan") == 0)
            gc = info.pid;
    CHECK(gc > 0, "the grandchild (pid ending in %d) must still be listed", low);
    if (gc > 0 && info_of(gc, &info)) {
        CHECK(info.ppid == first_process(),
              "an orphan must be adopted by the first process (pid %d), its ppid is %d",
              first_process(), info.ppid);
        CHECK(info.ppid != middle, "an orphan must not keep its dead parent");
        CHECK(wait(gc, &status) == -E_CHILD, "a grandchild is not our child: wait must refuse it");
        CHECK(kill(gc) == 0, "kill(grandchild %d) must succeed", gc);
        /* The adopter reaps it: it must disappear (bounded wait). */
        for (int i = 0; i < 200000 && info_of(gc, &info); i++)
            yield();
        CHECK(!info_of(gc, &info), "the adopted orphan must be reaped after it exits (state %d)",
              info.state);
    }
    return check_verdict("t_orphan");
}
