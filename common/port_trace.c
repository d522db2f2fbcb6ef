/* port_trace.c: record byte port writes (and stand in for chosen port reads) while a test watches. */
#include <stddef.h>

#include "debug.h"
#include "port_trace.h"

volatile bool port_trace_on;
static struct port_trace_entry *trace_buf;
static unsigned int trace_cap, trace_len;
static port_trace_reader_fn *trace_reader;

void port_trace_start(struct port_trace_entry *buf, unsigned int cap)
{
    KASSERT(buf != NULL || cap == 0);
    trace_buf = buf;
    trace_cap = cap;
    trace_len = 0;
    trace_reader = NULL;
    port_trace_on = true;
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

void port_trace_record(uint16_t port, uint8_t value)
{
    if (trace_len < trace_cap) {
        trace_buf[trace_len].port = port;
        trace_buf[trace_len].value = value;
    }
    trace_len++;
}

bool port_trace_faked(uint16_t port, uint8_t *value)
{
    return trace_reader != NULL && trace_reader(port, value);
}
