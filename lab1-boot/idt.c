/* idt.c: the interrupt descriptor table: 32 exception gates, 16 IRQ gates, the double-fault task gate. */
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

/* Make VECTOR a present ring-0 32-bit interrupt gate to HANDLER in the
 * kernel code segment. Boot only, interrupts off. (Unused until idt_init
 * calls it.) */
static __attribute__((unused)) void idt_set_gate(int vector, uint32_t handler)
{
    /* LAB 1: TODO step 1 (IDT gates): fill in VECTOR's gate: the handler's
     * address in two halves, the kernel code selector, and a present, ring-0,
     * 32-bit interrupt gate. */
    /* LAB 1: BEGIN SOLUTION */
    idt[vector].offset_low = handler & 0xFFFF;
    idt[vector].selector = GDT_KERNEL_CODE;
    idt[vector].zero = 0;
    idt[vector].type_attr = IDT_PRESENT | IDT_RING0 | IDT_INTERRUPT_GATE;
    idt[vector].offset_high = handler >> 16;
    /* LAB 1: END SOLUTION */
    (void)vector;
    (void)handler;
}

/* Used by double_fault.c: VECTOR switches to the task at SELECTOR. */
void idt_set_task_gate(int vector, uint16_t selector);
void idt_set_task_gate(int vector, uint16_t selector)
{
    /* LAB 1: TODO step 1 (IDT gates): make VECTOR a present ring-0 task gate
     * naming the TSS selector SELECTOR (a task gate has no offset). */
    /* LAB 1: BEGIN SOLUTION */
    idt[vector].offset_low = 0;
    idt[vector].selector = selector;
    idt[vector].zero = 0;
    idt[vector].type_attr = IDT_PRESENT | IDT_RING0 | IDT_TASK_GATE;
    idt[vector].offset_high = 0;
    /* LAB 1: END SOLUTION */
    (void)vector;
    (void)selector;
}

void idt_set_present(int vector, bool present)
{
    /* LAB 1: TODO step 1 (IDT gates): set or clear the present bit of
     * VECTOR's gate, keeping the rest of it. */
    /* LAB 1: BEGIN SOLUTION */
    if (present)
        idt[vector].type_attr |= IDT_PRESENT;
    else
        idt[vector].type_attr &= ~IDT_PRESENT;
    /* LAB 1: END SOLUTION */
    (void)vector;
    (void)present;
}

uint32_t idt_address(void)
{
    return (uint32_t)idt;
}

bool idt_loaded(uint32_t *base, uint16_t *limit)
{
    struct idt_pointer now;

    __asm__ volatile("sidt %0" : "=m"(now));
    *base = now.base;
    *limit = now.limit;
    return now.base == (uint32_t)idt && now.limit == sizeof idt - 1;
}

void idt_init(void)
{
    /* LAB 1: TODO step 1 (IDT gates): give every exception and IRQ vector a
     * gate to its stub in intr_stubs[], then load the whole table (all 256
     * entries) into the IDT register. */
    /* LAB 1: BEGIN SOLUTION */
    struct idt_pointer ptr = {sizeof idt - 1, (uint32_t)idt};

    for (int v = 0; v < INTR_EXCEPTIONS + INTR_IRQS; v++)
        idt_set_gate(v, intr_stubs[v]);
    __asm__ volatile("lidt %0" : : "m"(ptr));
    /* LAB 1: END SOLUTION */
}
