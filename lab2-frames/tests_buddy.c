/* tests_buddy.c: lab 2's challenge tests: the buddy pool (split, merge, coalescing, exhaustion, alignment). */
#include "common/ktest.h"
#include "lab2-frames/buddy_boot.h"
#include "lab2-frames/buddy_pool.h"
#include "lab2-frames/frames.h"
#include "lab2-frames/tests_frames_support.h"

/* A private buddy pool over frames of the process pool, its records in
 * frames of the kernel pool. Static, so the next test cleans up after one
 * that failed half-way. */
static struct {
    struct buddy_pool pool;
    unsigned long outer, info;
} tb;

static void tb_cleanup(void)
{
    if (tb.outer)
        cfp_release_frames(tb.outer);
    if (tb.info)
        cfp_release_frames(tb.info);
    tb.outer = tb.info = 0;
}

static void tb_begin(void)
{
    tb_cleanup();
    test_begin();
}

/* A pool of N frames whose base is SKEW frames past a multiple of ALIGN (a
 * power of two); INTERNAL: records in its own first frames. */
static struct buddy_pool *tb_create(unsigned long n, unsigned long align, unsigned long skew,
                                    bool internal)
{
    tb.outer = cfp_get_frames(frames_process_pool(), (unsigned int)(n + align + skew));
    KT_ASSERT_NE(tb.outer, 0);
    unsigned long base = ((tb.outer + align - 1) & ~(align - 1)) + skew;
    if (!internal) {
        tb.info = cfp_get_frames(frames_kernel_pool(),
                                 (unsigned int)bp_needed_info_frames(n));
        KT_ASSERT_NE(tb.info, 0);
    }
    int err = bp_init(&tb.pool, base, n, internal ? 0 : tb.info);
    if (err != BP_OK)
        KT_FAIL("bp_init(%lu frames at frame %lu) returned %d (%s)", n, base, err,
                bp_strerror(err));
    tb.pool.name = "test";
    return &tb.pool;
}

static void tb_end(void)
{
    tb_cleanup();
    test_end();
}

/* Walk POOL block by block and check the buddy invariants: the frames are
 * tiled by blocks; a block of order k starts at a multiple of 2^k; only a
 * block's first frame says FREE or ALLOCATED; free counts per order and in
 * frames match the walk; no free block has a free buddy of the same order
 * (the pool is fully coalesced). */
static void tb_check(const struct buddy_pool *pool)
{
    unsigned long base = bp_base_frame(pool), end = base + bp_n_frames(pool);
    unsigned long blocks[BP_ORDERS] = {0}, free_frames = 0;

    for (unsigned long f = base; f < end;) {
        enum bp_state s = bp_frame_state(pool, f);
        if (s == BP_STATE_RESERVED) {
            f++;
            continue;
        }
        if (s != BP_STATE_FREE && s != BP_STATE_ALLOCATED)
            KT_FAIL("frame %lu: state %d where a block should start (blocks must tile "
                    "the pool)", f, (int)s);
        int k = bp_block_order(pool, f);
        if (k < 0 || k > (int)BP_MAX_ORDER)
            KT_FAIL("block at frame %lu: order %d", f, k);
        unsigned long size = 1ul << k;
        if (f & (size - 1))
            KT_FAIL("block at frame %lu of order %d is not aligned to %lu frames", f, k,
                    size);
        if (f + size > end)
            KT_FAIL("block at frame %lu of order %d runs past the pool's end %lu", f, k, end);
        for (unsigned long g = f + 1; g < f + size; g++)
            if (bp_frame_state(pool, g) != BP_STATE_INSIDE)
                KT_FAIL("frame %lu inside the block at %lu (order %d) has state %d, "
                        "not INSIDE", g, f, k, (int)bp_frame_state(pool, g));
        if (s == BP_STATE_FREE) {
            blocks[k]++;
            free_frames += size;
            unsigned long buddy = f ^ size;
            if (k < (int)BP_MAX_ORDER && bp_frame_state(pool, buddy) == BP_STATE_FREE &&
                bp_block_order(pool, buddy) == k)
                KT_FAIL("free blocks at %lu and %lu (order %d) are buddies: not merged",
                        f, buddy, k);
        }
        f += size;
    }
    KT_ASSERT_EQ(bp_free_count(pool), free_frames);
    for (unsigned int k = 0; k < BP_ORDERS; k++)
        if (bp_free_blocks(pool, k) != blocks[k])
            KT_FAIL("order %u: bp_free_blocks says %lu, the walk finds %lu free blocks", k,
                    bp_free_blocks(pool, k), blocks[k]);
}

/* KT_ASSERT that POOL's free blocks per order are exactly WANT[]. */
static void tb_expect_blocks(const struct buddy_pool *pool, const unsigned long want[])
{
    for (unsigned int k = 0; k < BP_ORDERS; k++)
        if (bp_free_blocks(pool, k) != want[k])
            KT_FAIL("order %u: %lu free blocks, expected %lu", k, bp_free_blocks(pool, k),
                    want[k]);
}

static uint32_t tb_rand(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 16;
}

