/* sched_trace.c: the event ring behind the timelines (grade.py --timeline, the monitor's `timeline`). */
#include "sched_trace.h"

#include "format.h"
#include "intr_level.h"
#include "kstring.h"
#include "x86.h"

#define DUMP_PER_LINE 12 /* events per dump line: stays well under ktest's 1024 bytes */
#define DUMP_LINE 768

struct sched_trace_event sched_trace_ring[SCHED_TRACE_EVENTS]; /* interrupts off to touch */
uint32_t sched_trace_pushed;        /* events ever recorded; slot = low bits */
static uint32_t pushed_at_reset;    /* sched_trace_pushed at the last reset */
bool sched_trace_recording = true;
struct sched_trace_event *sched_trace_run = sched_trace_ring;
uint32_t sched_trace_run_end = UINT32_MAX; /* no run yet: pushed is 0 */
static const volatile uint32_t no_clock;   /* what events read before sched_trace_set_clock */
const volatile uint32_t *sched_trace_ticks = &no_clock;

/* Events recorded since the last reset, kept or not. */
static uint32_t since_reset(void)
{
    return sched_trace_pushed - pushed_at_reset;
}

static struct {
    unsigned id;
    char name[SCHED_TRACE_NAME_MAX];
} names[SCHED_TRACE_NAMES];

void sched_trace_set_clock(const volatile uint32_t *ticks)
{
    sched_trace_ticks = ticks != NULL ? ticks : &no_clock;
}

void sched_trace_irq_event(int irq)
{
    if (!sched_trace_recording)
        return;
    sched_trace_record(ST_IRQ, (unsigned)irq, 1, 0);
    if (irq == SCHED_TRACE_TIMER_IRQ) { /* a new run starts */
        sched_trace_run = &sched_trace_ring[(sched_trace_pushed - 1) & (SCHED_TRACE_EVENTS - 1)];
        sched_trace_run_end = sched_trace_pushed;
    }
}

void sched_trace_name(unsigned id, const char *name)
{
    enum intr_level old = intr_disable();
    unsigned slot = id % SCHED_TRACE_NAMES;
    names[slot].id = id;
    strlcpy(names[slot].name, name != NULL ? name : "?", sizeof names[slot].name);
    intr_set_level(old);
}

const char *sched_trace_name_of(unsigned id)
{
    unsigned slot = id % SCHED_TRACE_NAMES;
    if (names[slot].id != id || names[slot].name[0] == '\0')
        return NULL;
    return names[slot].name;
}

void sched_trace_reset(void)
{
    enum intr_level old = intr_disable();
    pushed_at_reset = sched_trace_pushed;
    /* The newest event is forgotten: no timer run may continue it. */
    sched_trace_run_end = sched_trace_pushed - 1;
    intr_set_level(old);
}

bool sched_trace_set_recording(bool on)
{
    enum intr_level old = intr_disable();
    bool was = sched_trace_recording;
    sched_trace_recording = on;
    intr_set_level(old);
    return was;
}

size_t sched_trace_count(void)
{
    uint32_t n = since_reset();
    return n < SCHED_TRACE_EVENTS ? n : SCHED_TRACE_EVENTS;
}

unsigned long sched_trace_dropped(void)
{
    uint32_t n = since_reset();
    return n > SCHED_TRACE_EVENTS ? n - SCHED_TRACE_EVENTS : 0;
}

struct sched_trace_event sched_trace_get(size_t i)
{
    enum intr_level old = intr_disable();
    uint32_t first = sched_trace_pushed - (uint32_t)sched_trace_count();
    struct sched_trace_event e =
        sched_trace_ring[(first + (uint32_t)i) & (SCHED_TRACE_EVENTS - 1)];
    intr_set_level(old);
    return e;
}

/* Emit "N id name" for every thread id the events mention (once each). */
static void dump_names(size_t n, void (*emit)(const char *line))
{
    static bool seen[SCHED_TRACE_NAMES];
    char line[64];

    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < n; i++) {
        struct sched_trace_event e = sched_trace_get(i);
        unsigned ids[2] = {e.a, e.b};
        int k = e.kind == ST_SWITCH ? 2 : (e.kind == ST_IRQ ? 0 : 1);
        for (int j = 0; j < k; j++) {
            const char *name = sched_trace_name_of(ids[j]);
            if (seen[ids[j] % SCHED_TRACE_NAMES] || name == NULL)
                continue;
            seen[ids[j] % SCHED_TRACE_NAMES] = true;
            size_t len = (size_t)ksnprintf(line, sizeof line, "N %u ", ids[j]);
            for (const char *p = name; *p && len < sizeof line - 1; p++)
                line[len++] = (*p > ' ' && *p <= '~') ? *p : '_';
            line[len] = '\0';
            emit(line);
        }
    }
}

/* The event a switch's ST_STATE_YIELDED or ST_STATE_PREEMPTED stands for
 * (written before the switch itself), or 0. */
static char switch_cause(const struct sched_trace_event *e)
{
    if (e->kind != ST_SWITCH)
        return 0;
    return e->c == ST_STATE_YIELDED ? ST_YIELD : e->c == ST_STATE_PREEMPTED ? ST_PREEMPT : 0;
}

/* Append one event to LINE (LEN bytes used), emitting LINE every
 * DUMP_PER_LINE events (*IN_LINE counts them); returns the new length. */
static size_t dump_one(char *line, size_t len, unsigned *in_line, uint32_t tick, uint64_t d,
                       char kind, unsigned a, uint32_t b, unsigned c,
                       void (*emit)(const char *line))
{
    if (len == 0)
        len = (size_t)ksnprintf(line, DUMP_LINE, "E");
    len += (size_t)ksnprintf(line + len, DUMP_LINE - len, " %lu,%lu,%c,%u,%lu,%u",
                             (unsigned long)tick,
                             (unsigned long)(d > UINT32_MAX ? UINT32_MAX : d), kind, a,
                             (unsigned long)b, c);
    if (++*in_line == DUMP_PER_LINE) {
        emit(line);
        len = 0;
        *in_line = 0;
    }
    return len;
}

void sched_trace_dump(const char *test, void (*emit)(const char *line))
{
    static char line[DUMP_LINE];
    bool was = sched_trace_set_recording(false);
    size_t n = sched_trace_count(), shown = n;
    uint64_t prev_tsc = n > 0 ? sched_trace_get(0).tsc : 0;

    for (size_t i = 0; i < n; i++) {
        struct sched_trace_event e = sched_trace_get(i);
        if (switch_cause(&e))
            shown++; /* written as two events */
    }
    ksnprintf(line, sizeof line, "BEGIN %s %lu %lu", test, (unsigned long)shown,
              sched_trace_dropped());
    emit(line);
    dump_names(n, emit);
    size_t len = 0;
    unsigned in_line = 0;
    for (size_t i = 0; i < n; i++) {
        struct sched_trace_event e = sched_trace_get(i);
        uint64_t d = e.tsc - prev_tsc;
        char cause = switch_cause(&e);
        prev_tsc = e.tsc;
        if (cause) {
            len = dump_one(line, len, &in_line, e.tick, d, cause, e.a, 0, 0, emit);
            d = 0;
            e.c = ST_STATE_READY;
        }
        len = dump_one(line, len, &in_line, e.tick, d, (char)e.kind, e.a, e.b, e.c, emit);
    }
    if (len > 0)
        emit(line);
    ksnprintf(line, sizeof line, "END %s %lu", test, (unsigned long)shown);
    emit(line);
    sched_trace_set_recording(was);
}
