/* main.c: lab 2's kernel: build the kernel and process frame pools from the E820 map. */
#include "common/kprintf.h"
#include "lab1-boot/kernel.h"
#include "lab2-frames/buddy_boot.h"
#include "lab2-frames/frames.h"

void lab_init(int demo)
{
    frames_init();
    buddy_boot_init(); /* the challenge: alloc=buddy only */
    if (!demo)
        return;
    kprintf("lab2: try 'frames', 'alloc 3', 'free FRAME'\n");
}