KTEST(buddy_init_blocks)
{
    tb_begin();
    struct buddy_pool *p = tb_create(64, 64, 0, false);
    unsigned long one6[BP_ORDERS] = {[6] = 1};
    tb_expect_blocks(p, one6);
    KT_ASSERT_EQ(bp_free_count(p), 64);
    tb_check(p);
    tb_cleanup();
    /* 100 frames from 3 past a multiple of 64: 3 | 4-7 | 8-15 | 16-31 | 32-63 |
     * then 39 frames from a multiple of 64: 32 + 4 + 2 + 1. */
    p = tb_create(100, 64, 3, false);
    unsigned long cut[BP_ORDERS] = {[0] = 2, [1] = 1, [2] = 2, [3] = 1, [4] = 1, [5] = 2};
    tb_expect_blocks(p, cut);
    KT_ASSERT_EQ(bp_free_count(p), 100);
    tb_check(p);
    tb_cleanup();
    /* Records inside: the first frame is reserved, the other 63 free. */
    p = tb_create(64, 64, 0, true);
    KT_ASSERT_EQ(bp_frame_state(p, bp_base_frame(p)), BP_STATE_RESERVED);
    KT_ASSERT_EQ(bp_free_count(p), 63);
    tb_check(p);
    tb_end();
}

KTEST(buddy_split_merge)
{
    tb_begin();
    struct buddy_pool *p = tb_create(64, 64, 0, false);
    unsigned long b = bp_base_frame(p);
    /* One frame from a single order-6 block: split into halves down to order
     * 0, keeping the lower half each time. */
    unsigned long f = bp_get_frames(p, 1);
    KT_ASSERT_EQ(f, b);
    KT_ASSERT_EQ(bp_block_order(p, f), 0);
    unsigned long split[BP_ORDERS] = {1, 1, 1, 1, 1, 1};
    tb_expect_blocks(p, split);
    KT_ASSERT_EQ(bp_free_count(p), 63);
    tb_check(p);
    /* The next frame is the free order-0 buddy. */
    unsigned long g = bp_get_frames(p, 1);
    KT_ASSERT_EQ(g, b + 1);
    unsigned long split2[BP_ORDERS] = {0, 1, 1, 1, 1, 1};
    tb_expect_blocks(p, split2);
    tb_check(p);
    /* Releasing one: its buddy is allocated, so no merge. */
    KT_ASSERT_EQ(bp_release_frames(p, f), BP_OK);
    tb_expect_blocks(p, split);
    tb_check(p);
    /* Releasing the other merges all the way back to one order-6 block. */
    KT_ASSERT_EQ(bp_release_frames(p, g), BP_OK);
    unsigned long one6[BP_ORDERS] = {[6] = 1};
    tb_expect_blocks(p, one6);
    KT_ASSERT_EQ(bp_free_count(p), 64);
    tb_check(p);
    tb_end();
}

/* Allocate blocks of random sizes until POOL is full, then release them in
 * a random order, checking the invariants after every step; the pool must
 * end with the blocks it started with. */
static void tb_fill_and_drain(struct buddy_pool *p, uint32_t seed)
{
    static unsigned long live[1024];
    unsigned long start[BP_ORDERS], n = 0;
    for (unsigned int k = 0; k < BP_ORDERS; k++)
        start[k] = bp_free_blocks(p, k);
    for (;;) {
        unsigned int want = 1 + tb_rand(&seed) % 9;
        unsigned long f = bp_get_frames(p, want);
        if (f == 0 && (f = bp_get_frames(p, 1)) == 0)
            break;
        KT_ASSERT(n < 1024);
        live[n++] = f;
        tb_check(p);
    }
    KT_ASSERT_EQ(bp_free_count(p), 0);
    for (unsigned long i = n; i > 1; i--) { /* Fisher-Yates */
        unsigned long j = tb_rand(&seed) % i, t = live[i - 1];
        live[i - 1] = live[j];
        live[j] = t;
    }
    for (unsigned long i = 0; i < n; i++) {
        int err = bp_release_frames(p, live[i]);
        if (err != BP_OK)
            KT_FAIL("release %lu of %lu (frame %lu): %s", i + 1, n, live[i], bp_strerror(err));
        tb_check(p);
    }
    tb_expect_blocks(p, start);
}

KTEST(buddy_coalesce_back)
{
    tb_begin();
    tb_fill_and_drain(tb_create(256, 256, 0, false), 1);
    tb_cleanup();
    tb_fill_and_drain(tb_create(100, 64, 3, false), 7);
    tb_cleanup();
    tb_fill_and_drain(tb_create(300, 1, 0, true), 42);
    tb_end();
}

