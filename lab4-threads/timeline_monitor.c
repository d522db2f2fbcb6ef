/* timeline_monitor.c: the monitor's `timeline`: the scheduling trace (common/sched_trace.h) as ASCII lanes, one column per tick. */
#include <stddef.h>

#include "common/kprintf.h"
#include "common/kstring.h"
#include "common/sched_trace.h"
#include "lab1-boot/monitor.h"
#include "thread.h"

#define TL_COLS_MAX 72
#define TL_COLS_DEFAULT 60
#define TL_LANES_MAX 12
#define TL_UNKNOWN 0

/* Cell characters, weakest first: a cell shows the strongest state its
 * thread had during that tick. */
static const char tl_rank[] = " z_.#";
#define TL_RUNNING '#'
#define TL_READY '.'
#define TL_BLOCKED '_'
#define TL_ZOMBIE 'z'

/* Monitor only: one command at a time. */
static char grid[TL_LANES_MAX][TL_COLS_MAX + 1];
static char irq_row[TL_COLS_MAX + 1], disk_row[TL_COLS_MAX + 1];
static unsigned lane_id[TL_LANES_MAX];
static char lane_state[TL_LANES_MAX];
static int lane_since[TL_LANES_MAX];
static bool lane_seen[TL_LANES_MAX];
static int lanes;

static int rank(char c)
{
    const char *p = strchr(tl_rank, c);
    return p ? (int)(p - tl_rank) : 0;
}

/* The lane of thread ID (a new one if there is room), or -1. */
static int lane_of(unsigned id)
{
    for (int i = 0; i < lanes; i++)
        if (lane_id[i] == id)
            return i;
    if (lanes == TL_LANES_MAX)
        return -1;
    lane_id[lanes] = id;
    lane_state[lanes] = TL_UNKNOWN;
    lane_since[lanes] = 0;
    lane_seen[lanes] = false;
    return lanes++;
}

/* Paint lane L's current state over columns [from, to]. */
static void paint(int l, int from, int to, int cols)
{
    if (lane_state[l] == TL_UNKNOWN)
        return;
    for (int c = from < 0 ? 0 : from; c <= to && c < cols; c++)
        if (rank(lane_state[l]) > rank(grid[l][c]))
            grid[l][c] = lane_state[l];
}

/* Thread ID enters state S at column COL. BEFORE: what it must have been
 * since the window began if this is the first we hear of it. */
static void enter(unsigned id, char s, char before, int col, int cols)
{
    int l = lane_of(id);
    if (l < 0)
        return;
    if (!lane_seen[l])
        lane_state[l] = before;
    lane_seen[l] = true;
    paint(l, lane_since[l], col, cols);
    lane_state[l] = s;
    lane_since[l] = col;
    paint(l, col, col, cols);
    if (s == TL_ZOMBIE) /* freed by the next thread to run: gone after this tick */
        lane_state[l] = TL_UNKNOWN;
}

static char switch_state(unsigned c)
{
    switch (c) {
    case ST_STATE_READY:
    case ST_STATE_YIELDED:   /* ready again, after a yield */
    case ST_STATE_PREEMPTED: /* ready again, after a preemption */
        return TL_READY;
    case ST_STATE_ZOMBIE:
        return TL_ZOMBIE;
    default:
        return TL_BLOCKED;
    }
}

static void mark(char *row, int col, int cols, char ch)
{
    if (col >= 0 && col < cols && (row[col] == ' ' || row[col] == '-'))
        row[col] = ch;
}

