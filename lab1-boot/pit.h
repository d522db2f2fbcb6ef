/* pit.h: the 8253/8254 programmable interval timer and the tick counter. */
#ifndef LAB1_PIT_H
#define LAB1_PIT_H

#include <stdint.h>

#define PIT_DEFAULT_HZ 1000 /* one tick per millisecond */

/* Program channel 0 to interrupt HZ times a second (19..1193182) and count
 * ticks on IRQ 0. Boot only. */
void pit_init(uint32_t hz);

/* The tick counter: IRQ 0 increments it; read it with timer_ticks(). */
extern volatile uint32_t pit_ticks;

/* Ticks since pit_init. Any context. Inline: the scheduler reads it on every
 * tick that has a sleeper to check. */
static inline uint32_t timer_ticks(void)
{
    return pit_ticks;
}

/* Configured rate in Hz. */
uint32_t pit_hz(void);

struct intr_frame;

/* Called on every tick, after the counter advanced, interrupts off, EOI
 * already sent (so it may switch threads). FRAME is the interrupted
 * context (its eflags tell whether it had interrupts enabled). NULL for
 * none. Later labs (the scheduler's on-tick hook) set it. One hook: installing
 * a second, different one panics (NULL removes it). */
typedef void pit_tick_hook_fn(const struct intr_frame *frame);
void pit_set_tick_hook(pit_tick_hook_fn *hook);

/* Install HOOK (NULL: none) in place of the current tick hook, which is
 * returned: whoever installs one for a while (a test) puts the returned one
 * back with a second call. Interrupts off. */
pit_tick_hook_fn *pit_chain_tick_hook(pit_tick_hook_fn *hook);

/* Current value of channel 0's down-counter (latched read). Any context. */
uint16_t pit_read_counter(void);

/* Busy-wait for MS milliseconds of ticks. Interrupts must be on. */
void timer_sleep_busy(uint32_t ms);

#endif
