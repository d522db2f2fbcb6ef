/* bench_scale.c: lab 2 scaling benchmarks: get+release of one frame on pools of 32 MiB to 1 GiB. */
#include "common/format.h"
#include "common/ktest.h"
#include "common/x86.h"
#include "lab2-frames/frames.h"

#define SCALE_BASE_FRAME 0x20000ul /* 512 MiB: beyond RAM; only the bitmap is touched */
#define SCALE_ITERS 200

static const unsigned scale_mib[] = {32, 64, 128, 256, 512, 1024};

static unsigned long scale_per(uint64_t t, unsigned long n)
{
    return t > 0xFFFFFFFFull ? 0xFFFFFFFFul : (unsigned long)(uint32_t)t / n;
}

/* Get+release of one frame, SCALE_ITERS times, on POOL. */
static unsigned long scale_pairs(struct cont_frame_pool *pool)
{
    uint64_t t0 = rdtsc();
    for (int i = 0; i < SCALE_ITERS; i++) {
        unsigned long f = cfp_get_frames(pool, 1);
        KT_ASSERT(f != 0);
        KT_ASSERT_EQ(cfp_release_frames(f), CFP_OK);
    }
    return scale_per(rdtsc() - t0, SCALE_ITERS);
}

/* A pool of MIB MiB whose frames lie beyond RAM (its bitmap lives in kernel
 * frames): one frame on the empty pool, then on the pool held by one run of
 * all frames but the last (the search must cross the whole bitmap). */
static void scale_measure(unsigned mib)
{
    static struct cont_frame_pool pool;
    unsigned long n = (unsigned long)mib * (1024 * 1024 / CFP_FRAME_SIZE);
    unsigned long need = cfp_needed_info_frames(n);
    unsigned long info = cfp_get_frames(frames_kernel_pool(), (unsigned int)need);
    KT_ASSERT(info != 0);
    KT_ASSERT_EQ(cfp_init(&pool, SCALE_BASE_FRAME, n, info), CFP_OK);
    char name[48];
    ksnprintf(name, sizeof name, "frames_get_release_1_empty_mib_n%u", mib);
    ktest_metric(name, scale_pairs(&pool), "insns");

    unsigned long run = cfp_get_frames(&pool, (unsigned int)(n - 1));
    KT_ASSERT_EQ(run, SCALE_BASE_FRAME);
    ksnprintf(name, sizeof name, "frames_get_release_1_full_mib_n%u", mib);
    ktest_metric(name, scale_pairs(&pool), "insns");
    KT_ASSERT_EQ(cfp_release_frames(run), CFP_OK);
    KT_ASSERT_EQ(cfp_fini(&pool), CFP_OK);
    KT_ASSERT_EQ(cfp_release_frames(info), CFP_OK);
}

KBENCH(bench_scale_frame_pools)
{
    for (unsigned i = 0; i < sizeof scale_mib / sizeof scale_mib[0]; i++)
        scale_measure(scale_mib[i]);
}
