/* tests_frames.c: lab 2 in-kernel tests of the frame pools (KTEST frames_*). */
#include <stdbool.h>
#include <stdint.h>

#include "common/ktest.h"
#include "lab1-boot/bootinfo.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab2-frames/frames.h"
#include "lab2-frames/phys_mem.h"
#include "lab2-frames/tests_frames_support.h"

/* Kernel image bounds (common/kernel.ld). */
extern char __kernel_start[], __kernel_end[];

/*
 * Frames are written through phys_to_ptr: lab 2 runs without paging, so
 * every frame of RAM is reachable. Bad inputs: tests_frames_bad.c.
 */

/* ---- The pools as frames_init built them -------------------------------- */

/* Usable per E820, computed here independently of frames.c: the whole
 * frame inside a usable range, and no byte of it in another kind. */
static bool usable_frame(unsigned long f)
{
    const struct boot_info *bi = boot_info();
    uint64_t lo = (uint64_t)f * 4096, hi = lo + 4096;
    bool covered = false;

    for (uint32_t i = 0; i < bi->e820_count; i++) {
        const struct e820_entry *e = &bi->e820[i];
        uint64_t end = e->base + e->length;
        if (e->type == E820_USABLE && e->base <= lo && hi <= end)
            covered = true;
        if (e->type != E820_USABLE && e->base < hi && lo < end)
            return false;
    }
    return covered;
}

KTEST(frames_pools_layout)
{
    tests_frames_require_pools();
    struct cont_frame_pool *k = frames_kernel_pool();
    struct cont_frame_pool *p = frames_process_pool();
    const struct boot_info *bi = boot_info();
    uint64_t top = 0;

    KT_ASSERT_EQ(cfp_base_frame(k), 512);
    KT_ASSERT_EQ(cfp_n_frames(k), 512);
    KT_ASSERT_EQ(cfp_info_frame(k), 512);
    KT_ASSERT_EQ(cfp_n_info_frames(k), 1);
    KT_ASSERT_EQ(cfp_frame_state(k, 512), CFP_STATE_HEAD);

    for (uint32_t i = 0; i < bi->e820_count; i++)
        if (bi->e820[i].type == E820_USABLE &&
            bi->e820[i].base + bi->e820[i].length > top)
            top = bi->e820[i].base + bi->e820[i].length;
    KT_ASSERT_EQ(cfp_base_frame(p), 1024);
    KT_ASSERT_EQ(cfp_n_frames(p), (unsigned long)(top >> 12) - 1024);
    KT_ASSERT_EQ(cfp_n_info_frames(p), cfp_needed_info_frames(cfp_n_frames(p)));
    /* The process pool's bitmap came from the kernel pool. */
    unsigned long info = cfp_info_frame(p);
    KT_ASSERT(info >= 512 && info + cfp_n_info_frames(p) <= 1024);
    KT_ASSERT_EQ(cfp_frame_state(k, info), CFP_STATE_HEAD);
    for (unsigned long f = info + 1; f < info + cfp_n_info_frames(p); f++)
        KT_ASSERT_EQ(cfp_frame_state(k, f), CFP_STATE_USED);

    KT_ASSERT(cfp_find_pool(600) == k);
    KT_ASSERT(cfp_find_pool(1023) == k);
    KT_ASSERT(cfp_find_pool(1024) == p);
    KT_ASSERT(cfp_find_pool(511) == NULL);
    KT_ASSERT(cfp_find_pool(1024 + cfp_n_frames(p)) == NULL);
    KT_ASSERT(cfp_free_count(k) > 0);
    KT_ASSERT(cfp_free_count(p) > 0);
}

