/* tests_frames_invariants.c: lab 2 in-kernel tests of the bitmap's exact layout, every state transition, and the search order. */
#include <stdbool.h>
#include <stdint.h>

#include "common/ktest.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab2-frames/frames.h"
#include "lab2-frames/phys_mem.h"
#include "lab2-frames/tests_frames_support.h"

/*
 * These tests keep a model of every frame's state (the handout's encoding:
 * Used 00, Free 01, Head 10, Inaccessible 11) and after every operation
 * compare the pool's raw bitmap words with it: frame i is bits 2*(i % 16)
 * (low) and 2*(i % 16) + 1 (high) of word i / 16, and the bits past the last
 * frame stay 00. The free count must equal the model's number of Free frames.
 */

#define INV_MAX_FRAMES 64
#define INV_FREE_PAIRS 0x55555555u

static enum cfp_state model[INV_MAX_FRAMES];
static unsigned long model_n;

static void model_reset(unsigned long n, bool internal)
{
    model_n = n;
    for (unsigned long i = 0; i < n; i++)
        model[i] = CFP_STATE_FREE;
    if (internal)
        model[0] = CFP_STATE_HEAD; /* one info frame for any pool this small */
}

static void model_set(unsigned long first, unsigned long n, enum cfp_state s)
{
    for (unsigned long i = first; i < first + n; i++)
        model[i] = s;
}

/* A run of N frames at index FIRST: Head then Used. */
static void model_run(unsigned long first, unsigned long n)
{
    model[first] = CFP_STATE_HEAD;
    model_set(first + 1, n - 1, CFP_STATE_USED);
}

/* Compare the raw bitmap of POOL and its free count with the model. */
static void expect_model(const struct cont_frame_pool *pool, const char *step)
{
    const volatile uint32_t *words = phys_to_ptr(cfp_info_frame(pool) * CFP_FRAME_SIZE);
    unsigned long n_words = (model_n + CFP_FRAMES_PER_WORD - 1) / CFP_FRAMES_PER_WORD;
    unsigned long free = 0;

    for (unsigned long w = 0; w < n_words; w++) {
        uint32_t expect = 0;
        for (unsigned long i = w * CFP_FRAMES_PER_WORD;
             i < model_n && i < (w + 1) * CFP_FRAMES_PER_WORD; i++)
            expect |= (uint32_t)model[i] << (2 * (i % CFP_FRAMES_PER_WORD));
        if (words[w] != expect)
            KT_FAIL("after %s: bitmap word %lu is 0x%08lx, expected 0x%08lx "
                    "(frame i is bits 2*(i%%16) (low) and 2*(i%%16)+1 of word "
                    "i/16; Used 00, Free 01, Head 10, Inaccessible 11; bits past "
                    "the pool's last frame 00)", step, w, (unsigned long)words[w],
                    (unsigned long)expect);
    }
    for (unsigned long i = 0; i < model_n; i++)
        free += model[i] == CFP_STATE_FREE;
    if (cfp_free_count(pool) != free)
        KT_FAIL("after %s: free count %lu, but %lu frames are Free",
                step, cfp_free_count(pool), free);
}

/* Fresh pools: all Free, tail bits 00, an internal bitmap's frame a Head. */
KTEST(frames_bitmap_layout)
{
    test_begin();
    struct cont_frame_pool *p = tp_create(20, false);
    model_reset(20, false);
    expect_model(p, "cfp_init of a 20-frame pool with an external bitmap");
    tp_destroy();
    p = tp_create(37, true);
    model_reset(37, true);
    expect_model(p, "cfp_init of a 37-frame pool with its bitmap in its first frame");
    tp_destroy();
    test_end();
}

/* Every transition: allocate (Head + Used), mark (Free -> Inaccessible),
 * release (stops at the next Head, Free or Inaccessible frame), refusals
 * (nothing changes), across word boundaries and up to the pool's end. */
