/* main.c: lab 1's kernel: nothing beyond the machinery kernel_main sets up. */
#include "common/kprintf.h"
#include "kernel.h"
#include "pit.h"

void lab_init(int demo)
{
    if (!demo)
        return;
    kprintf("lab1: protected mode, IDT and PIC ready, timer at %lu Hz\n",
            (unsigned long)pit_hz());
}
