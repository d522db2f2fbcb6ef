/* intr_level.h: save, disable and restore the CPU interrupt flag (nesting-safe). */
#ifndef COMMON_INTR_LEVEL_H
#define COMMON_INTR_LEVEL_H

#include "x86.h"

enum intr_level {
    INTR_OFF, /* interrupts disabled (IF = 0) */
    INTR_ON   /* interrupts enabled (IF = 1) */
};

/* Current interrupt level. Any context. */
static inline enum intr_level intr_get_level(void)
{
    return (read_eflags() & EFLAGS_IF) ? INTR_ON : INTR_OFF;
}

/* Disable interrupts and return the previous level, to be handed back to
 * intr_set_level(). Nesting-safe: the usual idiom is
 *     enum intr_level old = intr_disable();
 *     ... critical section ...
 *     intr_set_level(old);
 * Any context. */
static inline enum intr_level intr_disable(void)
{
    enum intr_level old = intr_get_level();
    cpu_cli();
    return old;
}

/* Enable interrupts; return the previous level. Not from an interrupt handler. */
static inline enum intr_level intr_enable(void)
{
    enum intr_level old = intr_get_level();
    cpu_sti();
    return old;
}

/* Restore a level returned by intr_disable() or intr_enable(). */
static inline enum intr_level intr_set_level(enum intr_level level)
{
    return level == INTR_ON ? intr_enable() : intr_disable();
}

#endif
