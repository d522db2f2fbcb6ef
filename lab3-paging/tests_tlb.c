/* tests_tlb.c: lab 3 in-kernel tests of TLB invalidation, entry flag bits and zeroed page tables. */
#include "common/kstring.h"
#include "common/x86.h"
#include "lab2-frames/frames.h"
#include "tests_support.h"

/*
 * A stale TLB entry is detected deterministically: cache a translation by
 * reading through it, change the mapping, and read again right away. The
 * pages used lie at TLB slots (page number modulo the emulators' TLB sizes)
 * that the kernel code, its data, the frame bitmaps and the page-table
 * window do not use, so the old translation, if it was not invalidated,
 * is still there to be hit.
 */

#define TLB_PAGE_INDEX   600u  /* page 600 of the scratch pool */
#define TLB_REGION_PAGES 1000u
#define TLB_PATTERN_A    0xA11CE000u
#define TLB_PATTERN_B    0xB0B0B0B0u

/* The scratch pool with one big region; returns the address of its page
 * TLB_PAGE_INDEX (counted from the pool's base). */
static uint32_t tlb_test_page(struct vm_pool **pool)
{
    *pool = tests_pool();
    unsigned long start = vm_pool_allocate(*pool, TLB_REGION_PAGES * PAGE_SIZE);
    KT_ASSERT(start != 0);
    uint32_t va = TESTS_POOL_BASE + TLB_PAGE_INDEX * PAGE_SIZE;
    KT_ASSERT(va >= start && va < start + TLB_REGION_PAGES * PAGE_SIZE);
    return va;
}

/* page_table_free_page must invalidate: after it, the same page mapped to
 * another frame shows that frame, not the old one. */
KTEST(paging_tlb_free_then_remap)
{
    struct vm_pool *pool;
    uint32_t va = tlb_test_page(&pool);
    volatile uint32_t *p = (volatile uint32_t *)va;

    p[0] = TLB_PATTERN_A;                      /* demand fault: frame A */
    KT_ASSERT_EQ_HEX(p[0], TLB_PATTERN_A);     /* the translation is cached */
    page_table_free_page(paging_kernel_pt(), va >> PAGE_SHIFT);
    KT_ASSERT_EQ_HEX(*paging_pte_ptr(va), 0);

    unsigned long frame_b = cfp_get_frames(frames_kernel_pool(), 1);
    KT_ASSERT(frame_b != 0);
    *(volatile uint32_t *)(frame_b << PAGE_SHIFT) = TLB_PATTERN_B; /* identity */
    KT_ASSERT(tests_map(va, frame_b, PTE_WRITABLE));
    uint32_t seen = p[0];
    page_table_unmap(paging_kernel_pt(), va);
    KT_ASSERT_EQ(cfp_release_frames(frame_b), CFP_OK);
    if (seen != TLB_PATTERN_B)
        KT_FAIL("0x%08lx freed with page_table_free_page, then mapped to frame "
                "0x%lx holding 0x%08lx: a read gave 0x%08lx%s", (unsigned long)va,
                frame_b, (unsigned long)TLB_PATTERN_B, (unsigned long)seen,
                seen == TLB_PATTERN_A ? " (the old frame's data: its translation "
                                        "was still in the TLB; invlpg the page "
                                        "when clearing its entry)" : "");
    tests_pools_destroy();
}

/* vm_pool_release frees every page of the region, each with its TLB entry:
 * afterwards every page faults (it is no longer legitimate), and a new
 * region in the same place starts with zeroed pages. */
KTEST(paging_tlb_release_every_page)
{
    enum { PAGES = 3 };
    struct vm_pool *pool = tests_pool();
    unsigned long filler = vm_pool_allocate(pool, (TLB_PAGE_INDEX - 1) * PAGE_SIZE);
    unsigned long r = vm_pool_allocate(pool, PAGES * PAGE_SIZE);
    KT_ASSERT(filler != 0 && r == TESTS_POOL_BASE + TLB_PAGE_INDEX * PAGE_SIZE);

    for (unsigned i = 0; i < PAGES; i++)
        *(volatile uint32_t *)(r + i * PAGE_SIZE) = TLB_PATTERN_A + i;
    unsigned long free0 = tests_process_free();
    for (unsigned i = 0; i < PAGES; i++) /* cache every translation */
        KT_ASSERT_EQ_HEX(*(volatile uint32_t *)(r + i * PAGE_SIZE), TLB_PATTERN_A + i);
    KT_ASSERT_EQ(vm_pool_release(pool, r), VM_POOL_OK);
    KT_ASSERT_EQ(tests_process_free(), free0 + PAGES);
    for (unsigned i = 0; i < PAGES; i++) {
        uint32_t page = (uint32_t)(r + i * PAGE_SIZE);
        KT_ASSERT(!page_table_is_mapped(paging_kernel_pt(), page >> PAGE_SHIFT));
        KT_EXPECT_FAULT(VEC_PAGE_FAULT, (void)*(volatile uint32_t *)page);
        KT_ASSERT_EQ_HEX(ktest_last_fault()->cr2, page);
    }
    KT_ASSERT_EQ(vm_pool_allocate(pool, PAGES * PAGE_SIZE), r);
    for (unsigned i = 0; i < PAGES; i++)
        KT_ASSERT_EQ_HEX(*(volatile uint32_t *)(r + i * PAGE_SIZE), 0);
    tests_pools_destroy();
}

