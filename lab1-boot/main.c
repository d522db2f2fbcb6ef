/* main.c: lab 1's kernel: nothing beyond the machinery kernel_main sets up. */
#include "common/kprintf.h"
#include "intr_check.h"
#include "kernel.h"
#include "pit.h"

void lab_init(int demo)
{
    if (!demo)
        return;
    if (!intr_check_ready()) {
        kprintf("lab1: protected mode; interrupts not set up yet (lab 1 steps "
                "above)\n");
        return;
    }
    kprintf("lab1: protected mode, IDT and PIC ready, timer at %lu Hz\n",
            (unsigned long)pit_hz());
}
