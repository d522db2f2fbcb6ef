/* tests_frames_support.c: helpers for lab 2's in-kernel tests: private pools, baselines, snapshots. */
#include "lab2-frames/frames.h"
#include "lab2-frames/tests_frames_support.h"

/* A private pool and the frames it came from. Static, so that a test that
 * fails half-way leaves nothing dangling: the next test cleans up. */
struct tests_frames_pool tp;

unsigned long base_free_kernel, base_free_process;

static bool tp_registered(void)
{
    for (struct cont_frame_pool *p = cfp_first_pool(); p; p = cfp_next_pool(p))
        if (p == &tp.pool)
            return true;
    return false;
}

/* Undo whatever a failed test left behind. */
static void tp_cleanup(void)
{
    if (tp_registered())
        cfp_fini(&tp.pool);
    if (tp.outer != 0)
        cfp_release_frames(tp.outer);
    if (tp.info != 0)
        cfp_release_frames(tp.info);
    tp.outer = tp.info = 0;
}

void test_begin(void)
{
    tests_frames_helper_step = 0;
    tests_frames_require_pools();
    tp_cleanup();
    base_free_kernel = cfp_free_count(frames_kernel_pool());
    base_free_process = cfp_free_count(frames_process_pool());
}

/* The system pools are back where test_begin found them. */
void test_end(void)
{
    KT_ASSERT_EQ(cfp_free_count(frames_kernel_pool()), base_free_kernel);
    KT_ASSERT_EQ(cfp_free_count(frames_process_pool()), base_free_process);
}

/* Carve a pool of N frames out of the process pool. INTERNAL: its bitmap
 * in its own first frame(s); else in frames from the kernel pool. */
struct cont_frame_pool *tp_create(unsigned long n, bool internal)
{
    tests_frames_helper_step = 4; /* a failure here is in getting the run */
    tp.outer = cfp_get_frames(frames_process_pool(), (unsigned int)n);
    KT_ASSERT_NE(tp.outer, 0);
    if (!internal) {
        tp.info = cfp_get_frames(frames_kernel_pool(),
                                 (unsigned int)cfp_needed_info_frames(n));
        KT_ASSERT_NE(tp.info, 0);
    }
    tests_frames_helper_step = 2;
    KT_ASSERT_EQ(cfp_init(&tp.pool, tp.outer, n, tp.info), CFP_OK);
    cfp_set_name(&tp.pool, "test");
    tests_frames_helper_step = 0;
    return &tp.pool;
}

void tp_destroy(void)
{
    tests_frames_helper_step = 5; /* giving the runs back */
    KT_ASSERT_EQ(cfp_fini(&tp.pool), CFP_OK);
    KT_ASSERT_EQ(cfp_release_frames(tp.outer), CFP_OK);
    tp.outer = 0;
    if (tp.info != 0) {
        KT_ASSERT_EQ(cfp_release_frames(tp.info), CFP_OK);
        tp.info = 0;
    }
    tests_frames_helper_step = 0;
}

void snap(const struct cont_frame_pool *pool, struct snapshot *s)
{
    s->free = cfp_free_count(pool);
    cfp_count_states(pool, s->counts);
}

void expect_unchanged(const struct cont_frame_pool *pool,
                             const struct snapshot *before)
{
    struct snapshot now;
    snap(pool, &now);
    KT_ASSERT_EQ(now.free, before->free);
    for (int s = 0; s < 4; s++)
        KT_ASSERT_EQ(now.counts[s], before->counts[s]);
}

