/* debug.h: KASSERT, PANIC and NOT_REACHED, reporting file, line and function. */
#ifndef COMMON_DEBUG_H
#define COMMON_DEBUG_H

/* Print "KPANIC file:line func: message" (with the handout step that owns the
 * code in front of the message, if the lab registered one: kstep.h), the registers if any, a symbolised
 * backtrace, then power off with a failure status. Never returns.
 * May be called anywhere, with interrupts on or off. */
void panic_at(const char *file, int line, const char *func, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

#define PANIC(...) panic_at(__FILE__, __LINE__, __func__, __VA_ARGS__)

#define KASSERT(cond)                                                        \
    do {                                                                     \
        if (!(cond))                                                         \
            panic_at(__FILE__, __LINE__, __func__, "assertion `%s' failed",  \
                     #cond);                                                 \
    } while (0)

#define NOT_REACHED() PANIC("executed unreachable code")

#endif