KTEST(frames_e820_reserved_inaccessible)
{
    tests_frames_require_pools();
    struct cont_frame_pool *pools[2] = {frames_kernel_pool(), frames_process_pool()};
    unsigned long kstart = (unsigned long)__kernel_start >> 12;
    unsigned long kend = ((unsigned long)__kernel_end + 0xFFF) >> 12;

    for (int i = 0; i < 2; i++) {
        unsigned long base = cfp_base_frame(pools[i]);
        unsigned long inacc = 0;
        for (unsigned long f = base; f < base + cfp_n_frames(pools[i]); f++) {
            bool expect = !usable_frame(f) || (f >= kstart && f < kend);
            bool is = cfp_frame_state(pools[i], f) == CFP_STATE_INACCESSIBLE;
            if (expect != is)
                KT_FAIL("pool %s frame %lu: inaccessible is %d, E820 says %d",
                        cfp_name(pools[i]), f, is, expect);
            inacc += is;
            KT_ASSERT_EQ(frames_e820_usable(f), usable_frame(f));
        }
        unsigned long counts[4];
        cfp_count_states(pools[i], counts);
        KT_ASSERT_EQ(counts[CFP_STATE_INACCESSIBLE], inacc);
    }
}

/* ---- The recursive test of the course ----------------------------------- */

static uint32_t pattern(unsigned int level, unsigned long word)
{
    return 0xC0DE0000u ^ (level << 24) ^ (uint32_t)word;
}

/* Allocate LEVEL % 4 + 1 frames, fill them with a pattern of this level,
 * recurse, then check the pattern survived the deeper levels and release. */
static void recursive_alloc(struct cont_frame_pool *pool, unsigned int level)
{
    if (level == 0)
        return;
    unsigned int n = level % 4 + 1;
    unsigned long f = cfp_get_frames(pool, n);
    if (f == 0)
        KT_FAIL("level %u: get_frames(%u) from pool %s failed", level, n,
                cfp_name(pool));
    KT_ASSERT(f >= cfp_base_frame(pool) &&
              f + n <= cfp_base_frame(pool) + cfp_n_frames(pool));
    KT_ASSERT_EQ(cfp_frame_state(pool, f), CFP_STATE_HEAD);
    for (unsigned int i = 1; i < n; i++)
        KT_ASSERT_EQ(cfp_frame_state(pool, f + i), CFP_STATE_USED);

    uint32_t *words = phys_to_ptr(f * CFP_FRAME_SIZE);
    unsigned long n_words = n * CFP_FRAME_SIZE / 4;
    for (unsigned long w = 0; w < n_words; w++)
        words[w] = pattern(level, w);

    recursive_alloc(pool, level - 1);

    for (unsigned long w = 0; w < n_words; w++)
        if (words[w] != pattern(level, w))
            KT_FAIL("level %u: frame %lu word %lu: expected 0x%x, found 0x%x "
                    "(another allocation overlapped this run)",
                    level, f + w / 1024, w % 1024,
                    (unsigned)pattern(level, w), (unsigned)words[w]);
    KT_ASSERT_EQ(cfp_release_frames(f), CFP_OK);
    for (unsigned int i = 0; i < n; i++)
        KT_ASSERT_EQ(cfp_frame_state(pool, f + i), CFP_STATE_FREE);
}

KTEST(frames_recursive_kernel_pool)
{
    test_begin();
    recursive_alloc(frames_kernel_pool(), 32);
    test_end();
}

KTEST(frames_recursive_process_pool)
{
    test_begin();
    recursive_alloc(frames_process_pool(), 32);
    test_end();
}

/* ---- Allocation and release -------------------------------------------- */

KTEST(frames_contiguous_head_used)
{
    test_begin();
    struct cont_frame_pool *p = frames_process_pool();
    unsigned long f = cfp_get_frames(p, 5);
    KT_ASSERT_NE(f, 0);
    KT_ASSERT_EQ(cfp_free_count(p), base_free_process - 5);
    KT_ASSERT_EQ(cfp_frame_state(p, f), CFP_STATE_HEAD);
    for (unsigned long i = 1; i < 5; i++)
        KT_ASSERT_EQ(cfp_frame_state(p, f + i), CFP_STATE_USED);
    /* All five are real, distinct memory. */
    for (unsigned long i = 0; i < 5; i++)
        *(volatile uint32_t *)phys_to_ptr((f + i) * CFP_FRAME_SIZE) = 0xF00D0000u + i;
    for (unsigned long i = 0; i < 5; i++)
        KT_ASSERT_EQ_HEX(*(volatile uint32_t *)phys_to_ptr((f + i) * CFP_FRAME_SIZE),
                         0xF00D0000u + i);
    KT_ASSERT_EQ(cfp_release_frames(f), CFP_OK);
    for (unsigned long i = 0; i < 5; i++)
        KT_ASSERT_EQ(cfp_frame_state(p, f + i), CFP_STATE_FREE);
    test_end();
}

