/* pic.h: the two 8259A programmable interrupt controllers, remapped to 32-47. */
#ifndef LAB1_PIC_H
#define LAB1_PIC_H

#include <stdint.h>

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

#endif
