/* gdt.h: the kernel's global descriptor table (flat ring-0 segments). */
#ifndef LAB1_GDT_H
#define LAB1_GDT_H

#define GDT_KERNEL_CODE 0x08 /* selector of the flat ring-0 code segment */
#define GDT_KERNEL_DATA 0x10 /* selector of the flat ring-0 data segment */
#define GDT_ENTRIES     3    /* null, code, data: selectors >= 0x18 are invalid */

/* Install the GDT and reload every segment register. Boot only, interrupts off. */
void gdt_init(void);

#endif