/* Lay the events of ticks [first, first + cols) out in the grid. */
static void layout(uint32_t first, int cols)
{
    size_t n = sched_trace_count();
    int issued = -1;

    for (size_t i = 0; i < n; i++) {
        struct sched_trace_event e = sched_trace_get(i);
        int col = (int)(e.tick - first);
        if (col >= cols)
            break;
        switch (e.kind) {
        case ST_SWITCH:
            enter(e.a, switch_state(e.c), TL_RUNNING, col, cols);
            enter(e.b, TL_RUNNING, TL_READY, col, cols);
            break;
        case ST_EXIT: /* another thread ended it: a zombie at once */
            if (e.c == THREAD_END_TERMINATED)
                enter(e.a, TL_ZOMBIE, TL_READY, col, cols);
            break;
        case ST_WAKE:
        case ST_ADD:
            enter(e.a, TL_READY, TL_UNKNOWN, col, cols);
            break;
        case ST_IRQ:
            for (uint32_t k = 0; k < e.b; k++)
                mark(irq_row, col + (int)k, cols,
                     e.a == SCHED_TRACE_TIMER_IRQ ? '|' : "0123456789abcdef"[e.a & 15]);
            break;
        case ST_DISK_ISSUE:
            issued = col;
            mark(disk_row, col, cols, 'D');
            break;
        case ST_DISK_DONE:
            for (int c = issued < 0 ? 0 : issued + 1; c < col && c < cols; c++)
                mark(disk_row, c, cols, '=');
            mark(disk_row, col, cols, 'C');
            issued = -1;
            break;
        default:
            break;
        }
    }
    for (int l = 0; l < lanes; l++)
        paint(l, lane_since[l], cols - 1, cols);
}

static int cmd_timeline(int argc, char **argv)
{
    int cols = TL_COLS_DEFAULT;
    if (argc > 1) {
        cols = (int)strtoul(argv[1], NULL, 10);
        if (cols < 1 || cols > TL_COLS_MAX) {
            kprintf("usage: timeline [TICKS] (1..%d columns, one tick each)\n", TL_COLS_MAX);
            return 1;
        }
    }
    bool was = sched_trace_set_recording(false);
    size_t n = sched_trace_count();
    if (n == 0) {
        sched_trace_set_recording(was);
        kprintf("timeline: no events recorded yet\n");
        return 0;
    }
    uint32_t last = sched_trace_get(n - 1).tick;
    uint32_t first = last + 1 >= (uint32_t)cols ? last + 1 - (uint32_t)cols : 0;
    if (sched_trace_get(0).tick > first)
        first = sched_trace_get(0).tick;
    cols = (int)(last - first + 1);
    lanes = 0;
    memset(grid, ' ', sizeof grid);
    memset(irq_row, ' ', sizeof irq_row);
    memset(disk_row, ' ', sizeof disk_row);
    layout(first, cols);
    bool disk = strchr(disk_row, 'D') != NULL || strchr(disk_row, 'C') != NULL;
    kprintf("timeline: ticks %lu-%lu, one column per tick (%lu events kept, %lu older "
            "dropped)\n", (unsigned long)first, (unsigned long)last, (unsigned long)n,
            sched_trace_dropped());
    for (int l = 0; l < lanes; l++) {
        const char *name = sched_trace_name_of(lane_id[l]);
        grid[l][cols] = '\0';
        bool blank = true;
        for (int c = 0; c < cols; c++)
            blank = blank && grid[l][c] == ' ';
        if (blank)
            continue; /* gone before the window */
        kprintf("%3u %-12.12s|%s|\n", lane_id[l], name ? name : "?", grid[l]);
    }
    if (disk) {
        disk_row[cols] = '\0';
        kprintf("    %-12s|%s|\n", "disk", disk_row);
    }
    irq_row[cols] = '\0';
    kprintf("    %-12s|%s|\n", "IRQ", irq_row);
    kprintf("# running  . ready  _ blocked  z zombie  | timer tick  1-f other IRQ%s\n",
            disk ? "  D issue = in flight C complete" : "");
    sched_trace_set_recording(was);
    return 0;
}
MONITOR_COMMAND(timeline, "[TICKS]", "the last TICKS ticks of scheduling: a lane per thread, IRQs, disk",
                cmd_timeline);
