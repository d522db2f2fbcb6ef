/* panic.c: panic_at(): report, backtrace, power off with a failure status. */
#include <stdarg.h>

#include "debug.h"
#include "kprintf.h"
#include "ksyms.h"
#include "kstep.h"
#include "power.h"
#include "x86.h"

static int panic_depth; /* > 0 while panicking: a nested panic stops at once */

void panic_at(const char *file, int line, const char *func, const char *fmt, ...)
{
    va_list ap;

    cpu_cli();
    if (panic_depth++ > 0) {
        kprintf("KPANIC (nested panic at %s:%d)\n", file, line);
        power_off(POWER_PANIC);
    }
    kprintf("KPANIC %s:%d %s: ", file, line, func);
    const char *step = kstep_panic_note(file, func, read_ebp());
    if (step != NULL)
        kprintf("%s: ", step);
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n  backtrace:\n");
    backtrace_print(read_ebp());
    power_off(POWER_PANIC);
}
