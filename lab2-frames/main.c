/* main.c: lab 2's kernel: build the kernel and process frame pools from the E820 map. */
#include "common/kprintf.h"
#include "lab1-boot/kernel.h"
#include "buddy_boot.h"
#include "setup.h"

void lab_init(int demo)
{
    lab2_setup();
    buddy_boot_init(); /* the challenge: alloc=buddy only */
    if (!demo)
        return;
    kprintf("lab2: try 'frames', 'alloc 3', 'free FRAME'\n");
}