/* The window shows the current page table after a table was freed and a
 * new one created for the same 4 MiB: the PTE read through it is the one
 * the MMU uses (checked through memory written via the page). */
KTEST(paging_tlb_window_follows_new_table)
{
    struct vm_pool *pool = tests_kernel_frames_pool();
    /* Fill the pool's first table so the target is in the next one. */
    unsigned long filler = vm_pool_allocate(pool, (PAGING_ENTRIES - 1) * PAGE_SIZE);
    unsigned long va = vm_pool_allocate(pool, PAGE_SIZE);
    KT_ASSERT(filler != 0 && va == TESTS_KPOOL_BASE + PAGING_TABLE_SPAN);

    for (int round = 0; round < 2; round++) {
        *(volatile uint32_t *)va = TLB_PATTERN_A + (uint32_t)round;
        uint32_t pte = *paging_pte_ptr((uint32_t)va); /* caches the window page */
        KT_ASSERT(pte & PTE_PRESENT);
        uint32_t via_frame = *(volatile uint32_t *)pte_addr(pte); /* identity */
        if (via_frame != TLB_PATTERN_A + (uint32_t)round)
            KT_FAIL("round %d: the window's PTE for 0x%08lx names frame 0x%lx, "
                    "which holds 0x%08lx, not the 0x%08lx just written through "
                    "the page: the window shows a stale page table", round, va,
                    pte_frame(pte), (unsigned long)via_frame,
                    (unsigned long)(TLB_PATTERN_A + (uint32_t)round));
        /* Releasing frees the page and its now empty table (PDE cleared). */
        KT_ASSERT_EQ(vm_pool_release(pool, va), VM_POOL_OK);
        KT_ASSERT(!(*paging_pde_ptr((uint32_t)va) & PTE_PRESENT));
        KT_ASSERT_EQ(vm_pool_allocate(pool, PAGE_SIZE), va);
    }
    tests_pools_destroy();
}

/* Flags of every kind of entry, as the handout's table states: present,
 * writable, never user; frames where they belong. */
static void expect_flags(const char *what, uint32_t va, uint32_t entry)
{
    uint32_t want = PTE_PRESENT | PTE_WRITABLE;
    if ((entry & (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PDE_LARGE_PAGE)) != want)
        KT_FAIL("%s for 0x%08lx is 0x%08lx: expected present and writable, "
                "supervisor only (P=1 R/W=1 U/S=0), no 4 MiB page bit",
                what, (unsigned long)va, (unsigned long)entry);
}

KTEST(paging_entry_flags)
{
    TESTS_REQUIRE_VM();
    const volatile uint32_t *pd = (const volatile uint32_t *)PAGING_PD_WINDOW;
    /* The identity range: every PTE maps its own frame. */
    for (uint32_t va = 0; va < paging_shared_size(); va += PAGE_SIZE) {
        if ((va & (PAGING_TABLE_SPAN - 1)) == 0)
            expect_flags("identity PDE", va, pd[paging_pd_index(va)]);
        uint32_t pte = *paging_pte_ptr(va);
        expect_flags("identity PTE", va, pte);
        if (pte_addr(pte) != va)
            KT_FAIL("identity PTE for 0x%08lx maps 0x%08lx", (unsigned long)va,
                    (unsigned long)pte_addr(pte));
    }
    /* The recursive entry: the directory itself. */
    expect_flags("recursive PDE 1023", PAGING_PT_WINDOW, pd[PAGING_RECURSIVE_SLOT]);
    KT_ASSERT_EQ_HEX(pte_addr(pd[PAGING_RECURSIVE_SLOT]), read_cr3() & PTE_FRAME_MASK);
    /* A demand-paged page and its on-demand table. */
    struct vm_pool *pool = tests_pool();
    unsigned long va = vm_pool_allocate(pool, 2 * PAGE_SIZE);
    KT_ASSERT(va != 0);
    *(volatile uint32_t *)(va + PAGE_SIZE) = 1;
    uint32_t pva = (uint32_t)(va + PAGE_SIZE);
    expect_flags("on-demand PDE", pva, *paging_pde_ptr(pva));
    expect_flags("demand-paged PTE", pva, *paging_pte_ptr(pva));
    KT_ASSERT(cfp_find_pool(pte_frame(*paging_pte_ptr(pva))) == frames_process_pool());
    /* The untouched page of the region stays unmapped (lazy). */
    KT_ASSERT_EQ_HEX(*paging_pte_ptr((uint32_t)va) & PTE_PRESENT, 0);
    tests_pools_destroy();
}

