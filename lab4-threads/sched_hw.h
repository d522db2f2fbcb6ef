/* sched_hw.h: the one hardware question the pure scheduling files ask ("are interrupts off?"), replaceable by host tests. */
#ifndef LAB4_SCHED_HW_H
#define LAB4_SCHED_HW_H

#include <stdbool.h>

#ifdef SCHED_HOST_TEST
/* Supplied by the host test: what it pretends the interrupt flag is. */
bool sched_host_interrupts_off(void);
static inline bool sched_interrupts_off(void)
{
    return sched_host_interrupts_off();
}
#else
#include "common/intr_level.h"
/* True if the CPU's interrupt flag is clear. Any context. */
static inline bool sched_interrupts_off(void)
{
    return intr_get_level() == INTR_OFF;
}
#endif

#endif
