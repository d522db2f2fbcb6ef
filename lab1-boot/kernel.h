/* kernel.h: what kernel_main expects from each lab, and the image bounds. */
#ifndef LAB1_KERNEL_H
#define LAB1_KERNEL_H

/* Set by the build for each lab kernel: LAB_NAME "lab3", LAB_TITLE "lab3-paging". */
#ifndef LAB_NAME
#error "LAB_NAME must be defined by the build (-DLAB_NAME=...)"
#endif

/* Kernel image bounds (common/kernel.ld). */
extern char __kernel_start[], __kernel_end[];

/* Defined by each lab's main.c. Runs after lab 1's hardware setup with
 * interrupts on: initialise the lab's subsystems. DEMO is true when the
 * kernel boots to the monitor (not under test=), so the lab may show off. */
void lab_init(int demo);

#endif