#define DIRTY_BYTE 0xA5 /* as entries: present, writable, frame 0xA5A5A */
#define MAX_HELD 256

/* A new page table is zeroed even when its frame held garbage: make a
 * dirtied frame the only free one in the process pool, then fault in a
 * page under a new table. */
KTEST(paging_new_table_zeroed)
{
    static unsigned long held[MAX_HELD];
    unsigned n_held = 0;
    struct vm_pool *kpool = tests_kernel_frames_pool();
    struct vm_pool *pool = tests_pool();
    /* A scratch mapping to dirty the frame (its table exists afterwards). */
    unsigned long scratch_va = vm_pool_allocate(pool, PAGE_SIZE);
    KT_ASSERT(scratch_va != 0);
    *(volatile uint32_t *)scratch_va = 0; /* the table of scratch_va exists */
    page_table_free_page(paging_kernel_pt(), scratch_va >> PAGE_SHIFT);
    unsigned long dirty = cfp_get_frames(frames_process_pool(), 1);
    KT_ASSERT(dirty != 0);
    KT_ASSERT(tests_map((uint32_t)scratch_va, dirty, PTE_WRITABLE));
    memset((void *)scratch_va, DIRTY_BYTE, PAGE_SIZE);
    page_table_unmap(paging_kernel_pt(), (uint32_t)scratch_va);
    /* Hold every other free frame of the process pool. */
    for (unsigned int run = 4096; run >= 1; run /= 2) {
        unsigned long f;
        while (n_held < MAX_HELD && (f = cfp_get_frames(frames_process_pool(), run)) != 0)
            held[n_held++] = f;
    }
    bool only_dirty_left = tests_process_free() == 0 && n_held < MAX_HELD;
    KT_ASSERT_EQ(cfp_release_frames(dirty), CFP_OK);

    /* A page of the kernel-frames pool in a 4 MiB with no table yet: the
     * table takes the dirty frame (the page itself a kernel-pool frame). */
    unsigned long va = 0;
    if (only_dirty_left) {
        unsigned long filler = vm_pool_allocate(kpool, (PAGING_ENTRIES - 1) * PAGE_SIZE);
        va = vm_pool_allocate(kpool, PAGE_SIZE);
        if (filler == 0 || va == 0 || (*paging_pde_ptr((uint32_t)va) & PTE_PRESENT))
            va = 0;
    }
    /* The touch must be served; catch a fault instead of failing here, so
     * the held frames go back whatever happens. */
    bool faulted = false;
    if (va != 0) {
        if (ksetjmp(*ktest_catch_arm(VEC_PAGE_FAULT)) == 0) {
            *(volatile uint32_t *)va = 7;
            ktest_catch_disarm();
        } else {
            faulted = true;
        }
    }
    uint32_t pde = va ? *paging_pde_ptr((uint32_t)va) : 0;
    unsigned used = 0, first_bad = 0;
    if (va != 0) {
        const volatile uint32_t *table = paging_table_window((uint32_t)va);
        for (unsigned j = PAGING_ENTRIES; j-- > 0;)
            if (table[j] != 0) {
                used++;
                first_bad = j;
            }
    }
    for (unsigned i = 0; i < n_held; i++)
        KT_ASSERT_EQ(cfp_release_frames(held[i]), CFP_OK);
    KT_ASSERT(only_dirty_left);
    KT_ASSERT(va != 0);
    if (faulted)
        KT_FAIL("touching 0x%08lx under a new page table (frame 0x%lx, which "
                "held 0x%02x bytes) was not served: %s (zero a new table before "
                "using it)", va, dirty, DIRTY_BYTE, paging_last_report());
    KT_ASSERT_EQ(pte_frame(pde), dirty);
    if (used != 1)
        KT_FAIL("the new page table (frame 0x%lx, which held 0x%02x bytes) has "
                "%u non-zero entries after one page was mapped (entry %u is "
                "one): zero a new table before using it", dirty, DIRTY_BYTE,
                used, first_bad);
    tests_pools_destroy();
}
