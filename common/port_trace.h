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
 * A full trace (port_trace_start_full) also records every inb() with the
 * value it returned, and every insw()/outsw() with its length, so a test can
 * check a whole protocol (ATA: select, 400 ns of status reads, polls, data).
 * Off by default; costs one test of a flag per port access. Entries are
 * appended with interrupts off, so an interrupt handler's accesses land
 * whole, in the order they happened; filter by port if only one device
 * matters.
 */

enum port_trace_kind {
    PORT_TRACE_OUTB = 0, /* outb(port, value) */
    PORT_TRACE_INB,      /* inb(port) returned value (full trace only) */
    PORT_TRACE_INSW,     /* insw(port, buf, count) (full trace only) */
    PORT_TRACE_OUTSW,    /* outsw(port, buf, count) (full trace only) */
};

struct port_trace_entry {
    uint16_t port;
    uint8_t value;  /* OUTB: written; INB: returned (faked or from the device) */
    uint8_t kind;   /* enum port_trace_kind */
    uint32_t count; /* INB: how many identical reads in a row (folded into one
                       entry); INSW/OUTSW: words moved; OUTB: 1 */
};

/* Start recording writes into BUF (CAP entries; entries past CAP are counted
 * but dropped). No reader is installed. */
void port_trace_start(struct port_trace_entry *buf, unsigned int cap);

/* As port_trace_start, and also record reads and word strings (see above). */
void port_trace_start_full(struct port_trace_entry *buf, unsigned int cap);

/* Stop recording and remove the reader. Returns how many entries were made
 * while on (may exceed CAP). */
unsigned int port_trace_stop(void);

/* While the trace is on, inb(PORT) first asks READER: if it returns true,
 * *VALUE is the result and the device is not read. NULL removes it. The
 * reader may look at the entries recorded so far (port_trace_get). It runs
 * in the context of the inb (an interrupt handler's too). */
typedef bool port_trace_reader_fn(uint16_t port, uint8_t *value);
void port_trace_set_reader(port_trace_reader_fn *reader);

/* The entries recorded so far ([0, min(count, CAP))), and how many. */
const struct port_trace_entry *port_trace_get(unsigned int *count);

/* For common/x86.h only. Not volatile: each inb/outb reads it once, and a
 * plain byte compares in one instruction (cmpb) on every port access. A
 * loop of port accesses still rereads it: its traced branch calls out. */
extern bool port_trace_on;
void port_trace_record(uint16_t port, uint8_t value);
uint8_t port_trace_inb(uint16_t port);
void port_trace_string(uint16_t port, uint32_t words, bool out);

#endif
