/* t_mem.c: `t_mem read|write|jump ADDR` touches memory that is not the process's own (default:
 * the kernel at 0x100000); the kernel must end the process. Exit 1 = the access worked (FAIL);
 * 2 = bad arguments. */
#include "user/lib/ulib.h"

int main(int argc, char **argv)
{
    const char *op = argc > 1 ? argv[1] : "read";
    uint32_t addr = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 0x00100000u;
    volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)addr;

    printf("t_mem: %s at %p (the kernel must end this process)\n", op, (void *)p);
    if (strcmp(op, "read") == 0) {
        uint32_t v = *p;
        printf("t_mem: FAIL: read %#x at %p\n", v, (void *)p);
    } else if (strcmp(op, "write") == 0) {
        *p = 0xDEADBEEF;
        printf("t_mem: FAIL: wrote at %p\n", (void *)p);
    } else if (strcmp(op, "jump") == 0) {
        void (*fn)(void) = (void (*)(void))(uintptr_t)addr;
        fn();
        printf("t_mem: FAIL: returned from a call to %p\n", (void *)p);
    } else {
        printf("usage: t_mem read|write|jump [ADDR]\n");
        return 2;
    }
    return 1;
}
