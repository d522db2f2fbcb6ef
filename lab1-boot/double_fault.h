/* double_fault.h: a double fault runs as its own hardware task, on its own stack. */
#ifndef LAB1_DOUBLE_FAULT_H
#define LAB1_DOUBLE_FAULT_H

#include <stdbool.h>
#include <stdint.h>

/* A 32-bit task-state segment (Intel SDM vol. 3, 7.2.1). */
struct tss {
    uint32_t link; /* selector of the task we interrupted (set by the CPU) */
    uint32_t esp0, ss0, esp1, ss1, esp2, ss2;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
}; /* every field is naturally aligned: no packing needed */
_Static_assert(sizeof(struct tss) == 104, "a 32-bit TSS is 104 bytes");

/* A hook that may repair the interrupted kernel after a double fault. PREV
 * holds its registers as the CPU saved them when it switched tasks; the hook
 * may rewrite them (for example point EIP at a function that ends the
 * overflowing thread and ESP at a usable stack) and return true to resume
 * PREV that way. Return false to let the default report and panic happen.
 * Runs in the double-fault task, interrupts off. */
typedef bool double_fault_hook_fn(struct tss *prev);

/* Load the kernel's TSS and route exception 8 through a task gate to the
 * double-fault task. Boot only, after gdt_init and idt_init. */
void double_fault_init(void);

/* Install HOOK (NULL removes it; a second, different hook panics). Later
 * labs use it to name the thread whose stack overflowed. */
void double_fault_set_hook(double_fault_hook_fn *hook);

/* Double faults handled so far. */
unsigned long double_fault_count(void);

#endif
