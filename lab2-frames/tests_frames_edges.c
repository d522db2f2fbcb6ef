/* tests_frames_edges.c: lab 2 in-kernel tests of the bitmap's bounds (nothing past its words is read or written) and of the hint at the pool's end. */
#include <stdbool.h>
#include <stdint.h>

#include "common/ktest.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab2-frames/frames.h"
#include "lab2-frames/phys_mem.h"
#include "lab2-frames/tests_frames_support.h"

#define EDGE_CANARY     0xC3A5C3A5u /* no frame state pattern of interest */
#define EDGE_ALL_FREE   0x55555555u /* what sixteen Free frames look like */
#define EDGE_INFO_WORDS (CFP_FRAME_SIZE / 4)

/* A private pool of N frames whose external bitmap frame holds FILL in every
 * word before cfp_init, as memory a bitmap is given in may. */
static struct cont_frame_pool *edge_pool(unsigned long n, uint32_t fill)
{
    tp.outer = cfp_get_frames(frames_process_pool(), (unsigned int)n);
    tp.info = cfp_get_frames(frames_kernel_pool(), 1);
    KT_ASSERT(tp.outer != 0 && tp.info != 0);
    volatile uint32_t *w = phys_to_ptr(tp.info * CFP_FRAME_SIZE);
    for (unsigned long i = 0; i < EDGE_INFO_WORDS; i++)
        w[i] = fill;
    KT_ASSERT_EQ(cfp_init(&tp.pool, tp.outer, n, tp.info), CFP_OK);
    cfp_set_name(&tp.pool, "edge");
    return &tp.pool;
}

/* cfp_init writes every word of the bitmap (all Free, tail bits 00) over
 * the garbage the memory held, and nothing after them. */
KTEST(frames_bitmap_bounds_init)
{
    static const unsigned long sizes[] = {40, 48, 17, 33, 64, 1};
    test_begin();
    for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        unsigned long n = sizes[s];
        struct cont_frame_pool *p = edge_pool(n, EDGE_CANARY);
        const volatile uint32_t *w = phys_to_ptr(tp.info * CFP_FRAME_SIZE);
        unsigned long n_words = (n + CFP_FRAMES_PER_WORD - 1) / CFP_FRAMES_PER_WORD;
        for (unsigned long i = 0; i < n_words; i++) {
            unsigned long in_word = n - i * CFP_FRAMES_PER_WORD;
            uint32_t want = in_word >= CFP_FRAMES_PER_WORD
                                ? EDGE_ALL_FREE
                                : EDGE_ALL_FREE & ((1u << (2u * in_word)) - 1u);
            if (w[i] != want)
                KT_FAIL("a fresh %lu-frame pool (external bitmap, %lu words, "
                        "memory holding 0x%08lx): word %lu is 0x%08lx, expected "
                        "0x%08lx (every frame Free, bits past the last frame 00)",
                        n, n_words, (unsigned long)EDGE_CANARY, i,
                        (unsigned long)w[i], (unsigned long)want);
        }
        KT_ASSERT_EQ(cfp_free_count(p), n);
        for (unsigned long i = n_words; i < EDGE_INFO_WORDS; i++)
            if (w[i] != EDGE_CANARY)
                KT_FAIL("a %lu-frame pool's bitmap is %lu words, but cfp_init "
                        "changed word %lu after it (0x%08lx -> 0x%08lx): write "
                        "only the bitmap's own words", n, n_words, i,
                        (unsigned long)EDGE_CANARY, (unsigned long)w[i]);
        tp_destroy();
    }
    test_end();
}

/* The words after the bitmap may hold anything, even what reads as Free
 * frames: a search that looks past the pool's last word would join them to
 * a run at the pool's end. Here the hint lies in the last word and the
 * wrapped search would need frames past the end. */
KTEST(frames_bitmap_bounds_search)
{
    enum { N = 48 };
    test_begin();
    struct cont_frame_pool *p = edge_pool(N, EDGE_ALL_FREE);
    unsigned long b = cfp_base_frame(p);
    KT_ASSERT_EQ(cfp_get_frames(p, 16), b);       /* 0-15 */
    KT_ASSERT_EQ(cfp_get_frames(p, 15), b + 16);  /* 16-30 */
    KT_ASSERT_EQ(cfp_get_frames(p, 1), b + 31);   /* 31 */
    KT_ASSERT_EQ(cfp_get_frames(p, 2), b + 32);   /* 32-33: hint 34 */
    KT_ASSERT_EQ(cfp_release_frames(b), CFP_OK);
    KT_ASSERT_EQ(cfp_release_frames(b + 31), CFP_OK);
    KT_ASSERT_EQ(cfp_release_frames(b + 32), CFP_OK);
    /* Free: 0-15 (16) and 31-47 (17); no run of 20 inside the pool. */
    for (unsigned long len = 18; len <= 32; len++) {
        unsigned long f = cfp_get_frames(p, (unsigned int)len);
        if (f != 0)
            KT_FAIL("free runs: frames 0-15 and 31-47 of a %d-frame pool; "
                    "get_frames(%lu) returned pool frame %ld (a run through "
                    "frame %ld, past the pool's end: the search read the "
                    "words after the bitmap)", N, len, (long)(f - b),
                    (long)(f - b + len - 1));
    }
    KT_ASSERT_EQ(cfp_free_count(p), 33);
    KT_ASSERT_EQ(cfp_get_frames(p, 17), b + 31);
    tp_destroy();
    test_end();
}