KTEST(frames_release_exact_run)
{
    test_begin();
    struct cont_frame_pool *p = tp_create(40, true);
    unsigned long a = cfp_get_frames(p, 3);
    unsigned long b = cfp_get_frames(p, 4);
    unsigned long c = cfp_get_frames(p, 2);
    KT_ASSERT_NE(a, 0);
    KT_ASSERT_EQ(b, a + 3); /* back to back */
    KT_ASSERT_EQ(c, b + 4);
    /* Releasing A frees A only: B, right after it, is untouched. */
    KT_ASSERT_EQ(cfp_release_frames(a), CFP_OK);
    for (unsigned long i = 0; i < 3; i++)
        KT_ASSERT_EQ(cfp_frame_state(p, a + i), CFP_STATE_FREE);
    KT_ASSERT_EQ(cfp_frame_state(p, b), CFP_STATE_HEAD);
    for (unsigned long i = 1; i < 4; i++)
        KT_ASSERT_EQ(cfp_frame_state(p, b + i), CFP_STATE_USED);
    /* Same for B, with C after it. */
    KT_ASSERT_EQ(cfp_release_frames(b), CFP_OK);
    KT_ASSERT_EQ(cfp_frame_state(p, b + 3), CFP_STATE_FREE);
    KT_ASSERT_EQ(cfp_frame_state(p, c), CFP_STATE_HEAD);
    KT_ASSERT_EQ(cfp_frame_state(p, c + 1), CFP_STATE_USED);
    KT_ASSERT_EQ(cfp_free_count(p), 40 - 1 - 2);
    KT_ASSERT_EQ(cfp_release_frames(c), CFP_OK);
    KT_ASSERT_EQ(cfp_free_count(p), 39);
    tp_destroy();
    test_end();
}

KTEST(frames_fragmentation_large_request)
{
    test_begin();
    struct cont_frame_pool *p = tp_create(64, false);
    unsigned long base = cfp_base_frame(p);
    for (unsigned long i = 0; i < 64; i++)
        KT_ASSERT_EQ(cfp_get_frames(p, 1), base + i);
    for (unsigned long i = 0; i < 64; i += 2)
        KT_ASSERT_EQ(cfp_release_frames(base + i), CFP_OK);
    /* 32 frames free, no two adjacent. */
    KT_ASSERT_EQ(cfp_free_count(p), 32);
    struct snapshot before;
    snap(p, &before);
    KT_ASSERT_EQ(cfp_get_frames(p, 2), 0);
    KT_ASSERT_EQ(cfp_get_frames(p, 32), 0);
    expect_unchanged(p, &before);
    KT_ASSERT_NE(cfp_get_frames(p, 1), 0); /* singles still work */
    /* Free everything: the whole pool is one run again. */
    for (unsigned long i = 0; i < 64; i++)
        if (cfp_frame_state(p, base + i) == CFP_STATE_HEAD)
            KT_ASSERT_EQ(cfp_release_frames(base + i), CFP_OK);
    KT_ASSERT_EQ(cfp_get_frames(p, 64), base);
    KT_ASSERT_EQ(cfp_release_frames(base), CFP_OK);
    tp_destroy();
    test_end();
}

/* Runs that fit exactly, across word boundaries (16 frames per bitmap
 * word): one frame more must fail. */
