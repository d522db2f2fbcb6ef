/* t_read.c: reads one line from the console (read(0, ...) is its first system call); a kernel
 * test kills it while it waits, with nothing typed. Exit 0 after a line; 1 = read failed. */
#include "user/lib/ulib.h"

int main(void)
{
    char buf[64];
    int n = read(0, buf, sizeof buf);
    printf("t_read: read gave %d\n", n);
    return n > 0 ? 0 : 1;
}
