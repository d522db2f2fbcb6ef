/* t_div0.c: divides by zero in t_div0_divide (a function of its own, so the kernel's report can
 * be checked to name it); the kernel must end the process (vector 0). Exit 1 = it did not. */
#include "user/lib/ulib.h"

__attribute__((noinline)) int t_div0_divide(int a, int b);
__attribute__((noinline)) int t_div0_divide(int a, int b)
{
    return a / b;
}

int main(int argc, char **argv)
{
    (void)argv;
    volatile int zero = argc - argc;
    printf("t_div0: dividing by zero (the kernel must end this process)\n");
    int q = t_div0_divide(100, zero);
    printf("t_div0: FAIL: 100 / 0 gave %d\n", q);
    return 1;
}
