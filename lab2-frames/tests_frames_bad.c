/* tests_frames_bad.c: lab 2 in-kernel tests of bad input: refused, logged, nothing changed. */
#include "common/ktest.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab2-frames/frames.h"
#include "lab2-frames/tests_frames_support.h"

/*
 * Bad inputs must also log a "cfp: " line; the grader sees those on the
 * console, the tests here check the return values and that nothing changed.
 */

KTEST(frames_bad_release_not_head)
{
    test_begin();
    struct cont_frame_pool *p = frames_process_pool();
    unsigned long f = cfp_get_frames(p, 3);
    KT_ASSERT_NE(f, 0);
    struct snapshot before;
    snap(p, &before);
    KT_ASSERT_EQ(cfp_release_frames(f + 1), CFP_ERR_NOT_HEAD);
    KT_ASSERT_EQ(cfp_release_frames(f + 2), CFP_ERR_NOT_HEAD);
    expect_unchanged(p, &before);
    KT_ASSERT_EQ(cfp_frame_state(p, f), CFP_STATE_HEAD);
    KT_ASSERT_EQ(cfp_frame_state(p, f + 2), CFP_STATE_USED);
    KT_ASSERT_EQ(cfp_release_frames(f), CFP_OK);
    test_end();
}

KTEST(frames_bad_release_no_pool)
{
    test_begin();
    KT_ASSERT_EQ(cfp_release_frames(0), CFP_ERR_NO_POOL);
    KT_ASSERT_EQ(cfp_release_frames(5), CFP_ERR_NO_POOL);   /* below 1 MiB */
    KT_ASSERT_EQ(cfp_release_frames(300), CFP_ERR_NO_POOL); /* kernel image */
    KT_ASSERT_EQ(cfp_release_frames(511), CFP_ERR_NO_POOL);
    unsigned long past = cfp_base_frame(frames_process_pool()) +
                         cfp_n_frames(frames_process_pool());
    KT_ASSERT_EQ(cfp_release_frames(past), CFP_ERR_NO_POOL);
    KT_ASSERT_EQ(cfp_release_frames(0xFFFFF), CFP_ERR_NO_POOL);
    test_end();
}

KTEST(frames_bad_double_release)
{
    test_begin();
    struct cont_frame_pool *p = frames_process_pool();
    unsigned long f = cfp_get_frames(p, 2);
    KT_ASSERT_NE(f, 0);
    KT_ASSERT_EQ(cfp_release_frames(f), CFP_OK);
    struct snapshot before;
    snap(p, &before);
    KT_ASSERT_EQ(cfp_release_frames(f), CFP_ERR_NOT_ALLOCATED);
    KT_ASSERT_EQ(cfp_release_frames(f + 1), CFP_ERR_NOT_ALLOCATED);
    expect_unchanged(p, &before);
    test_end();
}

KTEST(frames_bad_get_zero)
{
    test_begin();
    struct snapshot bk, bp;
    snap(frames_kernel_pool(), &bk);
    snap(frames_process_pool(), &bp);
    KT_ASSERT_EQ(cfp_get_frames(frames_kernel_pool(), 0), 0);
    KT_ASSERT_EQ(cfp_get_frames(frames_process_pool(), 0), 0);
    expect_unchanged(frames_kernel_pool(), &bk);
    expect_unchanged(frames_process_pool(), &bp);
    test_end();
}

KTEST(frames_bad_get_too_large)
{
    test_begin();
    struct cont_frame_pool *k = frames_kernel_pool(), *p = frames_process_pool();
    struct snapshot bk, bp;
    snap(k, &bk);
    snap(p, &bp);
    KT_ASSERT_EQ(cfp_get_frames(k, 513), 0);
    KT_ASSERT_EQ(cfp_get_frames(k, 512), 0); /* the bitmap is in there */
    KT_ASSERT_EQ(cfp_get_frames(p, (unsigned int)cfp_n_frames(p) + 1), 0);
    KT_ASSERT_EQ(cfp_get_frames(p, 0xFFFFFFFFu), 0);
    expect_unchanged(k, &bk);
    expect_unchanged(p, &bp);
    test_end();
}

KTEST(frames_bad_mark_outside)
{
    test_begin();
    struct cont_frame_pool *k = frames_kernel_pool();
    struct snapshot before;
    snap(k, &before);
    KT_ASSERT_EQ(cfp_mark_inaccessible(k, 500, 20), CFP_ERR_RANGE); /* below */
    KT_ASSERT_EQ(cfp_mark_inaccessible(k, 1020, 10), CFP_ERR_RANGE); /* above */
    KT_ASSERT_EQ(cfp_mark_inaccessible(k, 2000, 1), CFP_ERR_RANGE); /* outside */
    KT_ASSERT_EQ(cfp_mark_inaccessible(k, 600, 0xFFFFFFFFul), CFP_ERR_RANGE);
    expect_unchanged(k, &before);
    /* Over allocated frames: refused too. */
    struct cont_frame_pool *t = tp_create(16, true);
    unsigned long f = cfp_get_frames(t, 4);
    snap(t, &before);
    KT_ASSERT_EQ(cfp_mark_inaccessible(t, f + 2, 4), CFP_ERR_BUSY);
    KT_ASSERT_EQ(cfp_mark_inaccessible(t, cfp_base_frame(t), 1), CFP_ERR_BUSY);
    expect_unchanged(t, &before);
    tp_destroy();
    test_end();
}

KTEST(frames_bad_overlapping_pool)
{
    static struct cont_frame_pool bad;
    test_begin();
    struct snapshot bk, bp;
    snap(frames_kernel_pool(), &bk);
    snap(frames_process_pool(), &bp);
    /* Free frames of the kernel pool, across both pools, containing both,
     * inside the process pool. */
    KT_ASSERT_EQ(cfp_init(&bad, 600, 10, 0), CFP_ERR_OVERLAP);
    KT_ASSERT_EQ(cfp_init(&bad, 1000, 100, 0), CFP_ERR_OVERLAP);
    KT_ASSERT_EQ(cfp_init(&bad, 300, 2000, 100), CFP_ERR_OVERLAP);
    /* A frame of the process pool known to be free. */
    unsigned long f = cfp_get_frames(frames_process_pool(), 1);
    KT_ASSERT_NE(f, 0);
    KT_ASSERT_EQ(cfp_release_frames(f), CFP_OK);
    KT_ASSERT_EQ(cfp_init(&bad, f, 1, 100), CFP_ERR_OVERLAP);
    KT_ASSERT_EQ(cfp_init(&bad, 0, 10, 0), CFP_ERR_INVALID);
    for (struct cont_frame_pool *q = cfp_first_pool(); q; q = cfp_next_pool(q))
        KT_ASSERT(q != &bad);
    expect_unchanged(frames_kernel_pool(), &bk);
    expect_unchanged(frames_process_pool(), &bp);
    test_end();
}
