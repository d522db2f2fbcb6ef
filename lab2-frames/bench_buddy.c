/* bench_buddy.c: lab 2's challenge benchmark: cost of a get/release with the buddy pool and with the bitmap pool (KMETRIC). */
#include <stddef.h>

#include "common/kprintf.h"
#include "common/x86.h"
#include "lab2-frames/buddy_pool.h"
#include "lab2-frames/frames.h"
#include "lab2-frames/tests_frames_support.h"

#define BB_FRAMES 1024u  /* each pool under test: 4 MiB */
#define BB_ITERS 500u

static struct buddy_pool bb_buddy;
static unsigned long bb_outer, bb_info;

/* Instructions (Bochs) or cycles per iteration of N iterations that took T. */
static unsigned long bb_per(uint64_t t, unsigned long n)
{
    return t > 0xFFFFFFFFull ? 0xFFFFFFFFul : (unsigned long)(uint32_t)t / n;
}

/* A buddy pool of BB_FRAMES frames at a 1024-frame boundary; false (and a
 * message) if the challenge is not written yet. */
static bool bb_buddy_create(void)
{
    bb_outer = cfp_get_frames(frames_process_pool(), 2 * BB_FRAMES);
    bb_info = cfp_get_frames(frames_kernel_pool(), (unsigned int)bp_needed_info_frames(BB_FRAMES));
    KT_ASSERT(bb_outer != 0 && bb_info != 0);
    unsigned long base = (bb_outer + BB_FRAMES - 1) & ~(unsigned long)(BB_FRAMES - 1);
    int err = bp_init(&bb_buddy, base, BB_FRAMES, bb_info);
    if (err == BP_OK)
        return true;
    kprintf("bench_buddy: no buddy pool (%s): skipped\n", bp_strerror(err));
    return false;
}

static void bb_buddy_destroy(void)
{
    KT_ASSERT_EQ(cfp_release_frames(bb_outer), CFP_OK);
    KT_ASSERT_EQ(cfp_release_frames(bb_info), CFP_OK);
}

/* Get/release pairs of N frames; per pair. */
static unsigned long bb_cfp_pairs(struct cont_frame_pool *p, unsigned int n)
{
    uint64_t t0 = rdtsc();
    for (unsigned int i = 0; i < BB_ITERS; i++) {
        unsigned long f = cfp_get_frames(p, n);
        KT_ASSERT(f != 0);
        cfp_release_frames(f);
    }
    return bb_per(rdtsc() - t0, BB_ITERS);
}

static unsigned long bb_buddy_pairs(struct buddy_pool *p, unsigned int n)
{
    uint64_t t0 = rdtsc();
    for (unsigned int i = 0; i < BB_ITERS; i++) {
        unsigned long f = bp_get_frames(p, n);
        KT_ASSERT(f != 0);
        bp_release_frames(p, f);
    }
    return bb_per(rdtsc() - t0, BB_ITERS);
}

/* Fill the pool with single frames, then give back every other one of the
 * first 7/8 and all of the last 1/8: many scattered holes, one free stretch. */
static void bb_fragment_cfp(struct cont_frame_pool *p, unsigned long *got)
{
    unsigned long n = 0, f;
    while ((f = cfp_get_frames(p, 1)) != 0)
        got[n++] = f;
    for (unsigned long i = 0; i < n; i++)
        if (i >= n - n / 8 || i % 2 == 0)
            cfp_release_frames(got[i]);
}

static void bb_fragment_buddy(struct buddy_pool *p, unsigned long *got)
{
    unsigned long n = 0, f;
    while ((f = bp_get_frames(p, 1)) != 0)
        got[n++] = f;
    for (unsigned long i = 0; i < n; i++)
        if (i >= n - n / 8 || i % 2 == 0)
            bp_release_frames(p, got[i]);
}

/* A mixed workload, the same for both pools (seeded): up to BB_LIVE blocks
 * of 1-16 frames live at once, gets and releases interleaved at random. */
#define BB_LIVE 48u
#define BB_OPS 2000u

static uint32_t bb_rand(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 16;
}

/* Run the workload on the bitmap pool CP (BUDDY NULL) or on BUDDY; returns
 * the cost per operation and sets *ASKED and *HELD: frames requested, and
 * frames the blocks actually held (equal for the bitmap pool). */
static unsigned long bb_mixed(struct cont_frame_pool *cp, struct buddy_pool *buddy,
                              unsigned long *asked, unsigned long *held)
{
    static unsigned long live[BB_LIVE];
    unsigned long n = 0;
    uint32_t seed = 2026;
    *asked = *held = 0;
    uint64_t t0 = rdtsc();
    for (unsigned int op = 0; op < BB_OPS; op++) {
        uint32_t r = bb_rand(&seed);
        if (n < BB_LIVE && (n == 0 || r % 3 != 0)) {
            unsigned int want = 1 + (r >> 4) % 16;
            unsigned long f = buddy ? bp_get_frames(buddy, want) : cfp_get_frames(cp, want);
            if (f != 0) {
                live[n++] = f;
                *asked += want;
                *held += buddy ? 1ul << bp_block_order(buddy, f) : want;
            }
        } else {
            unsigned long i = (r >> 4) % n, f = live[i];
            live[i] = live[--n];
            if (buddy)
                bp_release_frames(buddy, f);
            else
                cfp_release_frames(f);
        }
    }
    uint64_t t1 = rdtsc();
    while (n > 0) {
        if (buddy)
            bp_release_frames(buddy, live[--n]);
        else
            cfp_release_frames(live[--n]);
    }
    return bb_per(t1 - t0, BB_OPS);
}

KBENCH(bench_buddy_vs_bitmap)
{
    static unsigned long got[BB_FRAMES];
    test_begin();
    if (!bb_buddy_create()) {
        bb_buddy_destroy();
        return;
    }
    struct cont_frame_pool *cp = tp_create(BB_FRAMES, false);

    /* An empty pool: one frame, then eight. */
    ktest_metric("frames_get_release_1_bitmap", bb_cfp_pairs(cp, 1), "insns");
    ktest_metric("frames_get_release_1_buddy", bb_buddy_pairs(&bb_buddy, 1), "insns");
    ktest_metric("frames_get_release_8_bitmap", bb_cfp_pairs(cp, 8), "insns");
    ktest_metric("frames_get_release_8_buddy", bb_buddy_pairs(&bb_buddy, 8), "insns");

    unsigned long asked, held;
    ktest_metric("frames_mixed_op_bitmap", bb_mixed(cp, NULL, &asked, &held), "insns");
    ktest_metric("frames_mixed_op_buddy", bb_mixed(NULL, &bb_buddy, &asked, &held), "insns");
    /* What the rounding up to a power of two costs: frames held per 100 asked. */
    ktest_metric("frames_mixed_buddy_held_per_100_asked", held * 100 / asked, "frames");

    /* Fragmented: eight contiguous frames exist only in the last eighth. */
    bb_fragment_cfp(cp, got);
    ktest_metric("frames_get_release_8_fragmented_bitmap", bb_cfp_pairs(cp, 8), "insns");
    bb_fragment_buddy(&bb_buddy, got);
    ktest_metric("frames_get_release_8_fragmented_buddy", bb_buddy_pairs(&bb_buddy, 8),
                 "insns");
    tp_destroy(); /* the nested pool goes whole: its frames were one run */
    bb_buddy_destroy();
    test_end();
}
