/* port_trace.h: record byte port writes (and stand in for chosen port reads) while a test watches. */
#ifndef COMMON_PORT_TRACE_H
#define COMMON_PORT_TRACE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Tests of hardware programming (the PIT divisor bytes, the PIC's
 * end-of-interrupt commands) cannot read most device registers back. While a
 * trace is on, every outb() is also appended to a caller's buffer, in order
 * (the write still reaches the device), and a test may install a reader that
 * answers inb() for the ports it chooses instead of the device (say, a model
 * of the PIC that answers its status reads with chosen values).
 * Off by default; costs one test of a flag per outb/inb. Interrupts should be
 * off while a trace is on, or interrupt handlers' writes land in it too.
 */

struct port_trace_entry {
    uint16_t port;
    uint8_t value;
};

/* Start recording into BUF (CAP entries; writes past CAP are counted but
 * dropped). No reader is installed. */
void port_trace_start(struct port_trace_entry *buf, unsigned int cap);

/* Stop recording and remove the reader. Returns how many writes were made
 * while on (may exceed CAP). */
unsigned int port_trace_stop(void);

/* While the trace is on, inb(PORT) first asks READER: if it returns true,
 * *VALUE is the result and the device is not read. NULL removes it. The
 * reader may look at the writes recorded so far (port_trace_get). */
typedef bool port_trace_reader_fn(uint16_t port, uint8_t *value);
void port_trace_set_reader(port_trace_reader_fn *reader);

/* The writes recorded so far (entries [0, min(count, CAP))), and how many. */
const struct port_trace_entry *port_trace_get(unsigned int *count);

/* For common/x86.h only. */
extern volatile bool port_trace_on;
void port_trace_record(uint16_t port, uint8_t value);
bool port_trace_faked(uint16_t port, uint8_t *value);

#endif
