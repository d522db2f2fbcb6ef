/* phys_mem.c: kernel version of phys_to_ptr (identity mapping). */
#include "lab2-frames/phys_mem.h"

void *phys_to_ptr(unsigned long paddr)
{
    return (void *)paddr;
}
