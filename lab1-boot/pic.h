/* pic.h: the two 8259A programmable interrupt controllers, remapped to 32-47. */
#ifndef LAB1_PIC_H
#define LAB1_PIC_H

#include <stdbool.h>
#include <stdint.h>

#include "common/x86.h"

/* Remap IRQ 0-15 to vectors 32-47 and mask every line. Boot, interrupts off. */
void pic_init(void);

/* Let IRQ through / block it. Any context. */
void pic_unmask(int irq);
void pic_mask(int irq);

/* In-service and request registers of both PICs (master in bits 0-7). */
uint16_t pic_read_isr(void);
uint16_t pic_read_irr(void);

/* The command ports, and the commands the inline functions below write. */
#define PIC_MASTER_CMD     0x20
#define PIC_SLAVE_CMD      0xA0
#define PIC_OCW2_EOI       0x20 /* non-specific end of interrupt */
#define PIC_OCW3_READ_ISR  0x0B /* the next read of the command port: in-service */

/* Acknowledge IRQ: end-of-interrupt to the slave (IRQ 8-15) and the master.
 * Inline: every IRQ sends one (lab1-boot/intr.c). Any context. */
static inline void pic_send_eoi(int irq)
{
    /* LAB 1: TODO step 3 (end of interrupt): acknowledge IRQ with a
     * non-specific EOI to every PIC that has it in service, the slave before
     * the master. */
    /* LAB 1: BEGIN SOLUTION */
    if (irq >= 8)
        outb(PIC_SLAVE_CMD, PIC_OCW2_EOI);
    outb(PIC_MASTER_CMD, PIC_OCW2_EOI);
    /* LAB 1: END SOLUTION */
    (void)irq;
}

/* True if IRQ is in service at its PIC (received, no EOI yet). Reads only
 * that PIC's in-service register: two port accesses, half of
 * pic_read_isr()'s. Inline: round robin asks on every preemption. Interrupts
 * off. */
static inline bool pic_in_service(int irq)
{
    uint16_t cmd = irq < 8 ? PIC_MASTER_CMD : PIC_SLAVE_CMD;
    outb(cmd, PIC_OCW3_READ_ISR);
    return (inb(cmd) & (1u << (irq & 7))) != 0;
}

#endif
