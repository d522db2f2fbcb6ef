/* tests_frames_bitmap_bounds.c: lab 2 in-kernel test that the pool's code never touches the word after its bitmap (a debug-register watch on it). */
#include <stdbool.h>
#include <stdint.h>

#include "common/ktest.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab2-frames/frames.h"
#include "lab2-frames/phys_mem.h"
#include "lab2-frames/tests_frames_support.h"

/*
 * A search that looks at the words after the pool's bitmap may still find
 * the same runs (it stops at the first word that reads as Free, and the
 * runs it returns are checked against the pool's end): only the read itself
 * is wrong, memory the pool does not own. So the word right after the
 * bitmap is watched by the CPU: debug register 0 holds its address and DR7
 * makes every read or write of it a debug exception (#DB, vector 1), which
 * the test catches and reports. Paging is off in lab 2, so the address is
 * the physical one. The pools, all with an external bitmap (the watched
 * word lies in the same frame, unused), go through: cfp_init, every frame
 * taken one at a time, every other frame freed (lone Free frames: searches
 * for 2, 3, 16 and 17 frames read the whole bitmap and fail, also from a
 * hint near the end), the pool emptied and taken whole, and a seeded mix of
 * allocations and releases.
 */

#define BB_VECTOR_DEBUG 1
#define BB_DR7_L0       (1u << 0)  /* breakpoint 0 enabled */
#define BB_DR7_LE       (1u << 8)  /* exact data breakpoints */
#define BB_DR7_RW0_RW   (3u << 16) /* on data reads and writes */
#define BB_DR7_LEN0_4   (3u << 18) /* of 4 bytes */
#define BB_INFO_WORDS   (CFP_FRAME_SIZE / 4)
#define BB_ALL_FREE     0x55555555u /* sixteen Free frames: a search past the end stops here */
#define BB_MIX_OPS      300
#define BB_MAX_RUNS     64

static inline void bb_write_dr0(uint32_t addr)
{
    __asm__ volatile("mov %0, %%dr0" : : "r"(addr));
}

static inline void bb_write_dr6(uint32_t v)
{
    __asm__ volatile("mov %0, %%dr6" : : "r"(v));
}

static inline void bb_write_dr7(uint32_t v)
{
    __asm__ volatile("mov %0, %%dr7" : : "r"(v));
}

/* Watch the 4 bytes at ADDR (reads and writes); 0: stop watching. */
static void bb_watch(uint32_t addr)
{
    bb_write_dr7(0);
    bb_write_dr6(0);
    if (addr != 0) {
        bb_write_dr0(addr);
        bb_write_dr7(BB_DR7_L0 | BB_DR7_LE | BB_DR7_RW0_RW | BB_DR7_LEN0_4);
    }
}

/* Where the run of operations was when the watch fired (static: kept
 * across the longjmp out of the exception). */
static volatile unsigned long bb_frames;
static const char *volatile bb_phase;

static uint32_t bb_rand_state;

static uint32_t bb_rand(void)
{
    bb_rand_state = bb_rand_state * 1103515245u + 12345u;
    return bb_rand_state >> 8;
}

/* The first check that failed while the watch was on (KT_ASSERT would leave
 * the debug register armed): the test fails once it is off. */
static const char *volatile bb_problem;
static volatile long bb_got, bb_want;
#define BB_EXPECT_EQ(actual, expected)                                         \
    do {                                                                       \
        long bb_a_ = (long)(actual), bb_e_ = (long)(expected);                 \
        if (bb_a_ != bb_e_) {                                                  \
            bb_problem = #actual " == " #expected;                             \
            bb_got = bb_a_;                                                    \
            bb_want = bb_e_;                                                   \
            return;                                                            \
        }                                                                      \
    } while (0)