KTEST(frames_state_transitions)
{
    test_begin();
    struct cont_frame_pool *p = tp_create(40, false);
    unsigned long b = cfp_base_frame(p);
    model_reset(40, false);

    KT_ASSERT_EQ(cfp_get_frames(p, 3), b + 0);
    model_run(0, 3);
    expect_model(p, "get_frames(3)");
    KT_ASSERT_EQ(cfp_get_frames(p, 14), b + 3); /* frames 3-16: two words */
    model_run(3, 14);
    expect_model(p, "get_frames(14) across a word boundary");
    KT_ASSERT_EQ(cfp_mark_inaccessible(p, b + 17, 2), CFP_OK);
    model_set(17, 2, CFP_STATE_INACCESSIBLE);
    expect_model(p, "mark_inaccessible(17, 2)");
    KT_ASSERT_EQ(cfp_get_frames(p, 2), b + 19); /* next fit, past the marks */
    model_run(19, 2);
    expect_model(p, "get_frames(2)");
    KT_ASSERT_EQ(cfp_release_frames(b + 0), CFP_OK);
    model_set(0, 3, CFP_STATE_FREE);
    expect_model(p, "releasing the run at 0 (the next run's Head follows it)");
    KT_ASSERT_EQ(cfp_get_frames(p, 4), b + 21);
    model_run(21, 4);
    expect_model(p, "get_frames(4)");
    KT_ASSERT_EQ(cfp_release_frames(b + 3), CFP_OK);
    model_set(3, 14, CFP_STATE_FREE);
    expect_model(p, "releasing the run at 3 (an Inaccessible frame follows it)");
    KT_ASSERT_EQ(cfp_mark_inaccessible(p, b + 39, 1), CFP_OK);
    model[39] = CFP_STATE_INACCESSIBLE;
    expect_model(p, "mark_inaccessible of the pool's last frame");
    KT_ASSERT_EQ(cfp_release_frames(b + 19), CFP_OK);
    model_set(19, 2, CFP_STATE_FREE);
    expect_model(p, "releasing the run at 19 (the next run's Head follows it)");

    /* Refusals change nothing: a range whose first frame is Free but that
     * holds a Head further on; ranges past the end; bad releases. */
    KT_ASSERT_EQ(cfp_mark_inaccessible(p, b + 19, 4), CFP_ERR_BUSY);
    KT_ASSERT_EQ(cfp_mark_inaccessible(p, b + 24, 1), CFP_ERR_BUSY);
    KT_ASSERT_EQ(cfp_mark_inaccessible(p, b + 39, 2), CFP_ERR_RANGE);
    KT_ASSERT_EQ(cfp_mark_inaccessible(p, b - 1, 2), CFP_ERR_RANGE);
    KT_ASSERT_EQ(cfp_release_frames(b + 22), CFP_ERR_NOT_HEAD);
    KT_ASSERT_EQ(cfp_release_frames(b + 17), CFP_ERR_INACCESSIBLE);
    KT_ASSERT_EQ(cfp_release_frames(b + 0), CFP_ERR_NOT_ALLOCATED);
    expect_model(p, "refused marks and releases");
    KT_ASSERT_EQ(cfp_mark_inaccessible(p, b + 16, 3), CFP_OK); /* Free + Inaccessible */
    model[16] = CFP_STATE_INACCESSIBLE;
    expect_model(p, "mark_inaccessible(16, 3) over frames already inaccessible");

    KT_ASSERT_EQ(cfp_release_frames(b + 21), CFP_OK);
    model_set(21, 4, CFP_STATE_FREE);
    /* A run that ends right before the Inaccessible last frame. */
    KT_ASSERT_EQ(cfp_get_frames(p, 14), b + 19);
    model_run(19, 14);
    KT_ASSERT_EQ(cfp_get_frames(p, 6), b + 33);
    model_run(33, 6);
    expect_model(p, "get_frames(14), get_frames(6) up to the last frame");
    KT_ASSERT_EQ(cfp_release_frames(b + 33), CFP_OK);
    model_set(33, 6, CFP_STATE_FREE);
    expect_model(p, "releasing the run that ends at the Inaccessible last frame");
    KT_ASSERT_EQ(cfp_release_frames(b + 19), CFP_OK);
    model_set(19, 14, CFP_STATE_FREE);
    expect_model(p, "releasing every run");
    tp_destroy();
    test_end();
}

/* Next fit, as the handout states: a search starts where the last
 * allocation ended (at that bitmap word), wraps to frame 0 after the pool's
 * last frame, and the wrapped search still finds a run that straddles the
 * word where the first one started. */
