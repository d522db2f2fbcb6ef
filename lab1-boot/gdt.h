/* gdt.h: the kernel's global descriptor table (flat ring-0 segments). */
#ifndef LAB1_GDT_H
#define LAB1_GDT_H

#define GDT_KERNEL_CODE 0x08 /* selector of the flat ring-0 code segment */
#define GDT_KERNEL_DATA 0x10 /* selector of the flat ring-0 data segment */
#define GDT_MAIN_TSS    0x18 /* the kernel's own task (state saved on a task switch) */
#define GDT_DF_TSS      0x20 /* the double-fault task (double_fault.c) */
#define GDT_ENTRIES     5    /* selectors >= 0x28 are invalid */

#include <stdint.h>

/* Install the GDT and reload every segment register. Boot only, interrupts off. */
void gdt_init(void);

/* Describe the 32-bit TSS at BASE (LIMIT = size - 1) in slot SELECTOR.
 * Boot only, interrupts off. */
void gdt_set_tss(uint16_t selector, uint32_t base, uint32_t limit);

#endif
