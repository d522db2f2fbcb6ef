/* ring3.c: ring 3 for lab 7: the user segments (DPL 3) in a copy of lab 1's GDT, the TSS's ring-0 stack, the int 0x80 gate. */
#include <stdint.h>

#include "common/debug.h"
#include "common/kstring.h"
#include "lab1-boot/double_fault.h"
#include "lab1-boot/gdt.h"
#include "syscall_abi.h"
#include "trap.h"
#include "uspace.h"

#define GDT_USER_ENTRIES (GDT_USER_DATA / 8 + 1)
#define SEG_PRESENT  0x80u
#define SEG_DPL3     0x60u
#define SEG_CODEDATA 0x10u
#define SEG_EXEC     0x08u
#define SEG_RW       0x02u
#define SEG_FLAGS_4K_32 0xC0u /* limit in pages, 32-bit */
#define GATE_PRESENT 0x80u
#define GATE_DPL3    0x60u
#define GATE_INTR32  0x0Eu /* interrupt gate: IF cleared on entry */

struct dt_pointer {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

static uint64_t gdt[GDT_USER_ENTRIES];
static struct tss *kernel_tss;

/* A flat 4 GiB segment descriptor with access byte ACCESS. */
static __attribute__((unused)) uint64_t flat_segment(uint8_t access)
{
    uint64_t limit = 0xFFFFF;
    return (limit & 0xFFFF) | ((uint64_t)access << 40) | (((limit >> 16) & 0xF) << 48) |
           ((uint64_t)SEG_FLAGS_4K_32 << 48);
}

/* The base address a segment or TSS descriptor holds. */
static uint32_t descriptor_base(uint64_t d)
{
    return (uint32_t)(((d >> 16) & 0xFFFFFF) | (((d >> 56) & 0xFF) << 24));
}

void ring3_init(void)
{
    struct dt_pointer old, now;

    __asm__ volatile("sgdt %0" : "=m"(old));
    KASSERT(old.limit + 1u <= sizeof gdt && old.limit + 1u >= GDT_USER_CODE);
    memcpy(gdt, (const void *)old.base, old.limit + 1u);
    /* LAB 7: TODO the user code and data segments: flat, present, DPL 3 */
    /* LAB 7: BEGIN SOLUTION full */
    gdt[GDT_USER_CODE / 8] = flat_segment(SEG_PRESENT | SEG_DPL3 | SEG_CODEDATA | SEG_EXEC | SEG_RW);
    gdt[GDT_USER_DATA / 8] = flat_segment(SEG_PRESENT | SEG_DPL3 | SEG_CODEDATA | SEG_RW);
    /* LAB 7: END SOLUTION */
    now.limit = sizeof gdt - 1;
    now.base = (uint32_t)gdt;
    __asm__ volatile("lgdt %0" : : "m"(now) : "memory");

    /* Lab 1's kernel TSS (the task register names it): ring 3's interrupts
     * take their kernel stack from its ss0:esp0. */
    kernel_tss = (struct tss *)descriptor_base(gdt[GDT_MAIN_TSS / 8]);
    kernel_tss->ss0 = GDT_KERNEL_DATA;

    struct dt_pointer idt;
    __asm__ volatile("sidt %0" : "=m"(idt));
    ring3_gate_encode((uint8_t *)idt.base + SYSCALL_VECTOR * 8, (uint32_t)syscall_entry);
}

void ring3_gate_encode(uint8_t *gate, uint32_t handler)
{
    /* LAB 7: TODO the 8 bytes of a gate to HANDLER in the kernel code
     * segment: a present 32-bit interrupt gate that ring 3 may use */
    /* LAB 7: BEGIN SOLUTION full */
    gate[0] = handler & 0xFF;
    gate[1] = (handler >> 8) & 0xFF;
    gate[2] = GDT_KERNEL_CODE;
    gate[3] = 0;
    gate[4] = 0;
    gate[5] = GATE_PRESENT | GATE_DPL3 | GATE_INTR32;
    gate[6] = (handler >> 16) & 0xFF;
    gate[7] = handler >> 24;
    /* LAB 7: END SOLUTION */
    (void)gate, (void)handler;
}

void ring3_set_kernel_stack(uint32_t esp0)
{
    if (kernel_tss != NULL)
        kernel_tss->esp0 = esp0;
}

uint32_t ring3_kernel_stack(void)
{
    return kernel_tss != NULL ? kernel_tss->esp0 : 0;
}
