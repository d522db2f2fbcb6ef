/* frames.c: the kernel's two system frame pools, built from the E820 map. */
#include "lab2-frames/frames.h"

#include <stddef.h>
#include <stdint.h>

#include "common/debug.h"
#include "common/kprintf.h"
#include "lab1-boot/bootinfo.h"

/* Kernel image bounds (common/kernel.ld). */
extern char __kernel_start[], __kernel_end[];

static struct cont_frame_pool kernel_pool;
static struct cont_frame_pool process_pool;
static bool frames_ready;

bool frames_available(void)
{
    return frames_ready;
}

struct cont_frame_pool *frames_kernel_pool(void)
{
    KASSERT(frames_ready);
    return &kernel_pool;
}

struct cont_frame_pool *frames_process_pool(void)
{
    KASSERT(frames_ready);
    return &process_pool;
}

/* ---- The E820 map, in frames ------------------------------------------- */

/* Frames [*LO, *HI) of E820 entry E, capped at 4 GiB: rounded inwards for a
 * usable range (only whole frames are usable), outwards for any other kind
 * (a frame that touches a reserved byte is not usable). */
static void e820_frames(const struct e820_entry *e, unsigned long *lo,
                        unsigned long *hi)
{
    const uint64_t cap = (uint64_t)CFP_MAX_FRAME_NO;
    uint64_t base = e->base;
    uint64_t end = e->length > UINT64_MAX - base ? UINT64_MAX : base + e->length;
    uint64_t flo, fhi;

    if (e->type == E820_USABLE) {
        flo = (base >> 12) + ((base & 0xFFF) != 0);
        fhi = end >> 12;
    } else {
        flo = base >> 12;
        fhi = (end >> 12) + ((end & 0xFFF) != 0);
    }
    *lo = (unsigned long)(flo < cap ? flo : cap);
    *hi = (unsigned long)(fhi < cap ? fhi : cap);
}

static const struct boot_info *frames_boot_info(void)
{
    const struct boot_info *bi = boot_info();
    if (bi->magic != BOOTINFO_MAGIC)
        PANIC("frames: no boot-info record (magic 0x%x, expected 0x%x)",
              (unsigned)bi->magic, (unsigned)BOOTINFO_MAGIC);
    if (bi->e820_count == 0 || bi->e820_count > BOOTINFO_E820_MAX)
        PANIC("frames: the boot-info record has %u E820 entries",
              (unsigned)bi->e820_count);
    return bi;
}

bool frames_e820_usable(unsigned long frame_no)
{
    const struct boot_info *bi = frames_boot_info();
    bool covered = false;

    for (uint32_t i = 0; i < bi->e820_count; i++) {
        unsigned long lo, hi;
        e820_frames(&bi->e820[i], &lo, &hi);
        if (frame_no < lo || frame_no >= hi)
            continue;
        if (bi->e820[i].type != E820_USABLE)
            return false;
        covered = true;
    }
    return covered;
}

/* The first frame after FRAME (at most END) where frames_e820_usable() may
 * change: usability is constant between consecutive entry boundaries. */
static unsigned long e820_next_boundary(unsigned long frame, unsigned long end)
{
    const struct boot_info *bi = frames_boot_info();
    unsigned long next = end;

    for (uint32_t i = 0; i < bi->e820_count; i++) {
        unsigned long lo, hi;
        e820_frames(&bi->e820[i], &lo, &hi);
        if (lo > frame && lo < next)
            next = lo;
        if (hi > frame && hi < next)
            next = hi;
    }
    return next;
}

/* End (exclusive) of the highest usable E820 range, in frames. */
static unsigned long e820_usable_end(void)
{
    const struct boot_info *bi = frames_boot_info();
    unsigned long top = 0;

    for (uint32_t i = 0; i < bi->e820_count; i++) {
        unsigned long lo, hi;
        if (bi->e820[i].type != E820_USABLE)
            continue;
        e820_frames(&bi->e820[i], &lo, &hi);
        if (hi > lo && hi > top)
            top = hi;
    }
    return top;
}

/* ---- Building the pools ------------------------------------------------ */

static void frames_mark(struct cont_frame_pool *pool, unsigned long first,
                        unsigned long end, const char *why)
{
    unsigned long base = cfp_base_frame(pool), pend = base + cfp_n_frames(pool);

    if (first < base)
        first = base;
    if (end > pend)
        end = pend;
    if (first >= end)
        return;
    int rc = cfp_mark_inaccessible(pool, first, end - first);
    if (rc != CFP_OK)
        PANIC("frames: cannot mark frames [%lu, %lu) of pool %s inaccessible "
              "(%s): %s", first, end, cfp_name(pool), why, cfp_strerror(rc));
}

/* Mark every frame of POOL that is not usable per E820 inaccessible. */
static void frames_mark_unusable(struct cont_frame_pool *pool)
{
    unsigned long f = cfp_base_frame(pool);
    unsigned long end = f + cfp_n_frames(pool);

    while (f < end) {
        unsigned long next = e820_next_boundary(f, end);
        if (!frames_e820_usable(f))
            frames_mark(pool, f, next, "not usable RAM per E820");
        f = next;
    }
}

static void frames_mark_kernel_image(struct cont_frame_pool *pool)
{
    unsigned long first = (unsigned long)__kernel_start >> 12;
    unsigned long end = ((unsigned long)__kernel_end + 0xFFF) >> 12;
    frames_mark(pool, first, end, "kernel image");
}

