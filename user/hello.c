/* hello.c: the smallest user program: one line on the console, exit status 0. */
#include "user/lib/ulib.h"

int main(void)
{
    printf("hello from user mode: pid %d\n", getpid());
    return 0;
}
