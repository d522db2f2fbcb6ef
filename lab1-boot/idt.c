/* idt.c: the interrupt descriptor table: 32 exception gates and 16 IRQ gates. */
#include <stdint.h>

#include "gdt.h"
#include "intr.h"

#define IDT_ENTRIES 256

/* One 8-byte interrupt gate. */
struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t zero;
    uint8_t type_attr;
    uint16_t offset_high;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 8, "IDT gates are 8 bytes");

struct idt_pointer {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

#define IDT_PRESENT        0x80
#define IDT_RING0          0x00
#define IDT_INTERRUPT_GATE 0x0E /* 32-bit gate that clears IF on entry */
#define IDT_TASK_GATE      0x05 /* switch to the task whose TSS is named */

/* Entry stubs, in vector order (isr.asm). */
extern const uint32_t intr_stubs[INTR_EXCEPTIONS + INTR_IRQS];

static struct idt_gate idt[IDT_ENTRIES];

static void idt_set_gate(int vector, uint32_t handler)
{
    /* Offset split in two halves, the kernel code selector, and a present
     * ring-0 32-bit interrupt gate (IF cleared on entry). */
    idt[vector].offset_low = handler & 0xFFFF;
    idt[vector].selector = GDT_KERNEL_CODE;
    idt[vector].zero = 0;
    idt[vector].type_attr = IDT_PRESENT | IDT_RING0 | IDT_INTERRUPT_GATE;
    idt[vector].offset_high = handler >> 16;
}

/* Used by double_fault.c: VECTOR switches to the task at SELECTOR. */
void idt_set_task_gate(int vector, uint16_t selector);
void idt_set_task_gate(int vector, uint16_t selector)
{
    idt[vector].offset_low = 0;
    idt[vector].selector = selector;
    idt[vector].zero = 0;
    idt[vector].type_attr = IDT_PRESENT | IDT_RING0 | IDT_TASK_GATE;
    idt[vector].offset_high = 0;
}

void idt_set_present(int vector, bool present)
{
    if (present)
        idt[vector].type_attr |= IDT_PRESENT;
    else
        idt[vector].type_attr &= ~IDT_PRESENT;
}

void idt_init(void)
{
    struct idt_pointer ptr = {sizeof idt - 1, (uint32_t)idt};

    for (int v = 0; v < INTR_EXCEPTIONS + INTR_IRQS; v++)
        idt_set_gate(v, intr_stubs[v]);
    __asm__ volatile("lidt %0" : : "m"(ptr));
}
