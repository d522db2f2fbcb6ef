/* tests_frames_mut3.c: lab 2 in-kernel test that a long request is granted only a run of Free frames, never Free frames split by a busy one. */
#include <stdbool.h>
#include <stdint.h>

#include "common/ktest.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab2-frames/tests_frames_support.h"

/* A 32-frame pool (two bitmap words) whose only Free frames are 0-2 and
 * 4-15 of word 0, frame 3 busy between them and word 1 all busy: fifteen
 * Free frames, but no run of 15. A request of 15 (the long-run path, which
 * looks only at the Free frames at a word's bottom and top) must fail and
 * change nothing; 12 and 3 still fit where they are. */
KTEST(frames_long_run_never_spans_a_busy_frame)
{
    enum { N = 32 };
    test_begin();
    struct cont_frame_pool *p = tp_create(N, false);
    unsigned long b = cfp_base_frame(p);
    KT_ASSERT_EQ(cfp_get_frames(p, 3), b);          /* 0-2 */
    KT_ASSERT_EQ(cfp_get_frames(p, 1), b + 3);      /* 3: the busy frame */
    KT_ASSERT_EQ(cfp_get_frames(p, 12), b + 4);     /* 4-15 */
    KT_ASSERT_EQ(cfp_get_frames(p, 16), b + 16);    /* 16-31 */
    KT_ASSERT_EQ(cfp_release_frames(b), CFP_OK);
    KT_ASSERT_EQ(cfp_release_frames(b + 4), CFP_OK);
    KT_ASSERT_EQ(cfp_free_count(p), 15);
    struct snapshot before;
    snap(p, &before);
    unsigned long f = cfp_get_frames(p, 15);
    if (f != 0)
        KT_FAIL("free: frames 0-2 and 4-15 (frame 3 and 16-31 allocated); get_frames(15) "
                "returned pool frame %ld: a run is granted only if every frame of it is "
                "Free (the 3 Free frames below a busy frame do not join the 12 above it)",
                (long)(f - b));
    expect_unchanged(p, &before);
    KT_ASSERT_EQ(cfp_get_frames(p, 12), b + 4);
    KT_ASSERT_EQ(cfp_get_frames(p, 3), b);
    KT_ASSERT_EQ(cfp_free_count(p), 0);
    tp_destroy();
    test_end();
}