KTEST(frames_next_fit_order)
{
    test_begin();
    struct cont_frame_pool *p = tp_create(64, false);
    unsigned long b = cfp_base_frame(p);
    KT_ASSERT_EQ(cfp_get_frames(p, 4), b + 0);
    KT_ASSERT_EQ(cfp_get_frames(p, 17), b + 4); /* ends at 20: next search from 21 */
    KT_ASSERT_EQ(cfp_release_frames(b + 0), CFP_OK);
    unsigned long f = cfp_get_frames(p, 1);
    if (f != b + 21)
        KT_FAIL("get_frames(1) returned pool frame %ld, expected 21: next fit "
                "starts where the last allocation (frames 4-20) ended, not at "
                "frame 0", (long)(f - b));
    tp_destroy();

    p = tp_create(40, false);
    b = cfp_base_frame(p);
    KT_ASSERT_EQ(cfp_get_frames(p, 30), b + 0);
    KT_ASSERT_EQ(cfp_get_frames(p, 10), b + 30); /* ends at the last frame */
    KT_ASSERT_EQ(cfp_release_frames(b + 0), CFP_OK);
    KT_ASSERT_EQ(cfp_release_frames(b + 30), CFP_OK);
    f = cfp_get_frames(p, 1);
    if (f != b + 0)
        KT_FAIL("get_frames(1) returned pool frame %ld, expected 0: after an "
                "allocation that ends at the pool's last frame the next search "
                "starts at frame 0", (long)(f - b));
    tp_destroy();

    p = tp_create(64, false);
    b = cfp_base_frame(p);
    KT_ASSERT_EQ(cfp_get_frames(p, 12), b + 0);
    KT_ASSERT_EQ(cfp_get_frames(p, 8), b + 12);
    KT_ASSERT_EQ(cfp_get_frames(p, 4), b + 20); /* next search from 24 (word 1) */
    KT_ASSERT_EQ(cfp_mark_inaccessible(p, b + 24, 40), CFP_OK);
    KT_ASSERT_EQ(cfp_release_frames(b + 12), CFP_OK); /* free: 12-19 */
    f = cfp_get_frames(p, 8);
    if (f != b + 12)
        KT_FAIL("get_frames(8) returned %lu (pool frame %ld), expected pool "
                "frame 12: the only free run, 12-19, starts before the word "
                "where the search began and ends inside it; the wrapped search "
                "must still find it", f, (long)(f - b));
    tp_destroy();
    test_end();
}

/* Every placement of the only fitting run in a 48-frame pool, with a
 * decoy one frame too short just before it: get_frames(L) finds it. The
 * lengths include runs that fill a word but its first or last frame (14,
 * 15) and runs longer than a word. Free frames on either side of a word
 * with no Free frame never join into one run. */