KTEST(frames_exact_fit_runs)
{
    test_begin();
    struct cont_frame_pool *p = tp_create(80, false);
    unsigned long base = cfp_base_frame(p);
    for (unsigned long i = 0; i < 80; i++)
        KT_ASSERT_EQ(cfp_get_frames(p, 1), base + i);
    /* Free: [16, 48) (two whole words), [50, 53), [60, 64) (up to the end
     * of a word; 64 is allocated), and frame 79 alone. */
    static const unsigned long holes[][2] = {{16, 48}, {50, 53}, {60, 64}, {79, 80}};
    for (int h = 0; h < 4; h++)
        for (unsigned long i = holes[h][0]; i < holes[h][1]; i++)
            KT_ASSERT_EQ(cfp_release_frames(base + i), CFP_OK);
    struct snapshot before;
    snap(p, &before);
    KT_ASSERT_EQ(cfp_get_frames(p, 33), 0);
    expect_unchanged(p, &before);
    KT_ASSERT_EQ(cfp_get_frames(p, 32), base + 16);
    snap(p, &before);
    KT_ASSERT_EQ(cfp_get_frames(p, 5), 0);
    expect_unchanged(p, &before);
    KT_ASSERT_EQ(cfp_get_frames(p, 4), base + 60);
    KT_ASSERT_EQ(cfp_get_frames(p, 4), 0);
    KT_ASSERT_EQ(cfp_get_frames(p, 3), base + 50);
    KT_ASSERT_EQ(cfp_get_frames(p, 2), 0);
    KT_ASSERT_EQ(cfp_get_frames(p, 1), base + 79);
    KT_ASSERT_EQ(cfp_free_count(p), 0);
    tp_destroy();
    test_end();
}

KTEST(frames_exhaustion_state_unchanged)
{
    test_begin();
    struct cont_frame_pool *p = tp_create(50, true);
    unsigned long f = cfp_get_frames(p, 49);
    KT_ASSERT_EQ(f, cfp_base_frame(p) + 1);
    KT_ASSERT_EQ(cfp_free_count(p), 0);
    struct snapshot before;
    snap(p, &before);
    KT_ASSERT_EQ(cfp_get_frames(p, 1), 0);
    KT_ASSERT_EQ(cfp_get_frames(p, 50), 0);
    expect_unchanged(p, &before);
    KT_ASSERT_EQ(cfp_release_frames(f), CFP_OK);
    /* 49 free, but 50 would need the bitmap's frame. */
    snap(p, &before);
    KT_ASSERT_EQ(cfp_get_frames(p, 50), 0);
    expect_unchanged(p, &before);
    KT_ASSERT_EQ(cfp_get_frames(p, 49), f);
    KT_ASSERT_EQ(cfp_release_frames(f), CFP_OK);
    tp_destroy();
    test_end();
}

KTEST(frames_inaccessible_never_handed_out)
{
    test_begin();
    struct cont_frame_pool *p = tp_create(48, false);
    unsigned long base = cfp_base_frame(p);
    KT_ASSERT_EQ(cfp_mark_inaccessible(p, base + 5, 3), CFP_OK);
    KT_ASSERT_EQ(cfp_mark_inaccessible(p, base + 20, 1), CFP_OK);
    KT_ASSERT_EQ(cfp_mark_inaccessible(p, base + 47, 1), CFP_OK);
    KT_ASSERT_EQ(cfp_mark_inaccessible(p, base + 6, 2), CFP_OK); /* again */
    KT_ASSERT_EQ(cfp_free_count(p), 48 - 5);
    /* A run may not span inaccessible frames. */
    unsigned long r = cfp_get_frames(p, 6);
    KT_ASSERT(r >= base + 8);
    KT_ASSERT(r + 6 <= base + 20 || r > base + 20);
    KT_ASSERT_EQ(cfp_release_frames(r), CFP_OK);
    /* Every frame handed out is one that was free. */
    unsigned long got = 0, f;
    while ((f = cfp_get_frames(p, 1)) != 0) {
        KT_ASSERT(f != base + 5 && f != base + 6 && f != base + 7 &&
                  f != base + 20 && f != base + 47);
        got++;
    }
    KT_ASSERT_EQ(got, 43);
    KT_ASSERT_EQ(cfp_frame_state(p, base + 47), CFP_STATE_INACCESSIBLE);
    /* An inaccessible frame cannot be released either. */
    KT_ASSERT_EQ(cfp_release_frames(base + 20), CFP_ERR_INACCESSIBLE);
    tp_destroy();
    test_end();
}

