/* console.h: one console, three sinks: COM1, Bochs/QEMU port 0xE9, VGA text. */
#ifndef COMMON_CONSOLE_H
#define COMMON_CONSOLE_H

/* Initialise all sinks. Call once at boot with interrupts off. */
void console_init(void);

/* Write one character to every sink ("\n" goes to COM1 as "\r\n").
 * Any context; characters of one kprintf call are never interleaved with
 * another's because kprintf disables interrupts around the whole call. */
void console_putc(char c);

/* Write a NUL-terminated string. Any context. */
void console_puts(const char *s);

#endif
