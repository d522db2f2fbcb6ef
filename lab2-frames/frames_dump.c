/* frames_dump.c: the monitor's `framedump`: every frame pool's states as FMAP lines, for tools/memory_map.py's picture. */
#include <stddef.h>

#include "common/kprintf.h"
#include "lab1-boot/monitor.h"
#include "lab2-frames/cont_frame_pool.h"

#define FMAP_RUNS_PER_LINE 16

/* One letter per state (the `frames` map's): free, head of sequence, used,
 * inaccessible. */
static char fmap_letter(enum cfp_state s)
{
    switch (s) {
    case CFP_STATE_FREE: return 'f';
    case CFP_STATE_HEAD: return 'H';
    case CFP_STATE_USED: return 'u';
    case CFP_STATE_INACCESSIBLE: return 'X';
    default: return '?';
    }
}

/* FMAP RUNS lines: POOL's frames as run-length encoded letters, in order. */
static void fmap_runs(const struct cont_frame_pool *pool)
{
    unsigned long n = cfp_n_frames(pool), base = cfp_base_frame(pool);
    unsigned long i = 0;
    int on_line = 0;

    while (i < n) {
        char c = fmap_letter(cfp_frame_state(pool, base + i));
        unsigned long run = 1;
        while (i + run < n && fmap_letter(cfp_frame_state(pool, base + i + run)) == c)
            run++;
        if (on_line == 0)
            kprintf("FMAP RUNS %s", cfp_name(pool));
        kprintf(" %c:%lu", c, run);
        if (++on_line == FMAP_RUNS_PER_LINE) {
            kprintf("\n");
            on_line = 0;
        }
        i += run;
    }
    if (on_line != 0)
        kprintf("\n");
}

static int cmd_framedump(int argc, char **argv)
{
    (void)argc, (void)argv;
    kprintf("FMAP BEGIN\n");
    for (struct cont_frame_pool *p = cfp_first_pool(); p; p = cfp_next_pool(p)) {
        kprintf("FMAP POOL %s %lu %lu %lu %lu\n", cfp_name(p), cfp_base_frame(p),
                cfp_n_frames(p), cfp_info_frame(p), cfp_n_info_frames(p));
        fmap_runs(p);
    }
    kprintf("FMAP END\n");
    return 0;
}
MONITOR_COMMAND(framedump, "", "every frame pool's frame states as FMAP lines (tools/memory_map.py)",
                cmd_framedump);
