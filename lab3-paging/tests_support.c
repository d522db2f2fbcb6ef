/* tests_support.c: scratch VM pools and small utilities for lab 3's tests. */
#include "common/kstring.h"
#include "lab1-boot/cmdline.h"
#include "lab2-frames/frames.h"
#include "tests_support.h"

static struct vm_pool scratch, scratch_kernel;

static struct vm_pool *fresh(struct vm_pool *p, unsigned long base, unsigned long size,
                             struct cont_frame_pool *frames, const char *name)
{
    TESTS_REQUIRE_VM();
    if (vm_pool_is_live(p))
        vm_pool_destroy(p);
    memset(p, 0, sizeof *p);
    vm_pool_set_name(p, name);
    KT_ASSERT_EQ(vm_pool_init(p, base, size, frames, paging_kernel_pt()), VM_POOL_OK);
    return p;
}

struct vm_pool *tests_pool(void)
{
    return fresh(&scratch, TESTS_POOL_BASE, TESTS_POOL_SIZE, frames_process_pool(),
                 "test");
}

struct vm_pool *tests_kernel_frames_pool(void)
{
    return fresh(&scratch_kernel, TESTS_KPOOL_BASE, TESTS_KPOOL_SIZE,
                 frames_kernel_pool(), "test-kframes");
}

void tests_pools_destroy(void)
{
    if (vm_pool_is_live(&scratch))
        vm_pool_destroy(&scratch);
    if (vm_pool_is_live(&scratch_kernel))
        vm_pool_destroy(&scratch_kernel);
}

bool tests_map(uint32_t va, unsigned long frame, uint32_t flags)
{
    struct page_walk w;
    page_table_walk(paging_kernel_pt(), va, &w);
    if (w.present)
        KT_FAIL("0x%08x is still mapped (to frame 0x%lx) where the test maps a frame: a "
                "page freed earlier kept its entry (page_table_free_page clears it; "
                "vm_pool_release frees each mapped page of the region)", (unsigned)va,
                w.frame);
    return page_table_map(paging_kernel_pt(), va, frame, flags);
}

unsigned long tests_process_free(void)
{
    return cfp_free_count(frames_process_pool());
}

unsigned long tests_kernel_free(void)
{
    return cfp_free_count(frames_kernel_pool());
}

uint32_t tests_random(void)
{
    static uint32_t state;
    static bool seeded;
    if (!seeded) {
        state = (uint32_t)cmdline_get_ulong("seed", 1) * 2654435761u + 12345u;
        seeded = true;
    }
    state = state * 1103515245u + 12345u;
    return state >> 8;
}

bool tests_contains(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (; *haystack; haystack++)
        if (strncmp(haystack, needle, n) == 0)
            return true;
    return *needle == '\0';
}