/* After an allocation that ends at the pool's last frame, the next search
 * starts over at frame 0 (the handout: the hint never points past the end):
 * the lowest free frame comes next, not one in the pool's last word. */
KTEST(frames_hint_wraps_at_end)
{
    static const unsigned long sizes[] = {40, 48, 37};
    test_begin();
    for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        unsigned long n = sizes[s];
        struct cont_frame_pool *p = edge_pool(n, 0);
        unsigned long b = cfp_base_frame(p);
        for (unsigned long i = 0; i < n; i++)
            KT_ASSERT_EQ(cfp_get_frames(p, 1), b + i);
        unsigned long low = 5, high = n - 3;
        KT_ASSERT_EQ(cfp_release_frames(b + high), CFP_OK);
        KT_ASSERT_EQ(cfp_release_frames(b + low), CFP_OK);
        unsigned long f = cfp_get_frames(p, 1);
        if (f != b + low)
            KT_FAIL("%lu-frame pool: the last allocation ended at frame %lu, "
                    "then frames %lu and %lu were freed: get_frames(1) returned "
                    "frame %ld, expected %lu (after an allocation that ends at "
                    "the last frame the search starts at frame 0)", n, n - 1,
                    high, low, f ? (long)(f - b) : -1L, low);
        KT_ASSERT_EQ(cfp_get_frames(p, 1), b + high);
        tp_destroy();
    }
    test_end();
}

/* Next fit, one frame at a time: the search goes on after the frame taken
 * last, so a frame freed behind it waits (here after the last frame of a
 * word), and after the pool's second-to-last frame the last one comes
 * before any frame back at the start. */
KTEST(frames_next_fit_single_frames)
{
    test_begin();
    struct cont_frame_pool *p = edge_pool(48, 0);
    unsigned long b = cfp_base_frame(p);
    for (unsigned long i = 0; i < 16; i++)
        KT_ASSERT_EQ(cfp_get_frames(p, 1), b + i);
    KT_ASSERT_EQ(cfp_release_frames(b + 3), CFP_OK);
    unsigned long f = cfp_get_frames(p, 1);
    if (f != b + 16)
        KT_FAIL("48-frame pool: frames 0-15 taken one at a time, then frame 3 freed: "
                "get_frames(1) returned frame %ld, expected 16 (next fit goes on after "
                "the frame taken last)", f ? (long)(f - b) : -1L);
    KT_ASSERT_EQ(cfp_get_frames(p, 29), b + 17); /* frames 17-45 */
    KT_ASSERT_EQ(cfp_get_frames(p, 1), b + 46);
    f = cfp_get_frames(p, 1);
    if (f != b + 47)
        KT_FAIL("48-frame pool: frame 46 taken, frames 3 and 47 free: get_frames(1) "
                "returned frame %ld, expected 47 (next fit reaches the last frame "
                "before it wraps to the start)", f ? (long)(f - b) : -1L);
    KT_ASSERT_EQ(cfp_get_frames(p, 1), b + 3); /* wrapped */
    tp_destroy();
    test_end();
}

/* A wrapped search (the hint in a later word) finds a run that begins
 * before the word the search started in and ends inside it: here 27-38 of
 * 48 frames, searched from frame 41, with the request one frame short of a
 * word (12 frames: the search limit lies 11 frames into that word). */
KTEST(frames_wrapped_run_into_start_word)
{
    enum { N = 48 };
    test_begin();
    struct cont_frame_pool *p = edge_pool(N, 0);
    unsigned long b = cfp_base_frame(p);
    KT_ASSERT_EQ(cfp_get_frames(p, 27), b);       /* 0-26 */
    KT_ASSERT_EQ(cfp_get_frames(p, 12), b + 27);  /* 27-38 */
    KT_ASSERT_EQ(cfp_get_frames(p, 2), b + 39);   /* 39-40: hint 41 */
    KT_ASSERT_EQ(cfp_release_frames(b + 27), CFP_OK);
    unsigned long f = cfp_get_frames(p, 12);
    if (f != b + 27)
        KT_FAIL("free: frames 27-38 and 41-47 of a %d-frame pool, the last "
                "allocation ended at 40; get_frames(12) returned pool frame %ld, "
                "expected 27 (the wrapped search must see the run's frames in "
                "the word where the search began, up to its limit)", N,
                f ? (long)(f - b) : -1L);
    tp_destroy();
    test_end();
}

