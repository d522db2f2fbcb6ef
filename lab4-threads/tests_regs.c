/* tests_regs.c: names of the registers in a canary mask (tests_regs.asm holds the canary code). */
#include "common/kstring.h"
#include "tests_regs.h"

const char *regs_mask_names(uint32_t mask, char *buf)
{
    static const char *const names[] = {"eax", "ecx", "edx", "ebx", "esi", "edi", "ebp"};
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (mask & (1u << i)) {
            if (n > 0)
                buf[n++] = ' ';
            memcpy(buf + n, names[i], 4); /* three letters and the NUL */
            n += 3;
        }
    return buf;
}