KTEST(frames_every_placement)
{
    enum { N = 48 };
    static const unsigned long lens[] = {1, 2, 3, 4, 5, 6, 13, 14, 15, 16, 17};
    test_begin();
    struct cont_frame_pool *p = tp_create(N, false);
    unsigned long b = cfp_base_frame(p);

    for (unsigned long i = 0; i < N; i++)
        KT_ASSERT_EQ(cfp_get_frames(p, 1), b + i);
    for (unsigned long i = 12; i < 36; i++) /* 12-15 and 32-35 free, 16-31 not */
        if (i < 16 || i >= 32)
            KT_ASSERT_EQ(cfp_release_frames(b + i), CFP_OK);
    unsigned long f = cfp_get_frames(p, 6);
    if (f != 0)
        KT_FAIL("free: frames 12-15 and 32-35 only, with 16-31 allocated; "
                "get_frames(6) returned pool frame %ld, expected 0 (no run: "
                "a word with no Free frame ends a run)", (long)(f - b));
    for (unsigned long i = 0; i < N; i++)
        if (cfp_frame_state(p, b + i) == CFP_STATE_HEAD)
            KT_ASSERT_EQ(cfp_release_frames(b + i), CFP_OK);
    KT_ASSERT_EQ(cfp_get_frames(p, N), b);
    KT_ASSERT_EQ(cfp_release_frames(b), CFP_OK);

    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
        unsigned long len = lens[l];
        for (unsigned long at = len; at + len <= N; at++) {
            for (unsigned long i = 0; i < N; i++)
                KT_ASSERT_EQ(cfp_get_frames(p, 1), b + i);
            for (unsigned long i = at; i < at + len; i++)
                KT_ASSERT_EQ(cfp_release_frames(b + i), CFP_OK);
            for (unsigned long i = at - len; i + 1 < at; i++) /* the decoy */
                KT_ASSERT_EQ(cfp_release_frames(b + i), CFP_OK);
            f = cfp_get_frames(p, (unsigned int)len);
            if (f != b + at)
                KT_FAIL("free: frames %lu-%lu (%lu frames) and %lu-%lu (%lu, "
                        "one short); get_frames(%lu) returned pool frame %ld, "
                        "expected %lu", at, at + len - 1, len, at - len, at - 2,
                        len - 1, len, f ? (long)(f - b) : -1L, at);
            for (unsigned long i = 0; i < N; i++)
                if (cfp_frame_state(p, b + i) == CFP_STATE_HEAD)
                    KT_ASSERT_EQ(cfp_release_frames(b + i), CFP_OK);
            KT_ASSERT_EQ(cfp_free_count(p), N);
            /* The whole pool once: the next search starts at frame 0 again. */
            KT_ASSERT_EQ(cfp_get_frames(p, N), b);
            KT_ASSERT_EQ(cfp_release_frames(b), CFP_OK);
        }
    }
    tp_destroy();
    test_end();
}

/* A pool of 8 words: the search skips words with no Free frame several at a
 * time, and must never skip one that has a Free frame: a short run alone in
 * any word is found, wherever it lies (including the first frame of the
 * word right after a full one, or of the word three after it). */
KTEST(frames_search_skips_only_full_words)
{
    enum { N = 128 };
    static const unsigned long spots[] = {5, 16, 20, 33, 40, 48, 63, 64, 81,
                                         100, 118, 125};
    test_begin();
    struct cont_frame_pool *p = tp_create(N, false);
    unsigned long b = cfp_base_frame(p);
    for (size_t s = 0; s < sizeof spots / sizeof spots[0]; s++) {
        for (unsigned long len = 1; len <= 3; len += 2) {
            unsigned long at = spots[s];
            if (at + len > N)
                continue;
            for (unsigned long i = 0; i < N; i++)
                KT_ASSERT_EQ(cfp_get_frames(p, 1), b + i);
            for (unsigned long i = at; i < at + len; i++)
                KT_ASSERT_EQ(cfp_release_frames(b + i), CFP_OK);
            unsigned long f = cfp_get_frames(p, (unsigned int)len);
            if (f != b + at)
                KT_FAIL("%lu-frame pool, everything allocated but frames "
                        "%lu-%lu: get_frames(%lu) returned pool frame %ld, "
                        "expected %lu (a word with a Free frame was skipped)",
                        (unsigned long)N, at, at + len - 1, len,
                        f ? (long)(f - b) : -1L, at);
            for (unsigned long i = 0; i < N; i++)
                if (cfp_frame_state(p, b + i) == CFP_STATE_HEAD)
                    KT_ASSERT_EQ(cfp_release_frames(b + i), CFP_OK);
            KT_ASSERT_EQ(cfp_get_frames(p, N), b); /* next search from 0 */
            KT_ASSERT_EQ(cfp_release_frames(b), CFP_OK);
        }
    }
    tp_destroy();
    test_end();
}

KTEST(frames_needed_info_frames_no_overflow)
{
    /* 16384 frames per info frame, rounded up, for the largest counts too. */
    KT_ASSERT_EQ(cfp_needed_info_frames(0xFFFFC000ul), 262143);
    KT_ASSERT_EQ(cfp_needed_info_frames(0xFFFFC001ul), 262144);
    KT_ASSERT_EQ(cfp_needed_info_frames(0xFFFFFFFFul), 262144);
    KT_ASSERT_EQ(cfp_needed_info_frames(16383), 1);
    KT_ASSERT_EQ(cfp_needed_info_frames(49153), 4);
}
