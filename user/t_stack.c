/* t_stack.c: `t_stack KIB` grows the stack by KIB KiB (default 64), one page at a time, and
 * checks every byte: exit 0 = PASS. `t_stack overflow` recurses without end; the kernel must end
 * the process when the stack reaches its limit (exit 1 = it never did). */
#include "user/lib/ulib.h"

#define FRAME 1024 /* bytes of stack each call uses */

/* Use DEPTH frames of stack, each filled with a pattern, and check them on the way back. */
static int grow(unsigned depth)
{
    volatile uint8_t frame[FRAME];
    for (unsigned i = 0; i < FRAME; i++)
        frame[i] = (uint8_t)(depth + i);
    int bad = depth > 1 ? grow(depth - 1) : 0;
    for (unsigned i = 0; i < FRAME; i++)
        bad += frame[i] != (uint8_t)(depth + i);
    return bad;
}

static unsigned deepest = 0xFFFFFFFFu;
static volatile unsigned no_limit = 0xFFFFFFFFu; /* opaque to gcc: the recursion has an exit */

static int forever(unsigned n)
{
    volatile uint8_t frame[FRAME];
    frame[0] = (uint8_t)n;
    if ((uintptr_t)frame < deepest)
        deepest = (uintptr_t)frame;
    if (n % 256 == 0)
        printf("t_stack: %u KiB deep, at %p\n", n, (void *)frame);
    return n < no_limit ? forever(n + 1) + frame[0] : 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "overflow") == 0) {
        printf("t_stack: recursing without end (the kernel must end this process)\n");
        forever(1);
        printf("t_stack: FAIL: unbounded recursion returned\n");
        return 1;
    }
    unsigned kib = argc > 1 ? (unsigned)atoi(argv[1]) : 64;
    int bad = grow(kib);
    printf("t_stack: %u KiB of stack: %s\n", kib, bad == 0 ? "PASS" : "FAIL");
    return bad == 0 ? 0 : 1;
}