KTEST(frames_info_frames_never_handed_out)
{
    test_begin();
    struct cont_frame_pool *p = tp_create(40, true);
    unsigned long base = cfp_base_frame(p), f, got = 0;
    KT_ASSERT_EQ(cfp_frame_state(p, base), CFP_STATE_HEAD);
    while ((f = cfp_get_frames(p, 1)) != 0) {
        KT_ASSERT_NE(f, base);
        got++;
    }
    KT_ASSERT_EQ(got, 39);
    /* Nor released: a pool's own bitmap, or another pool's info frames. */
    KT_ASSERT_EQ(cfp_release_frames(base), CFP_ERR_INFO_FRAMES);
    KT_ASSERT_EQ(cfp_release_frames(512), CFP_ERR_INFO_FRAMES);
    KT_ASSERT_EQ(cfp_release_frames(cfp_info_frame(frames_process_pool())),
                 CFP_ERR_INFO_FRAMES);
    KT_ASSERT_EQ(cfp_frame_state(frames_kernel_pool(), 512), CFP_STATE_HEAD);
    tp_destroy();
    test_end();
}

KTEST(frames_release_routing)
{
    test_begin();
    struct cont_frame_pool *k = frames_kernel_pool(), *p = frames_process_pool();
    unsigned long fk = cfp_get_frames(k, 2), fp = cfp_get_frames(p, 3);
    KT_ASSERT(fk >= 512 && fk < 1024);
    KT_ASSERT(fp >= 1024);
    KT_ASSERT(cfp_find_pool(fk) == k);
    KT_ASSERT(cfp_find_pool(fp) == p);
    /* cfp_release_frames finds the owner from the frame number alone. */
    KT_ASSERT_EQ(cfp_release_frames(fp), CFP_OK);
    KT_ASSERT_EQ(cfp_free_count(p), base_free_process);
    KT_ASSERT_EQ(cfp_free_count(k), base_free_kernel - 2);
    KT_ASSERT_EQ(cfp_release_frames(fk), CFP_OK);
    /* A carved pool takes precedence inside its frames. */
    struct cont_frame_pool *t = tp_create(20, true);
    unsigned long ft = cfp_get_frames(t, 4);
    KT_ASSERT(cfp_find_pool(ft) == t);
    KT_ASSERT_EQ(cfp_release_frames(ft), CFP_OK);
    KT_ASSERT_EQ(cfp_free_count(t), 19);
    /* Its first frame now belongs to it (its bitmap): releasing it does
     * not return the run to the process pool while it is registered. */
    KT_ASSERT_EQ(cfp_release_frames(tp.outer), CFP_ERR_INFO_FRAMES);
    KT_ASSERT_EQ(cfp_frame_state(frames_process_pool(), tp.outer), CFP_STATE_HEAD);
    tp_destroy();
    test_end();
}

KTEST(frames_needed_info_frames)
{
    KT_ASSERT_EQ(cfp_needed_info_frames(0), 0);
    KT_ASSERT_EQ(cfp_needed_info_frames(1), 1);
    KT_ASSERT_EQ(cfp_needed_info_frames(512), 1);
    KT_ASSERT_EQ(cfp_needed_info_frames(16384), 1);
    KT_ASSERT_EQ(cfp_needed_info_frames(16385), 2);
    KT_ASSERT_EQ(cfp_needed_info_frames(32768), 2);
    KT_ASSERT_EQ(cfp_needed_info_frames(32769), 3);
    KT_ASSERT_EQ(cfp_needed_info_frames(0x100000), 64); /* 4 GiB */
}

