/* t_div0.c: divides by zero; the kernel must end the process (vector 0). Exit 1 = it did not. */
#include "user/lib/ulib.h"

int main(int argc, char **argv)
{
    (void)argv;
    volatile int zero = argc - argc;
    printf("t_div0: dividing by zero (the kernel must end this process)\n");
    int q = 100 / zero;
    printf("t_div0: FAIL: 100 / 0 gave %d\n", q);
    return 1;
}
