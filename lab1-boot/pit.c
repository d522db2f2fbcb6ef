/* pit.c: PIT channel 0 as the system tick (IRQ 0). */
#include "common/debug.h"
#include "common/sched_trace.h"
#include "common/x86.h"
#include "intr.h"
#include "pit.h"

#define PIT_CHANNEL0 0x40 /* channel 0 data port */
#define PIT_COMMAND  0x43 /* mode/command register */
#define PIT_INPUT_HZ 1193182u

#define PIT_SEL_CHANNEL0 0x00
#define PIT_ACCESS_LOHI  0x30 /* low byte then high byte */
#define PIT_MODE_RATE    0x04 /* mode 2: rate generator */
#define PIT_LATCH        0x00 /* counter-latch command (access bits 00) */
#define PIT_IRQ 0

volatile uint32_t pit_ticks; /* pit.h: timer_ticks() */
static uint32_t hz;
static pit_tick_hook_fn *tick_hook;

static void pit_interrupt(struct intr_frame *frame)
{
    pit_ticks++;
    if (tick_hook)
        tick_hook(frame);
}

void pit_init(uint32_t rate_hz)
{
    KASSERT(rate_hz >= 19 && rate_hz <= PIT_INPUT_HZ);
    uint32_t divisor = 0;
    /* LAB 1: TODO step 5 (PIT): compute channel 0's divisor for RATE_HZ
     * (rounded to nearest) into DIVISOR, then program channel 0 as a binary
     * rate generator taking its divisor low byte then high byte. */
    /* LAB 1: BEGIN SOLUTION */
    divisor = (PIT_INPUT_HZ + rate_hz / 2) / rate_hz;
    outb(PIT_COMMAND, PIT_SEL_CHANNEL0 | PIT_ACCESS_LOHI | PIT_MODE_RATE);
    outb(PIT_CHANNEL0, divisor & 0xFF);
    outb(PIT_CHANNEL0, (divisor >> 8) & 0xFF);
    /* LAB 1: END SOLUTION */
    hz = divisor ? PIT_INPUT_HZ / divisor : 0; /* 0: channel 0 not programmed */
    sched_trace_set_clock(&pit_ticks);
    irq_register(PIT_IRQ, pit_interrupt);
}

uint32_t pit_hz(void)
{
    return hz;
}

void pit_set_tick_hook(pit_tick_hook_fn *hook)
{
    if (hook != NULL && tick_hook != NULL && tick_hook != hook)
        PANIC("pit_set_tick_hook: a tick hook is already installed: a second one "
              "would silently replace it");
    tick_hook = hook;
}

pit_tick_hook_fn *pit_chain_tick_hook(pit_tick_hook_fn *hook)
{
    KASSERT(intr_get_level() == INTR_OFF);
    pit_tick_hook_fn *prev = tick_hook;
    tick_hook = hook;
    return prev;
}

uint16_t pit_read_counter(void)
{
    enum intr_level old = intr_disable(); /* the two reads must pair up */
    outb(PIT_COMMAND, PIT_SEL_CHANNEL0 | PIT_LATCH);
    uint16_t lo = inb(PIT_CHANNEL0);
    uint16_t hi = inb(PIT_CHANNEL0);
    intr_set_level(old);
    return (uint16_t)(hi << 8 | lo);
}

void timer_sleep_busy(uint32_t ms)
{
    uint32_t start = pit_ticks;
    uint32_t wait = (ms * hz + 999) / 1000;

    KASSERT(intr_get_level() == INTR_ON);
    while (pit_ticks - start < wait)
        cpu_hlt();
}
