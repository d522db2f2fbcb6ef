/* serial.c: COM1 driver: 115200 8N1, transmit with line-status waits. */
#include "serial.h"
#include "x86.h"

#define COM1_BASE 0x3F8

/* 16550 registers, as offsets from the base port. */
#define UART_DATA 0 /* receive buffer / transmit holding (DLAB=0) */
#define UART_IER  1 /* interrupt enable (DLAB=0) */
#define UART_DLL  0 /* divisor latch low (DLAB=1) */
#define UART_DLM  1 /* divisor latch high (DLAB=1) */
#define UART_FCR  2 /* FIFO control (write) */
#define UART_LCR  3 /* line control */
#define UART_MCR  4 /* modem control */
#define UART_LSR  5 /* line status */

#define IER_RX_AVAILABLE 0x01
#define FCR_ENABLE_CLEAR 0xC7 /* enable FIFOs, clear both, 14-byte trigger */
#define LCR_8N1          0x03
#define LCR_DLAB         0x80
#define MCR_DTR          0x01
#define MCR_RTS          0x02
#define MCR_OUT2         0x08 /* gates the UART's IRQ onto the bus */
#define LSR_DATA_READY   0x01
#define LSR_THR_EMPTY    0x20
#define LSR_TX_IDLE      0x40 /* holding and shift registers both empty */

#define UART_CLOCK_HZ 115200
#define SERIAL_BAUD   115200

/* Give up waiting for the transmitter after this many polls, so a missing
 * UART cannot hang the kernel. */
#define TX_SPIN_LIMIT 100000

void serial_init(void)
{
    uint16_t divisor = UART_CLOCK_HZ / SERIAL_BAUD;

    outb(COM1_BASE + UART_IER, 0);
    outb(COM1_BASE + UART_LCR, LCR_DLAB);
    outb(COM1_BASE + UART_DLL, divisor & 0xFF);
    outb(COM1_BASE + UART_DLM, divisor >> 8);
    outb(COM1_BASE + UART_LCR, LCR_8N1);
    outb(COM1_BASE + UART_FCR, FCR_ENABLE_CLEAR);
    outb(COM1_BASE + UART_MCR, MCR_DTR | MCR_RTS);
}

void serial_putc(char c)
{
    for (int i = 0; i < TX_SPIN_LIMIT; i++)
        if (inb(COM1_BASE + UART_LSR) & LSR_THR_EMPTY)
            break;
    outb(COM1_BASE + UART_DATA, (uint8_t)c);
}

void serial_drain(void)
{
    for (int i = 0; i < TX_SPIN_LIMIT; i++)
        if (inb(COM1_BASE + UART_LSR) & LSR_TX_IDLE)
            break;
}

bool serial_rx_ready(void)
{
    return (inb(COM1_BASE + UART_LSR) & LSR_DATA_READY) != 0;
}

uint8_t serial_rx_byte(void)
{
    return inb(COM1_BASE + UART_DATA);
}

void serial_enable_rx_interrupt(void)
{
    outb(COM1_BASE + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
    outb(COM1_BASE + UART_IER, IER_RX_AVAILABLE);
}
