/* main.c: lab 2's kernel: build the kernel and process frame pools from the E820 map. */
#include "common/kprintf.h"
#include "lab1-boot/kernel.h"
#include "setup.h"

void lab_init(int demo)
{
    lab2_setup();
    if (!demo)
        return;
    kprintf("lab2: try 'frames', 'alloc 3', 'free FRAME'\n");
}