void frames_init(void)
{
    unsigned long kernel_end = ((unsigned long)__kernel_end + 0xFFF) >> 12;
    unsigned long top = e820_usable_end();
    int rc;

    KASSERT(!frames_ready);
    /* The kernel pool keeps its bitmap in its first frame: that frame must
     * be RAM, and not the kernel's. */
    if (kernel_end > FRAMES_KERNEL_POOL_BASE)
        PANIC("frames: the kernel image ends at %p, past 2 MiB, where the "
              "kernel frame pool begins", (void *)__kernel_end);
    if (!frames_e820_usable(FRAMES_KERNEL_POOL_BASE))
        PANIC("frames: frame %lu (2 MiB) is not usable RAM per E820",
              FRAMES_KERNEL_POOL_BASE);
    if (top <= FRAMES_PROCESS_POOL_BASE)
        PANIC("frames: usable RAM ends at frame %lu, below 4 MiB: no room for "
              "the process pool", top);

    /* From here on failures mean the pool code is not (yet) right: say so
     * and carry on without pools, so the monitor still comes up. */
    rc = cfp_init(&kernel_pool, FRAMES_KERNEL_POOL_BASE,
                  FRAMES_KERNEL_POOL_FRAMES, 0);
    if (rc != CFP_OK) {
        kprintf("frames: kernel pool refused: %s; running without frame pools\n",
                cfp_strerror(rc));
        return;
    }
    cfp_set_name(&kernel_pool, "kernel");
    frames_mark_unusable(&kernel_pool);
    frames_mark_kernel_image(&kernel_pool);

    unsigned long n = top - FRAMES_PROCESS_POOL_BASE;
    unsigned long n_info = cfp_needed_info_frames(n);
    unsigned long info = n_info ? cfp_get_frames(&kernel_pool, (unsigned int)n_info) : 0;
    if (info == 0) {
        kprintf("frames: could not get %lu frame(s) from the kernel pool for the "
                "process pool's bitmap (is cfp_needed_info_frames/cfp_get_frames "
                "written?); running without a process pool\n", n_info);
        return;
    }
    rc = cfp_init(&process_pool, FRAMES_PROCESS_POOL_BASE, n, info);
    if (rc != CFP_OK) {
        kprintf("frames: process pool refused: %s; running without it\n",
                cfp_strerror(rc));
        return;
    }
    cfp_set_name(&process_pool, "process");
    frames_mark_unusable(&process_pool);
    frames_mark_kernel_image(&process_pool);

    frames_ready = true;
    frames_print_pool(&kernel_pool, false);
    frames_print_pool(&process_pool, false);
}

/* ---- Printing ---------------------------------------------------------- */

#define FRAMES_MAP_COLUMNS 64
#define FRAMES_MAP_MAX_CHARS 512

/* One character for frames [FIRST, FIRST + N) of POOL; SINGLE: the map has
 * one character per frame. */
static char frames_map_char(const struct cont_frame_pool *pool,
                            unsigned long first, unsigned long n, bool single)
{
    unsigned long counts[4] = {0, 0, 0, 0};

    for (unsigned long f = first; f < first + n; f++) {
        enum cfp_state s = cfp_frame_state(pool, f);
        if (s <= CFP_STATE_INACCESSIBLE)
            counts[s]++;
    }
    if (single) {
        static const char symbol[4] = {'u', '.', 'H', 'X'};
        for (int s = 0; s < 4; s++)
            if (counts[s] != 0)
                return symbol[s];
    }
    if (counts[CFP_STATE_FREE] == n)
        return '.';
    if (counts[CFP_STATE_INACCESSIBLE] == n)
        return 'X';
    if (counts[CFP_STATE_USED] + counts[CFP_STATE_HEAD] == n)
        return '#';
    return '+';
}

void frames_print_pool(const struct cont_frame_pool *pool, bool map)
{
    unsigned long counts[4];
    unsigned long base = cfp_base_frame(pool), n = cfp_n_frames(pool);

    cfp_count_states(pool, counts);
    kprintf("frames: pool %s base=%lu n=%lu free=%lu used=%lu head=%lu "
            "inaccessible=%lu info=%lu+%lu\n",
            cfp_name(pool), base, n, counts[CFP_STATE_FREE],
            counts[CFP_STATE_USED], counts[CFP_STATE_HEAD],
            counts[CFP_STATE_INACCESSIBLE], cfp_info_frame(pool),
            cfp_n_info_frames(pool));
    if (!map)
        return;

    unsigned long per_char = (n + FRAMES_MAP_MAX_CHARS - 1) / FRAMES_MAP_MAX_CHARS;
    if (per_char == 1)
        kprintf("  one character per frame: . free, H head of sequence, "
                "u used, X inaccessible\n");
    else
        kprintf("  one character per %lu frames: . all free, # all "
                "allocated, X all inaccessible, + mixed\n", per_char);
    char line[FRAMES_MAP_COLUMNS + 1];
    unsigned long col = 0, line_first = base;
    for (unsigned long f = base; f < base + n; f += per_char) {
        unsigned long len = base + n - f < per_char ? base + n - f : per_char;
        if (col == 0)
            line_first = f;
        line[col++] = frames_map_char(pool, f, len, per_char == 1);
        if (col == FRAMES_MAP_COLUMNS || f + len >= base + n) {
            line[col] = '\0';
            kprintf("  %7lu %s\n", line_first, line);
            col = 0;
        }
    }
}