/* One Free frame at X in an 8-word pool, everything else allocated: found
 * whatever its neighbours are. MODE 0: runs around it (Used frames, a Head
 * right after it); 1: an Inaccessible frame right after it; 2: as 0, but the
 * search starts in word 1 (the hint there), so the words before X are
 * skipped from there. */
static void lone_frame(unsigned long x, int mode)
{
    enum { N = 128 };
    struct cont_frame_pool *p = edge_pool(N, 0);
    unsigned long b = cfp_base_frame(p);
    unsigned long lo = mode == 2 ? 20 : x;        /* first run: [0, lo) */
    if (mode == 2) {
        KT_ASSERT_EQ(cfp_get_frames(p, 16), b);
        KT_ASSERT_EQ(cfp_get_frames(p, 4), b + 16);
    } else if (lo > 0) {
        KT_ASSERT_EQ(cfp_get_frames(p, (unsigned int)lo), b);
    }
    if (x > lo)
        KT_ASSERT_EQ(cfp_get_frames(p, (unsigned int)(x - lo)), b + lo);
    KT_ASSERT_EQ(cfp_get_frames(p, 1), b + x);
    unsigned long rest = x + 1;
    if (mode == 1) {
        KT_ASSERT_EQ(cfp_get_frames(p, 1), b + x + 1);
        rest++;
    }
    if (rest < N)
        KT_ASSERT_EQ(cfp_get_frames(p, (unsigned int)(N - rest)), b + rest);
    if (mode == 2) { /* frames 16-19 again, the hint now 20 (word 1) */
        KT_ASSERT_EQ(cfp_release_frames(b + 16), CFP_OK);
        KT_ASSERT_EQ(cfp_get_frames(p, 4), b + 16);
    }
    KT_ASSERT_EQ(cfp_release_frames(b + x), CFP_OK);
    if (mode == 1) {
        KT_ASSERT_EQ(cfp_release_frames(b + x + 1), CFP_OK);
        KT_ASSERT_EQ(cfp_mark_inaccessible(p, b + x + 1, 1), CFP_OK);
    }
    KT_ASSERT_EQ(cfp_free_count(p), 1);
    unsigned long f = cfp_get_frames(p, 1);
    if (f != b + x)
        KT_FAIL("%d-frame pool with one Free frame, %lu (%s): get_frames(1) "
                "returned pool frame %ld (a word with a Free frame was skipped)",
                N, x, mode == 0 ? "runs around it"
                      : mode == 1 ? "an Inaccessible frame after it"
                                  : "the search starting in word 1",
                f ? (long)(f - b) : -1L);
    tp_destroy();
}

KTEST(frames_search_lone_frame_any_neighbours)
{
    static const unsigned long spots[] = {16, 31, 48, 50, 63, 64, 80, 100};
    test_begin();
    for (unsigned s = 0; s < sizeof spots / sizeof spots[0]; s++) {
        lone_frame(spots[s], 0);
        lone_frame(spots[s], 1);
        if (spots[s] > 20)
            lone_frame(spots[s], 2);
    }
    test_end();
}

/* A run of 15 that starts a word (frames 16-30), the frames before and after
 * it allocated: get_frames(15) returns its first frame. */
KTEST(frames_run_of_15_starts_a_word)
{
    enum { N = 48 };
    test_begin();
    struct cont_frame_pool *p = edge_pool(N, 0);
    unsigned long b = cfp_base_frame(p);
    KT_ASSERT_EQ(cfp_get_frames(p, 16), b);       /* 0-15 */
    KT_ASSERT_EQ(cfp_get_frames(p, 15), b + 16);  /* 16-30 */
    KT_ASSERT_EQ(cfp_get_frames(p, 17), b + 31);  /* 31-47: hint 0 */
    KT_ASSERT_EQ(cfp_release_frames(b + 16), CFP_OK);
    unsigned long f = cfp_get_frames(p, 15);
    if (f != b + 16)
        KT_FAIL("free: frames 16-30 only; get_frames(15) returned pool frame "
                "%ld, expected 16 (a run found at the bottom of a word starts "
                "at that word)", f ? (long)(f - b) : -1L);
    tp_destroy();
    test_end();
}
