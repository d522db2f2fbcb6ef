/* kprintf.h: formatted output to every console sink (COM1, port 0xE9, VGA). */
#ifndef COMMON_KPRINTF_H
#define COMMON_KPRINTF_H

#include <stdarg.h>

/* Format like printf (see format.h for the conversions) and write the result
 * to all console sinks. Returns the number of characters written.
 * May be called with interrupts on or off; never sleeps. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

#endif
