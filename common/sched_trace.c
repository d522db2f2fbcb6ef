/* sched_trace.c: the event ring behind the timelines (grade.py --timeline, the monitor's `timeline`). */
#include "sched_trace.h"

#include "format.h"
#include "intr_level.h"
#include "kstring.h"
#include "x86.h"

#define DUMP_PER_LINE 12 /* events per dump line: stays well under ktest's 1024 bytes */
#define DUMP_LINE 768

static struct sched_trace_event ring[SCHED_TRACE_EVENTS]; /* interrupts off to touch */
static size_t ring_next;            /* slot of the next event */
static size_t ring_count;           /* events kept, <= SCHED_TRACE_EVENTS */
static unsigned long ring_dropped;  /* overwritten since the last reset */
static bool recording = true;
static uint32_t (*clock_ticks)(void);

static struct {
    unsigned id;
    char name[SCHED_TRACE_NAME_MAX];
} names[SCHED_TRACE_NAMES];

void sched_trace_set_clock(uint32_t (*ticks)(void))
{
    clock_ticks = ticks;
}

/* The newest event, or NULL. Interrupts off. */
static struct sched_trace_event *ring_last(void)
{
    if (ring_count == 0)
        return NULL;
    return &ring[(ring_next + SCHED_TRACE_EVENTS - 1) % SCHED_TRACE_EVENTS];
}

/* Append an event and return it. Interrupts off. */
static struct sched_trace_event *ring_push(void)
{
    struct sched_trace_event *e = &ring[ring_next];
    ring_next = (ring_next + 1) % SCHED_TRACE_EVENTS;
    if (ring_count < SCHED_TRACE_EVENTS)
        ring_count++;
    else
        ring_dropped++;
    return e;
}

void sched_trace_event(enum sched_trace_kind kind, unsigned a, uint32_t b, unsigned c)
{
    enum intr_level old = intr_disable();
    if (recording) {
        struct sched_trace_event *e = ring_push();
        e->tsc = rdtsc();
        e->tick = clock_ticks != NULL ? clock_ticks() : 0;
        e->kind = (uint8_t)kind;
        e->a = (uint16_t)a;
        e->b = b;
        e->c = (uint8_t)c;
    }
    intr_set_level(old);
}

void sched_trace_irq(int irq)
{
    enum intr_level old = intr_disable();
    struct sched_trace_event *last = ring_last();
    /* A run of timer ticks with nothing between them is one event. */
    if (recording && irq == SCHED_TRACE_TIMER_IRQ && last != NULL && last->kind == ST_IRQ &&
        last->a == SCHED_TRACE_TIMER_IRQ && last->b < UINT32_MAX)
        last->b++;
    else
        sched_trace_event(ST_IRQ, (unsigned)irq, 1, 0);
    intr_set_level(old);
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
    ring_next = 0;
    ring_count = 0;
    ring_dropped = 0;
    intr_set_level(old);
}

bool sched_trace_set_recording(bool on)
{
    enum intr_level old = intr_disable();
    bool was = recording;
    recording = on;
    intr_set_level(old);
    return was;
}

size_t sched_trace_count(void)
{
    return ring_count;
}

unsigned long sched_trace_dropped(void)
{
    return ring_dropped;
}

struct sched_trace_event sched_trace_get(size_t i)
{
    enum intr_level old = intr_disable();
    size_t first = (ring_next + SCHED_TRACE_EVENTS - ring_count) % SCHED_TRACE_EVENTS;
    struct sched_trace_event e = ring[(first + i) % SCHED_TRACE_EVENTS];
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

void sched_trace_dump(const char *test, void (*emit)(const char *line))
{
    static char line[DUMP_LINE];
    bool was = sched_trace_set_recording(false);
    size_t n = sched_trace_count();
    uint64_t prev_tsc = n > 0 ? sched_trace_get(0).tsc : 0;

    ksnprintf(line, sizeof line, "BEGIN %s %lu %lu", test, (unsigned long)n,
              sched_trace_dropped());
    emit(line);
    dump_names(n, emit);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        struct sched_trace_event e = sched_trace_get(i);
        uint64_t d = e.tsc - prev_tsc;
        prev_tsc = e.tsc;
        if (len == 0)
            len = (size_t)ksnprintf(line, sizeof line, "E");
        len += (size_t)ksnprintf(line + len, sizeof line - len, " %lu,%lu,%c,%u,%lu,%u",
                                 (unsigned long)e.tick,
                                 (unsigned long)(d > UINT32_MAX ? UINT32_MAX : d),
                                 (char)e.kind, (unsigned)e.a, (unsigned long)e.b,
                                 (unsigned)e.c);
        if ((i + 1) % DUMP_PER_LINE == 0 || i + 1 == n) {
            emit(line);
            len = 0;
        }
    }
    ksnprintf(line, sizeof line, "END %s %lu", test, (unsigned long)n);
    emit(line);
    sched_trace_set_recording(was);
}
