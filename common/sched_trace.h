/* sched_trace.h: a fixed-size ring of scheduling, interrupt and disk events for timelines. */
#ifndef COMMON_SCHED_TRACE_H
#define COMMON_SCHED_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intr_level.h"
#include "x86.h"

/*
 * The kernel records what its scheduler, interrupt dispatcher and disk layer
 * do, one small event at a time, into a ring that keeps the newest
 * SCHED_TRACE_EVENTS events. Each event carries the PIT tick count and the
 * time-stamp counter (on Bochs: instructions executed). Readers:
 *   - the test runner (common/ktest.c) dumps the ring as tagged KTRACE lines
 *     at the end of every test when the command line has `ktrace`
 *     (grade.py --timeline), and empties it before each test;
 *   - the monitor's `timeline` command (labs 4-6) draws it in ASCII.
 * The recording calls are in given code (not in any exercise), so a student's
 * kernel records the same events as the reference. Nothing is recorded
 * when nobody will read it (a test run without `ktrace`, a benchmark): then
 * a recording call costs a compare (sched_trace_event also saves and
 * restores the interrupt flag).
 *
 * Recording is interrupt-safe (interrupts off around each event) and may be
 * called from any context. Consecutive timer interrupts with nothing else in
 * between are merged into one IRQ event with a count, so an idle kernel does
 * not push everything else out of the ring.
 */

#define SCHED_TRACE_EVENTS 2048 /* ring size: the newest events are kept */
#define SCHED_TRACE_NAMES 64    /* thread names remembered (id modulo this) */
#define SCHED_TRACE_NAME_MAX 16 /* bytes, NUL included */
#define SCHED_TRACE_TIMER_IRQ 0

/* Event kinds. The letters are the dump format (grade/timeline.py). */
enum sched_trace_kind {
    ST_SWITCH = 'S',   /* a = previous thread, b = next, c = previous's new state */
    ST_YIELD = 'Y',    /* a = thread giving up the CPU */
    ST_PREEMPT = 'P',  /* a = thread preempted by the timer */
    ST_BLOCK = 'B',    /* a = thread blocking */
    ST_WAKE = 'W',     /* a = thread made ready again (resume, sleeper woken) */
    ST_ADD = 'A',      /* a = new thread made ready for the first time */
    ST_EXIT = 'X',     /* a = thread ending (becomes a zombie), c = how (thread_end) */
    ST_IRQ = 'I',      /* a = IRQ line, b = how many in a row (timer only, else 1) */
    ST_DISK_ISSUE = 'D',  /* a = waiting thread, b = block, c = 1 for a write */
    ST_DISK_DONE = 'C',   /* a = waiting thread, b = block, c = result (0 = ok) */
};

/* States carried by ST_SWITCH's c: the previous thread's new state. */
enum sched_trace_state {
    ST_STATE_READY = 'r',
    ST_STATE_BLOCKED = 'b',
    ST_STATE_ZOMBIE = 'z',
    ST_STATE_RUNNING = 'R', /* kept running (a switch to itself is not recorded) */
    /* READY, and why, so that a yield or a preemption costs one event: the
     * ring keeps them, sched_trace_dump writes each as a Y or P event of the
     * previous thread followed by the switch with ST_STATE_READY. */
    ST_STATE_YIELDED = 'y',
    ST_STATE_PREEMPTED = 'p',
};

struct sched_trace_event {
    uint64_t tsc;      /* rdtsc when recorded */
    uint32_t tick;     /* PIT ticks (sched_trace_set_clock) when recorded */
    uint32_t b;        /* kind-specific (block number, repeat count...) */
    uint16_t a;        /* kind-specific, usually a thread id */
    uint8_t kind;      /* enum sched_trace_kind */
    uint8_t c;         /* kind-specific (state, write flag, result) */
};

/* The ring itself, for sched_trace_event's inline store only: everything
 * else reads it through the functions below. SCHED_TRACE_EVENTS is a power
 * of two, so a slot is the low bits of a running event count. */
_Static_assert((SCHED_TRACE_EVENTS & (SCHED_TRACE_EVENTS - 1)) == 0,
               "SCHED_TRACE_EVENTS must be a power of two");
