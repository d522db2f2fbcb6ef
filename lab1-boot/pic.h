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

/* Acknowledge IRQ: end-of-interrupt to the slave (IRQ 8-15) and the master. */
void pic_send_eoi(int irq);

/* In-service and request registers of both PICs (master in bits 0-7). */
uint16_t pic_read_isr(void);
uint16_t pic_read_irr(void);

/* The command ports and the OCW3 that selects the in-service register for
 * their next read (pic_in_service, inline below). */
#define PIC_MASTER_CMD     0x20
#define PIC_SLAVE_CMD      0xA0
#define PIC_OCW3_READ_ISR  0x0B

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
