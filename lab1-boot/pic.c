/* pic.c: program the 8259A pair: remap, mask, end-of-interrupt, status reads. */
#include "intr.h"
#include "pic.h"
#include "common/x86.h"

#define PIC1_CMD  0x20 /* master: command / status */
#define PIC1_DATA 0x21 /* master: data / interrupt mask */
#define PIC2_CMD  0xA0 /* slave */
#define PIC2_DATA 0xA1

#define ICW1_ICW4      0x01 /* ICW4 will follow */
#define ICW1_INIT      0x10 /* start initialisation */
#define ICW3_SLAVE_AT_IRQ2 0x04 /* master: a slave hangs on IRQ 2 (bit mask) */
#define ICW3_SLAVE_ID  0x02 /* slave: my cascade identity is 2 */
#define ICW4_8086      0x01 /* 8086/88 mode */
#define OCW2_EOI       0x20 /* non-specific end of interrupt */
#define OCW3_READ_IRR  0x0A
#define OCW3_READ_ISR  0x0B

#define PIC_CASCADE_IRQ 2

void pic_init(void)
{
    /* ICW1-ICW4 to both PICs: IRQ 0-7 on vectors 32-39, IRQ 8-15 on 40-47,
     * the slave cascaded on the master's IRQ 2. */
    outb(PIC1_CMD, ICW1_INIT | ICW1_ICW4);
    io_wait();
    outb(PIC2_CMD, ICW1_INIT | ICW1_ICW4);
    io_wait();
    outb(PIC1_DATA, INTR_IRQ_BASE); /* ICW2: vector offsets */
    io_wait();
    outb(PIC2_DATA, INTR_IRQ_BASE + 8);
    io_wait();
    outb(PIC1_DATA, ICW3_SLAVE_AT_IRQ2);
    io_wait();
    outb(PIC2_DATA, ICW3_SLAVE_ID);
    io_wait();
    outb(PIC1_DATA, ICW4_8086);
    io_wait();
    outb(PIC2_DATA, ICW4_8086);
    io_wait();
    outb(PIC1_DATA, 0xFF);
    outb(PIC2_DATA, 0xFF);
    pic_unmask(PIC_CASCADE_IRQ); /* slave interrupts pass through IRQ 2 */
}

void pic_unmask(int irq)
{
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) & ~(1u << (irq & 7)));
}

void pic_mask(int irq)
{
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) | (1u << (irq & 7)));
}

void pic_send_eoi(int irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, OCW2_EOI);
    outb(PIC1_CMD, OCW2_EOI);
}

static uint16_t pic_read_reg(uint8_t ocw3)
{
    outb(PIC1_CMD, ocw3);
    outb(PIC2_CMD, ocw3);
    return (uint16_t)(inb(PIC2_CMD) << 8) | inb(PIC1_CMD);
}

uint16_t pic_read_isr(void)
{
    return pic_read_reg(OCW3_READ_ISR);
}

uint16_t pic_read_irr(void)
{
    return pic_read_reg(OCW3_READ_IRR);
}
