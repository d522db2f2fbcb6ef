/* console.c: fan console output out to COM1, port 0xE9 and VGA; kprintf. */
#include "console.h"
#include "format.h"
#include "intr_level.h"
#include "kprintf.h"
#include "serial.h"
#include "vga.h"
#include "x86.h"

/* Bochs (port_e9_hack) and QEMU (-debugcon) print bytes written here. */
#define DEBUGCON_PORT 0xE9

void console_init(void)
{
    serial_init();
    vga_init();
}

void console_putc(char c)
{
    if (c == '\n')
        serial_putc('\r');
    serial_putc(c);
    outb(DEBUGCON_PORT, (uint8_t)c);
    vga_putc(c);
}

void console_puts(const char *s)
{
    while (*s)
        console_putc(*s++);
}

static void console_emit(char c, void *ctx)
{
    (void)ctx;
    console_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
    enum intr_level old = intr_disable();
    int n = kformat(console_emit, NULL, fmt, ap);
    intr_set_level(old);
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
