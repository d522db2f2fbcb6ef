/* ksyms.c: symbol lookup in the table tools/mksyms.py embeds, and backtraces. */
#include <stddef.h>

#include "kprintf.h"
#include "ksyms.h"
#include "kstring.h"

/* Laid out by tools/mksyms.py (section .ksyms), sorted by address. */
struct ksym {
    uint32_t addr;     /* start of the function */
    uint32_t name_off; /* offset of its name in ksyms_names */
};
extern const uint32_t ksyms_count;
extern const struct ksym ksyms_table[];
extern const char ksyms_names[];

/* Kernel image bounds from common/kernel.ld. */
extern char __kernel_start[], __kernel_end[];

#define BACKTRACE_MAX_FRAMES 16

const char *ksyms_lookup(uint32_t addr, uint32_t *offset)
{
    uint32_t lo = 0, hi = ksyms_count;

    if (hi == 0 || addr < ksyms_table[0].addr ||
        addr >= (uint32_t)__kernel_end)
        return NULL;
    while (hi - lo > 1) { /* invariant: table[lo].addr <= addr < table[hi] */
        uint32_t mid = lo + (hi - lo) / 2;
        if (ksyms_table[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (offset)
        *offset = addr - ksyms_table[lo].addr;
    return ksyms_names + ksyms_table[lo].name_off;
}

uint32_t ksyms_address(const char *name)
{
    for (uint32_t i = 0; i < ksyms_count; i++)
        if (strcmp(ksyms_names + ksyms_table[i].name_off, name) == 0)
            return ksyms_table[i].addr;
    return 0;
}

/* A frame pointer is believable if it is aligned and points into memory the
 * kernel uses for stacks (above the kernel's load address, below 4 GiB-4K). */
static int frame_plausible(uint32_t ebp)
{
    return ebp != 0 && (ebp & 3) == 0 && ebp >= 0x1000 && ebp < 0xFFFFF000u;
}

int backtrace_collect(uint32_t ebp, uint32_t *rets, int max)
{
    int n = 0;
    while (n < max && frame_plausible(ebp)) {
        const uint32_t *frame = (const uint32_t *)ebp;
        if (frame[1] == 0)
            break;
        rets[n++] = frame[1];
        if (frame[0] <= ebp) /* stacks grow down: callers sit higher */
            break;
        ebp = frame[0];
    }
    return n;
}

void backtrace_print(uint32_t ebp)
{
    uint32_t rets[BACKTRACE_MAX_FRAMES];
    int n = backtrace_collect(ebp, rets, BACKTRACE_MAX_FRAMES);
    for (int i = 0; i < n; i++) {
        uint32_t off = 0;
        const char *name = ksyms_lookup(rets[i], &off);
        kprintf("  #%d 0x%08lx %s+0x%lx\n", i, (unsigned long)rets[i],
                name ? name : "??", (unsigned long)off);
    }
}
