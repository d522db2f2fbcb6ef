/* port_trace.c: record byte port writes (and stand in for chosen port reads) while a test watches. */
#include <stddef.h>

#include "debug.h"
#include "intr_level.h"
#include "port_trace.h"
#include "x86.h"

bool port_trace_on;
static struct port_trace_entry *trace_buf;
static unsigned int trace_cap, trace_len;
static bool trace_full; /* reads and word strings too */
static port_trace_reader_fn *trace_reader;

static void trace_begin(struct port_trace_entry *buf, unsigned int cap, bool full)
{
    KASSERT(buf != NULL || cap == 0);
    enum intr_level old = intr_disable();
    trace_buf = buf;
    trace_cap = cap;
    trace_len = 0;
    trace_full = full;
    trace_reader = NULL;
    port_trace_on = true;
    intr_set_level(old);
}

void port_trace_start(struct port_trace_entry *buf, unsigned int cap)
{
    trace_begin(buf, cap, false);
}

void port_trace_start_full(struct port_trace_entry *buf, unsigned int cap)
{
    trace_begin(buf, cap, true);
}

unsigned int port_trace_stop(void)
{
    port_trace_on = false;
    trace_reader = NULL;
    return trace_len;
}

void port_trace_set_reader(port_trace_reader_fn *reader)
{
    trace_reader = reader;
}

const struct port_trace_entry *port_trace_get(unsigned int *count)
{
    *count = trace_len < trace_cap ? trace_len : trace_cap;
    return trace_buf;
}

/* Append one entry; an INB equal to the last entry only counts once more. */
static void trace_append(uint16_t port, uint8_t value, enum port_trace_kind kind,
                         uint32_t count)
{
    enum intr_level old = intr_disable();
    struct port_trace_entry *last =
        trace_len > 0 && trace_len <= trace_cap ? &trace_buf[trace_len - 1] : NULL;
    if (kind == PORT_TRACE_INB && last != NULL && last->kind == PORT_TRACE_INB &&
        last->port == port && last->value == value) {
        last->count++;
    } else {
        if (trace_len < trace_cap) {
            trace_buf[trace_len].port = port;
            trace_buf[trace_len].value = value;
            trace_buf[trace_len].kind = (uint8_t)kind;
            trace_buf[trace_len].count = count;
        }
        trace_len++;
    }
    intr_set_level(old);
}

void port_trace_record(uint16_t port, uint8_t value)
{
    trace_append(port, value, PORT_TRACE_OUTB, 1);
}

/* inb(PORT) while the trace is on: the reader's value if it has one, else
 * the device's; a full trace records either. */
uint8_t port_trace_inb(uint16_t port)
{
    uint8_t v;
    if (trace_reader == NULL || !trace_reader(port, &v))
        v = inb_untraced(port);
    if (trace_full)
        trace_append(port, v, PORT_TRACE_INB, 1);
    return v;
}

void port_trace_string(uint16_t port, uint32_t words, bool out)
{
    if (trace_full)
        trace_append(port, 0, out ? PORT_TRACE_OUTSW : PORT_TRACE_INSW, words);
}
