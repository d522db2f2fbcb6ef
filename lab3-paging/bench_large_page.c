/* bench_large_page.c: lab 3's challenge benchmark: mapping and touching 4 MiB with one large page or 1024 demand-paged small pages (KMETRIC). */
#include "common/kprintf.h"
#include "common/kstring.h"
#include "common/x86.h"
#include "lab2-frames/frames.h"
#include "large_page.h"
#include "tests_support.h"

#define BLP_VA 0x30400000u /* in TESTS_NO_POOL: nothing else maps there */

/* Instructions (Bochs) or cycles per page of LP_FRAMES pages that took T. */
static unsigned long blp_per_page(uint64_t t)
{
    return t > 0xFFFFFFFFull ? 0xFFFFFFFFul : (unsigned long)(uint32_t)t / LP_FRAMES;
}

KBENCH(bench_large_page_vs_small)
{
    TESTS_REQUIRE_VM();
    /* Small pages: a fresh scratch pool, every page a demand fault, one
     * page table made on the way. */
    struct vm_pool *pool = tests_pool();
    unsigned long a = vm_pool_allocate(pool, LP_SIZE);
    KT_ASSERT(a != 0);
    uint64_t t0 = rdtsc();
    for (uint32_t off = 0; off < LP_SIZE; off += PAGE_SIZE)
        *(volatile uint32_t *)(a + off) = off;
    uint64_t t1 = rdtsc();
    ktest_metric("map_touch_4mib_small_pages", blp_per_page(t1 - t0), "insns/page");
    KT_ASSERT_EQ(vm_pool_release(pool, a), VM_POOL_OK);
    tests_pools_destroy();

    /* One large page: the frames are taken first (a run that holds an
     * aligned block), then one directory entry maps them all; zeroed here,
     * as the fault handler zeroes each small page, so both do that work. */
    unsigned long run = cfp_get_frames(frames_process_pool(), 2 * LP_FRAMES - 1);
    KT_ASSERT(run != 0);
    unsigned long block = (run + LP_FRAMES - 1) & ~(unsigned long)(LP_FRAMES - 1);
    t0 = rdtsc();
    int err = large_page_map(BLP_VA, block, PTE_WRITABLE);
    if (err == LP_OK)
        memset((void *)BLP_VA, 0, LP_SIZE);
    if (err == LP_OK)
        for (uint32_t off = 0; off < LP_SIZE; off += PAGE_SIZE)
            *(volatile uint32_t *)(BLP_VA + off) = off;
    t1 = rdtsc();
    if (err == LP_OK) {
        ktest_metric("map_touch_4mib_large_page", blp_per_page(t1 - t0), "insns/page");
        KT_ASSERT_EQ(large_page_unmap(BLP_VA), LP_OK);
    } else {
        kprintf("bench_large_page: no large pages (%s): skipped\n", large_page_strerror(err));
    }
    KT_ASSERT_EQ(cfp_release_frames(run), CFP_OK);
}
