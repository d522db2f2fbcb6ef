/* t_spawn.c: spawn passes arguments intact (args exits with argc) and refuses what it cannot run:
 * no such program, a name too long, too many arguments. Exit 0 = PASS. */
#include "user/lib/ulib.h"

/* Run ARGV[0] with ARGV, return its exit status (or the spawn error, negative). */
static int run(char **argv)
{
    int status;
    int pid = spawn(argv[0], argv);
    if (pid < 0)
        return pid;
    if (wait(pid, &status) != pid)
        return -1000;
    return status;
}

int main(void)
{
    char *a1[] = {"args", NULL};
    char *a3[] = {"args", "one", "two words", NULL};
    char *empty[] = {"args", "", "", NULL};
    CHECK(run(a1) == ABI_STATUS_EXITED(1), "args with no arguments must exit 1 (argc)");
    CHECK(run(a3) == ABI_STATUS_EXITED(3), "args one 'two words' must exit 3 (argc)");
    CHECK(run(empty) == ABI_STATUS_EXITED(3), "empty arguments must arrive: exit 3 expected");
    char *full[ABI_ARGV_MAX + 1];
    for (int i = 0; i < ABI_ARGV_MAX; i++)
        full[i] = "args";
    full[ABI_ARGV_MAX] = NULL;
    int st = run(full);
    CHECK(st == ABI_STATUS_EXITED(ABI_ARGV_MAX), "%d arguments (the limit) must arrive, got %#x",
          ABI_ARGV_MAX, st);
    char big[ABI_ARG_MAX];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *abig[] = {"args", big, NULL};
    CHECK(run(abig) == ABI_STATUS_EXITED(2), "an argument of ABI_ARG_MAX bytes must arrive");

    char *none[] = {"nosuchprogram", NULL};
    CHECK(run(none) == -E_NOENT, "spawn of a missing program must return -E_NOENT");
    char *blank[] = {"", NULL};
    CHECK(run(blank) == -E_NOENT, "spawn of \"\" must return -E_NOENT");
    char *ec[] = {"exitcode", "200", NULL};
    CHECK(run(ec) == ABI_STATUS_EXITED(200), "exitcode 200 must exit 200");
    return check_verdict("t_spawn");
}
