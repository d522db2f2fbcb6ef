/* main.c: lab 7's kernel (placeholder until the process manager lands): lab 6's system and the program image. */
#include "common/kprintf.h"
#include "lab1-boot/kernel.h"
#include "lab6-disk/setup.h"
#include "uimage.h"

void lab_init(int demo)
{
    lab6_setup();
    uimage_init(); /* unpack the program image at boot, not at the first spawn */
    if (!demo)
        return;
    uint32_t size;
    uimage_bytes(&size);
    kprintf("lab7: %u user programs in the image (%u bytes):", uimage_count(), size);
    for (unsigned i = 0; i < uimage_count(); i++)
        kprintf(" %s", uimage_name(i));
    kprintf("\n");
}
