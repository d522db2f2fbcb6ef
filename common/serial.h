/* serial.h: the COM1 UART (16550), polled output and interrupt-driven input. */
#ifndef COMMON_SERIAL_H
#define COMMON_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#define SERIAL_IRQ 4 /* COM1 interrupt line on the PIC */

/* Program COM1 for 115200 baud 8N1 with FIFOs. Call once, interrupts off. */
void serial_init(void);

/* Send one byte, waiting until the transmitter holding register is empty.
 * Any context. */
void serial_putc(char c);

/* Wait (bounded) until every byte sent has left the UART. Any context. */
void serial_drain(void);

/* True if a received byte is waiting. Any context. */
bool serial_rx_ready(void);

/* Return the waiting byte. Caller must check serial_rx_ready() first. */
uint8_t serial_rx_byte(void);

/* Ask the UART to raise SERIAL_IRQ when a byte arrives (and set OUT2, which
 * gates the IRQ line on real hardware and on Bochs). */
void serial_enable_rx_interrupt(void);

#endif
