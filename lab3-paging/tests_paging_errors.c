/* tests_paging_errors.c: lab 3 in-kernel tests of running out of frames and of a page whose frame cannot be released. */
#include "common/format.h"
#include "common/kprintf.h"
#include "lab2-frames/frames.h"
#include "tests_support.h"

#define HOLD_MAX 256

/* Take every free frame of the process pool into HELD (at most HOLD_MAX
 * runs); returns how many runs were taken. */
static unsigned hold_process_frames(unsigned long *held)
{
    unsigned n = 0;
    for (unsigned long run = 4096; run >= 1; run /= 2) {
        unsigned long f;
        while (n < HOLD_MAX && (f = cfp_get_frames(frames_process_pool(), run)) != 0)
            held[n++] = f;
    }
    return n;
}

/* Touch VA (a write); true if it faulted. Interrupt state is kept. */
static bool touch_faults(uint32_t va)
{
    if (ksetjmp(*ktest_catch_arm(VEC_PAGE_FAULT)) == 0) {
        *(volatile uint32_t *)va = 1;
        ktest_catch_disarm();
        return false;
    }
    return true;
}

/* With the process pool empty, a touch that needs a fresh page fails as a
 * reported fault and maps nothing: neither a page (frame 0 is "none", never
 * a frame to map) nor a page table. The grader also reads the kernel's own
 * line about the missing table (paging_table_shortage_logged). */
KTEST(paging_out_of_frames_reported)
{
    static unsigned long held[HOLD_MAX];
    static char report_page[320], report_table[320];
    struct vm_pool *pool = tests_pool();
    /* Two tables' worth: page A and C share a table; B needs a new one. */
    unsigned long r = vm_pool_allocate(pool, 2 * PAGING_TABLE_SPAN);
    KT_ASSERT(r != 0);
    uint32_t a = (uint32_t)r, c = a + PAGE_SIZE;
    uint32_t b = (uint32_t)((r + PAGING_TABLE_SPAN) & ~(PAGING_TABLE_SPAN - 1));
    *(volatile uint32_t *)a = 1; /* A's table exists from now on */
    KT_ASSERT(!(*paging_pde_ptr(b) & PTE_PRESENT));

    unsigned n = hold_process_frames(held);
    bool empty = tests_process_free() == 0 && n < HOLD_MAX;
    bool page_faulted = false, table_faulted = false;
    uint32_t pte_c = 0, pde_b = 0;
    if (empty) {
        page_faulted = touch_faults(c);
        ksnprintf(report_page, sizeof report_page, "%s", paging_last_report());
        pte_c = *paging_pte_ptr(c);
        kprintf("paging: table probe 0x%08lx\n", (unsigned long)b);
        table_faulted = touch_faults(b);
        ksnprintf(report_table, sizeof report_table, "%s", paging_last_report());
        pde_b = *paging_pde_ptr(b);
    }
    for (unsigned i = 0; i < n; i++)
        KT_ASSERT_EQ(cfp_release_frames(held[i]), CFP_OK);
    KT_ASSERT(empty);
    if (!page_faulted || (pte_c & PTE_PRESENT))
        KT_FAIL("process pool empty: touching 0x%08lx (its table exists) %s, PTE "
                "0x%08lx: with no frame left the fault must be reported and "
                "nothing mapped (cfp_get_frames returned 0: no frame)",
                (unsigned long)c, page_faulted ? "faulted" : "was served",
                (unsigned long)pte_c);
    if (!tests_contains(report_page, "out of frames"))
        KT_FAIL("the fault at 0x%08lx was reported as \"%s\": expected the pool's "
                "frame pool to be out of frames", (unsigned long)c, report_page);
    if (!table_faulted || (pde_b & PTE_PRESENT))
        KT_FAIL("process pool empty: touching 0x%08lx (no page table yet) %s, PDE "
                "0x%08lx: with no frame for the table, paging_ensure_table must "
                "fail and install nothing", (unsigned long)b,
                table_faulted ? "faulted" : "was served", (unsigned long)pde_b);
    if (!tests_contains(report_table, "no frame left for a page table"))
        KT_FAIL("the fault at 0x%08lx was reported as \"%s\": expected no frame "
                "left for a page table", (unsigned long)b, report_table);
    tests_pools_destroy();
}

/* A page whose frame the pool refuses to take back (here the second frame
 * of a run: not a Head) is still unmapped, its frame left as it was, and
 * the failure reported; a page freed normally is not reported. The grader
 * reads the kernel's lines (paging_free_failure_logged). */
KTEST(paging_free_page_release_refused)
{
    struct vm_pool *pool = tests_pool();
    unsigned long r = vm_pool_allocate(pool, 2 * PAGE_SIZE);
    KT_ASSERT(r != 0);
    uint32_t bad = (uint32_t)r, good = bad + PAGE_SIZE;
    unsigned long run = cfp_get_frames(frames_process_pool(), 2);
    unsigned long single = cfp_get_frames(frames_process_pool(), 1);
    KT_ASSERT(run != 0 && single != 0);
    KT_ASSERT(tests_map(bad, run + 1, PTE_WRITABLE));
    KT_ASSERT(tests_map(good, single, PTE_WRITABLE));
    kprintf("paging: release probe 0x%08lx frame 0x%lx, good 0x%08lx\n",
            (unsigned long)bad, run + 1, (unsigned long)good);
    page_table_free_page(paging_kernel_pt(), bad >> PAGE_SHIFT);
    page_table_free_page(paging_kernel_pt(), good >> PAGE_SHIFT);
    kprintf("paging: release probe done\n");
    KT_ASSERT_EQ_HEX(*paging_pte_ptr(bad), 0);
    KT_ASSERT_EQ_HEX(*paging_pte_ptr(good), 0);
    KT_ASSERT_EQ(cfp_frame_state(frames_process_pool(), run + 1), CFP_STATE_USED);
    KT_ASSERT_EQ(cfp_frame_state(frames_process_pool(), single), CFP_STATE_FREE);
    KT_ASSERT_EQ(cfp_release_frames(run), CFP_OK);
    tests_pools_destroy();
}
