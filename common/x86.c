/* x86.c: the little state behind common/x86.h's helpers. */
#include "x86.h"

uint32_t *x86_cr3_mirror; /* see write_cr3() */