/* The operations on a fresh N-frame pool P, all watched. */
static void bb_exercise(struct cont_frame_pool *p, unsigned long n)
{
    static unsigned long runs[BB_MAX_RUNS];
    unsigned long b = cfp_base_frame(p);

    bb_phase = "taking every frame one at a time";
    for (unsigned long i = 0; i < n; i++)
        BB_EXPECT_EQ(cfp_get_frames(p, 1), b + i);
    bb_phase = "freeing every other frame";
    for (unsigned long i = 0; i < n; i += 2)
        BB_EXPECT_EQ(cfp_release_frames(b + i), CFP_OK);
    bb_phase = "searching for runs longer than the lone Free frames";
    static const unsigned int lens[] = {2, 3, 16, 17};
    for (unsigned k = 0; k < sizeof lens / sizeof lens[0]; k++)
        if (lens[k] <= cfp_free_count(p))
            BB_EXPECT_EQ(cfp_get_frames(p, lens[k]), 0);
    bb_phase = "taking a lone frame near the end, then searching again";
    unsigned long last_even = (n - 1) & ~1ul;
    for (unsigned long i = 0; i < last_even; i += 2) /* the hint moves to the end */
        BB_EXPECT_EQ(cfp_get_frames(p, 1), b + i);
    BB_EXPECT_EQ(cfp_get_frames(p, 1), b + last_even);
    BB_EXPECT_EQ(cfp_release_frames(b + last_even), CFP_OK);
    if (last_even >= 2)
        BB_EXPECT_EQ(cfp_release_frames(b + last_even - 2), CFP_OK);
    BB_EXPECT_EQ(cfp_get_frames(p, 2), 0);
    bb_phase = "emptying the pool and taking it whole";
    for (unsigned long i = 0; i < n; i++)
        if (i != last_even && !(last_even >= 2 && i == last_even - 2))
            BB_EXPECT_EQ(cfp_release_frames(b + i), CFP_OK);
    BB_EXPECT_EQ(cfp_free_count(p), n);
    BB_EXPECT_EQ(cfp_get_frames(p, (unsigned int)n), b);
    BB_EXPECT_EQ(cfp_release_frames(b), CFP_OK);
    bb_phase = "a seeded mix of allocations and releases";
    unsigned int held = 0;
    bb_rand_state = (uint32_t)n;
    for (int op = 0; op < BB_MIX_OPS; op++) {
        if (held > 0 && (held == BB_MAX_RUNS || bb_rand() % 3 == 0)) {
            unsigned int k = bb_rand() % held;
            BB_EXPECT_EQ(cfp_release_frames(runs[k]), CFP_OK);
            runs[k] = runs[--held];
        } else {
            unsigned long f = cfp_get_frames(p, 1 + bb_rand() % 20);
            if (f != 0)
                runs[held++] = f;
        }
    }
    while (held > 0)
        BB_EXPECT_EQ(cfp_release_frames(runs[--held]), CFP_OK);
}

/* A pool of N frames with an external bitmap whose frame reads as Free
 * frames everywhere, the word after the bitmap watched from cfp_init on. */
static void bb_pool(unsigned long n)
{
    tp.outer = cfp_get_frames(frames_process_pool(), (unsigned int)n);
    tp.info = cfp_get_frames(frames_kernel_pool(), 1);
    KT_ASSERT(tp.outer != 0 && tp.info != 0);
    volatile uint32_t *w = phys_to_ptr(tp.info * CFP_FRAME_SIZE);
    unsigned long n_words = (n + CFP_FRAMES_PER_WORD - 1) / CFP_FRAMES_PER_WORD;
    for (unsigned long i = 0; i < BB_INFO_WORDS; i++)
        w[i] = BB_ALL_FREE;
    bb_frames = n;
    bb_phase = "cfp_init";
    if (ksetjmp(*ktest_catch_arm(BB_VECTOR_DEBUG)) == 0) {
        bb_watch((uint32_t)(uintptr_t)&w[n_words]);
        bb_problem = NULL;
        if (cfp_init(&tp.pool, tp.outer, n, tp.info) != CFP_OK) {
            bb_problem = "cfp_init(...) == CFP_OK";
            bb_got = 1;
            bb_want = CFP_OK;
        } else {
            cfp_set_name(&tp.pool, "bounds");
            bb_exercise(&tp.pool, n);
        }
        bb_watch(0);
        ktest_catch_disarm();
    } else {
        bb_watch(0);
        KT_FAIL("a %lu-frame pool (bitmap of %lu words): while %s, the pool's code "
                "touched the word right after the bitmap (instruction before eip 0x%08lx): "
                "every read and write must stay inside the bitmap's own words, whatever "
                "the memory after it holds", (unsigned long)bb_frames, n_words, bb_phase,
                (unsigned long)ktest_last_fault()->eip);
    }
    if (bb_problem != NULL)
        KT_FAIL("a %lu-frame pool, while %s: %s: expected %ld, got %ld", n, bb_phase,
                bb_problem, bb_want, bb_got);
    tp_destroy();
}

KTEST(frames_bitmap_never_past_its_end)
{
    static const unsigned long sizes[] = {17, 40, 48, 64, 96, 100, 160};
    test_begin();
    for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        bb_pool(sizes[s]);
    test_end();
}
