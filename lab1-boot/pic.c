/* pic.c: program the 8259A pair: remap, mask, end-of-interrupt, status reads. */
#include "intr.h"
#include "pic.h"
#include "common/x86.h"

#define PIC1_CMD  PIC_MASTER_CMD /* master: command / status */
#define PIC1_DATA 0x21 /* master: data / interrupt mask */
#define PIC2_CMD  PIC_SLAVE_CMD /* slave */
#define PIC2_DATA 0xA1

#define ICW1_ICW4      0x01 /* ICW4 will follow */
#define ICW1_INIT      0x10 /* start initialisation */
#define ICW3_SLAVE_AT_IRQ2 0x04 /* master: a slave hangs on IRQ 2 (bit mask) */
#define ICW3_SLAVE_ID  0x02 /* slave: my cascade identity is 2 */
#define ICW4_8086      0x01 /* 8086/88 mode */
#define OCW3_READ_IRR  0x0A
#define OCW3_READ_ISR  PIC_OCW3_READ_ISR

#define PIC_CASCADE_IRQ 2
#define PIC_MASK_ALL    0xFF /* OCW1: every line masked */

void pic_init(void)
{
    /* LAB 1: TODO step 2 (PIC remap): initialise both PICs with ICW1-ICW4,
     * an io_wait() after each word: IRQ 0-7 on vectors INTR_IRQ_BASE.., IRQ
     * 8-15 on the next 8, the slave cascaded on the master's IRQ 2, 8086
     * mode. */
    /* LAB 1: BEGIN SOLUTION */
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
    /* LAB 1: END SOLUTION */
    outb(PIC1_DATA, PIC_MASK_ALL); /* every line masked until registered */
    outb(PIC2_DATA, PIC_MASK_ALL);
    pic_unmask(PIC_CASCADE_IRQ); /* slave interrupts pass through IRQ 2 */
}

void pic_unmask(int irq)
{
    /* LAB 1: TODO step 2 (PIC remap): clear IRQ's bit in its PIC's interrupt
     * mask register (OCW1), keeping the other lines as they are. */
    /* LAB 1: BEGIN SOLUTION */
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) & ~(1u << (irq & 7)));
    /* LAB 1: END SOLUTION */
    (void)irq;
}

void pic_mask(int irq)
{
    /* LAB 1: TODO step 2 (PIC remap): set IRQ's bit in its PIC's interrupt
     * mask register, keeping the other lines as they are. */
    /* LAB 1: BEGIN SOLUTION */
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) | (1u << (irq & 7)));
    /* LAB 1: END SOLUTION */
    (void)irq;
}

/* OCW3 to both PICs selects the register their command ports read next. */
static uint16_t pic_read_reg(uint8_t ocw3)
{
    /* LAB 1: TODO step 4 (spurious IRQs): select the register OCW3 names on
     * both PICs, then read both command ports: the slave's byte above the
     * master's. */
    /* LAB 1: BEGIN SOLUTION full */
    outb(PIC1_CMD, ocw3);
    outb(PIC2_CMD, ocw3);
    return (uint16_t)(inb(PIC2_CMD) << 8) | inb(PIC1_CMD);
    /* LAB 1: END SOLUTION */
    (void)ocw3;
    return 0;
}

uint16_t pic_read_isr(void)
{
    return pic_read_reg(OCW3_READ_ISR);
}

uint16_t pic_read_irr(void)
{
    return pic_read_reg(OCW3_READ_IRR);
}
