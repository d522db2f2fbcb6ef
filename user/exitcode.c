/* exitcode.c: `exitcode N` exits with status N (0-255), after printing it. */
#include "user/lib/ulib.h"

int main(int argc, char **argv)
{
    int code = argc > 1 ? atoi(argv[1]) : 0;
    printf("exitcode: exiting with %d\n", code);
    exit(code);
}
