/* init.c: the first process: starts the shell (or the program its arguments name), adopts orphans,
 * reaps every child, and starts a new shell when the shell ends. */
#include "user/lib/ulib.h"

int main(int argc, char **argv)
{
    char *sh_argv[] = {"sh", NULL};
    char **child_argv = argc > 1 ? argv + 1 : sh_argv;
    char text[64];

    for (;;) {
        int child = spawn(child_argv[0], child_argv);
        if (child < 0) {
            perror_code("init: cannot start the shell", child);
            for (;;) { /* still reap orphans */
                int status;
                if (wait(-1, &status) < 0)
                    sleep(1000);
            }
        }
        for (;;) {
            int status;
            int pid = wait(-1, &status);
            if (pid == child) {
                printf("init: %s (pid %d) ended: %s\n", child_argv[0], pid,
                       status_text(status, text, sizeof text));
                break;
            }
            if (pid < 0)
                sleep(100);
        }
        if (argc > 1)
            return 0; /* a program named on the command line runs once */
    }
}