extern struct sched_trace_event sched_trace_ring[SCHED_TRACE_EVENTS];
extern uint32_t sched_trace_pushed;          /* events ever recorded (wraps) */
extern bool sched_trace_recording;
extern const volatile uint32_t *sched_trace_ticks; /* sched_trace_set_clock; never NULL */
/* The timer run sched_trace_irq may extend: its event, and sched_trace_pushed
 * right after it was recorded. Once anything else is recorded (or the ring
 * is reset) the count moves on and the run is over. */
extern struct sched_trace_event *sched_trace_run;
extern uint32_t sched_trace_run_end;

/* Record one event. Caller must have interrupts off (the context-switch
 * paths do: they save the flags only once). Inline and cheap: a handful of
 * stores into the next slot, no call, no formatting (sched_trace_dump
 * formats). With recording off it costs one compare (the branch is marked
 * unlikely). GCC may still compute the arguments before that compare: a
 * caller whose arguments cost something tests sched_trace_recording first
 * and records out of line (thread_switch_to does). */
static inline void sched_trace_record(enum sched_trace_kind kind, unsigned a, uint32_t b,
                                      unsigned c)
{
    if (__builtin_expect(sched_trace_recording, 0)) {
        struct sched_trace_event *e =
            &sched_trace_ring[sched_trace_pushed++ & (SCHED_TRACE_EVENTS - 1)];
        e->b = b;
        e->a = (uint16_t)a;
        e->kind = (uint8_t)kind;
        e->c = (uint8_t)c;
        e->tick = *sched_trace_ticks;
        e->tsc = rdtsc(); /* last: rdtsc takes two registers */
    }
}

/* Record one event. Any context, any interrupt level. */
static inline void sched_trace_event(enum sched_trace_kind kind, unsigned a, uint32_t b,
                                     unsigned c)
{
    enum intr_level old = intr_disable();
    sched_trace_record(kind, a, b, c);
    if (old == INTR_ON) /* intr_set_level(old), without re-reading the flags when off */
        intr_set_level(INTR_ON);
}

/* Record IRQ line IRQ as a new event (and, for the timer, the start of a new
 * run). Interrupts off. sched_trace_irq's rarer case: out of line. */
void sched_trace_irq_event(int irq);

/* Record that IRQ line IRQ is being served. Interrupts off (an interrupt
 * handler's context: its gate turned them off). Inline: it runs on every
 * interrupt. A run of timer ticks with nothing between them is one event,
 * its b counting them: a tick extends the run while the run's event is
 * still the newest (sched_trace_run_end), without reading the ring. */
static inline void sched_trace_irq(int irq)
{
    if (!__builtin_expect(sched_trace_recording, 0))
        return; /* nobody reads the trace: one compare */
    if (irq == SCHED_TRACE_TIMER_IRQ && sched_trace_pushed == sched_trace_run_end &&
        sched_trace_run->b < UINT32_MAX)
        sched_trace_run->b++;
    else
        sched_trace_irq_event(irq);
}

/* Remember thread ID's name (up to SCHED_TRACE_NAME_MAX-1 bytes) for the
 * dump's lane labels. Any context. */
void sched_trace_name(unsigned id, const char *name);

/* The name remembered for ID, or NULL. */
const char *sched_trace_name_of(unsigned id);

/* The tick counter events read (lab 1's PIT count, set by pit_init; NULL:
 * none, ticks read as 0); read in place, not through a call, to keep
 * recording cheap. */
void sched_trace_set_clock(const volatile uint32_t *ticks);

/* Forget every event (names are kept). Any context. */
void sched_trace_reset(void);

/* Stop (false) or restart (true) recording; returns the previous setting.
 * On from boot; kmain stops it when nothing will read the ring (tests
 * without `ktrace`, benchmarks). The dump and the trace benchmarks use it
 * too. Any context. */
bool sched_trace_set_recording(bool on);

/* Events in the ring (at most SCHED_TRACE_EVENTS) and events lost to the
 * ring's wrap since the last reset. */
size_t sched_trace_count(void);
unsigned long sched_trace_dropped(void);

/* Copy of the I-th oldest event kept (I < sched_trace_count()). Take it with
 * recording stopped, or events may move under you. */
struct sched_trace_event sched_trace_get(size_t i);

/* Write the ring as text lines for the KTRACE protocol: EMIT is called once
 * per line (without the "KTRACE " prefix or a newline). TEST names the test.
 * Recording is stopped while it runs. Thread context. */
void sched_trace_dump(const char *test, void (*emit)(const char *line));

#endif