KTEST(buddy_exhaustion)
{
    tb_begin();
    struct buddy_pool *p = tb_create(64, 64, 0, false);
    unsigned long one6[BP_ORDERS] = {[6] = 1}, none[BP_ORDERS] = {0};
    KT_ASSERT_EQ(bp_get_frames(p, 65), 0);  /* more than the pool */
    KT_ASSERT_EQ(bp_get_frames(p, 0), 0);
    tb_expect_blocks(p, one6);
    unsigned long a = bp_get_frames(p, 33); /* rounded up to 64 */
    KT_ASSERT_EQ(a, bp_base_frame(p));
    KT_ASSERT_EQ(bp_block_order(p, a), 6);
    KT_ASSERT_EQ(bp_get_frames(p, 1), 0);
    tb_expect_blocks(p, none);
    KT_ASSERT_EQ(bp_release_frames(p, a), BP_OK);
    unsigned long h1 = bp_get_frames(p, 32), h2 = bp_get_frames(p, 32);
    KT_ASSERT(h1 != 0 && h2 != 0 && h1 != h2);
    KT_ASSERT_EQ(bp_get_frames(p, 1), 0);
    KT_ASSERT_EQ(bp_free_count(p), 0);
    KT_ASSERT_EQ(bp_release_frames(p, h1), BP_OK);
    /* 32 frames free, but not 33 in one block. */
    KT_ASSERT_EQ(bp_get_frames(p, 33), 0);
    KT_ASSERT_EQ(bp_free_count(p), 32);
    KT_ASSERT_EQ(bp_release_frames(p, h2), BP_OK);
    tb_expect_blocks(p, one6);
    tb_check(p);
    tb_end();
}

KTEST(buddy_alignment)
{
    tb_begin();
    /* A pool starting 1 frame past a 1024 boundary: every block handed out
     * must still be aligned to its own size in absolute frame numbers. */
    struct buddy_pool *p = tb_create(1023, 1024, 1, false);
    static const unsigned int sizes[] = {1, 2, 3, 4, 5, 8, 9, 16, 17, 32, 64, 100, 128, 256};
    for (unsigned int i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned long f = bp_get_frames(p, sizes[i]);
        if (f == 0)
            KT_FAIL("no block for %u frames in a pool with %lu free", sizes[i],
                    bp_free_count(p));
        int k = bp_block_order(p, f);
        KT_ASSERT_EQ(k, bp_order_for(sizes[i]));
        if (f & ((1ul << k) - 1))
            KT_FAIL("%u frames: order-%d block at frame %lu is not aligned to %lu", sizes[i],
                    k, f, 1ul << k);
    }
    tb_check(p);
    tb_end();
}

KTEST(buddy_bad_release)
{
    tb_begin();
    struct buddy_pool *p = tb_create(64, 64, 0, true);
    unsigned long b = bp_base_frame(p);
    unsigned long f = bp_get_frames(p, 4);
    KT_ASSERT_NE(f, 0);
    unsigned long free_before = bp_free_count(p), blocks[BP_ORDERS];
    for (unsigned int k = 0; k < BP_ORDERS; k++)
        blocks[k] = bp_free_blocks(p, k);
    KT_ASSERT_EQ(bp_release_frames(p, b - 1), BP_ERR_RANGE);
    KT_ASSERT_EQ(bp_release_frames(p, b + 64), BP_ERR_RANGE);
    KT_ASSERT_EQ(bp_release_frames(p, f + 1), BP_ERR_NOT_HEAD);
    KT_ASSERT_EQ(bp_release_frames(p, b), BP_ERR_RESERVED);
    KT_ASSERT_EQ(f, b + 4); /* frame b holds the records: b+1, b+2 and b+4 are free blocks */
    unsigned long free_head = b + 8; /* a free order-3 block */
    KT_ASSERT_EQ(bp_frame_state(p, free_head), BP_STATE_FREE);
    KT_ASSERT_EQ(bp_release_frames(p, free_head), BP_ERR_NOT_ALLOCATED);
    KT_ASSERT_EQ(bp_free_count(p), free_before);
    tb_expect_blocks(p, blocks);
    KT_ASSERT_EQ(bp_release_frames(p, f), BP_OK);
    KT_ASSERT_EQ(bp_release_frames(p, f), BP_ERR_NOT_ALLOCATED); /* double release */
    KT_ASSERT_EQ(bp_free_count(p), 63);
    tb_check(p);
    tb_end();
}

KTEST(buddy_boot_pool)
{
    tb_begin();
    struct buddy_pool *p = buddy_system_pool();
    if (p == NULL)
        KT_FAIL("no system buddy pool: this test boots with alloc=buddy, and "
                "buddy_boot_init() should have built one");
    unsigned long b = bp_base_frame(p);
    KT_ASSERT_EQ(bp_n_frames(p), BUDDY_BOOT_FRAMES);
    KT_ASSERT_EQ(cfp_frame_state(frames_process_pool(), b), CFP_STATE_HEAD);
    tb_check(p);
    /* 2048 frames hold a whole aligned 4 MiB block wherever they start. */
    unsigned long big = bp_get_frames(p, 1u << BP_MAX_ORDER);
    KT_ASSERT_NE(big, 0);
    KT_ASSERT_EQ(big & ((1ul << BP_MAX_ORDER) - 1), 0);
    KT_ASSERT_EQ(bp_release_frames(p, big), BP_OK);
    tb_check(p);
    tb_end();
}
