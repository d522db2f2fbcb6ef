/* tests_large_page.c: lab 3's challenge tests: 4 MiB pages (PS directory entries, edges, TLB, table frames saved). */
#include "common/kprintf.h"
#include "common/x86.h"
#include "lab2-frames/frames.h"
#include "large_page.h"
#include "tests_support.h"

/* Addresses inside TESTS_NO_POOL, where no VM pool ever lives, so a fault
 * there is never served on demand. */
#define LPT_VA      0x30400000u /* the large page under test */
#define LPT_CHECK   0x31000000u /* 4 KiB mappings to look at frames another way */
#define LPT_MARK_A  0xA5A50000u
#define LPT_MARK_B  0x5B5B0000u

/* Two 4 MiB-aligned blocks of the process pool, inside one run of 3071
 * frames (which always holds two). Static: the next test cleans up. */
static unsigned long lpt_run, lpt_a, lpt_b, lpt_free0;

/* Undo what a failed test left: the large page, the check mappings, the run. */
static void lpt_cleanup(void)
{
    volatile uint32_t *pde = paging_pde_ptr(LPT_VA);
    if (*pde & PDE_LARGE_PAGE) {
        *pde = 0;
        invlpg(LPT_VA);
    }
    for (uint32_t va = LPT_CHECK; va < LPT_CHECK + LP_SIZE; va += PAGE_SIZE)
        if (page_table_is_mapped(paging_kernel_pt(), va >> PAGE_SHIFT))
            page_table_unmap(paging_kernel_pt(), va);
    page_table_reclaim_tables(paging_kernel_pt(), LPT_CHECK, LPT_CHECK + LP_SIZE);
    if (lpt_run)
        cfp_release_frames(lpt_run);
    lpt_run = 0;
}

static void lpt_begin(void)
{
    TESTS_REQUIRE_VM();
    lpt_cleanup();
    lpt_free0 = tests_process_free();
    lpt_run = cfp_get_frames(frames_process_pool(), 3 * LP_FRAMES - 1);
    KT_ASSERT_NE(lpt_run, 0);
    lpt_a = (lpt_run + LP_FRAMES - 1) & ~(unsigned long)(LP_FRAMES - 1);
    lpt_b = lpt_a + LP_FRAMES;
}

static void lpt_end(void)
{
    lpt_cleanup();
    KT_ASSERT_EQ(tests_process_free(), lpt_free0);
}

static void lpt_map(uint32_t va, unsigned long frame)
{
    int err = large_page_map(va, frame, PTE_WRITABLE);
    if (err != LP_OK)
        KT_FAIL("large_page_map(0x%08lx, frame %lu) returned %d (%s)", (unsigned long)va,
                frame, err, large_page_strerror(err));
}

/* The word at byte OFFSET of frame FRAME, read through a 4 KiB mapping. */
static uint32_t lpt_peek(unsigned long frame, uint32_t offset)
{
    KT_ASSERT(page_table_map(paging_kernel_pt(), LPT_CHECK, frame, PTE_WRITABLE));
    uint32_t v = *(volatile uint32_t *)(LPT_CHECK + offset);
    page_table_unmap(paging_kernel_pt(), LPT_CHECK);
    return v;
}

static void lpt_poke(unsigned long frame, uint32_t offset, uint32_t v)
{
    KT_ASSERT(page_table_map(paging_kernel_pt(), LPT_CHECK, frame, PTE_WRITABLE));
    *(volatile uint32_t *)(LPT_CHECK + offset) = v;
    page_table_unmap(paging_kernel_pt(), LPT_CHECK);
}

/* The region is mapped by one PS directory entry, seen through the
 * recursive window, and nothing else in the directory changed. */
KTEST(large_page_pde_ps)
{
    static uint32_t before[PAGING_ENTRIES];
    lpt_begin();
    const volatile uint32_t *pd = (const volatile uint32_t *)PAGING_PD_WINDOW;
    for (unsigned int i = 0; i < PAGING_ENTRIES; i++)
        before[i] = pd[i];
    lpt_map(LPT_VA, lpt_a);
    KT_ASSERT(read_cr4() & CR4_PSE);
    uint32_t pde = *paging_pde_ptr(LPT_VA);
    uint32_t want = PTE_PRESENT | PTE_WRITABLE | PDE_LARGE_PAGE;
    if ((pde & want) != want)
        KT_FAIL("PDE for 0x%08lx is 0x%08lx: present, writable and PS (0x%lx) must be set",
                (unsigned long)LPT_VA, (unsigned long)pde, (unsigned long)want);
    KT_ASSERT_EQ_HEX(pde & LP_FRAME_MASK, lpt_a << PAGE_SHIFT);
    KT_ASSERT_EQ_HEX(pde & ~LP_FRAME_MASK & ~PTE_FLAGS_MASK, 0); /* bits 12-21 reserved */
    KT_ASSERT_EQ_HEX(pde & PTE_USER, 0);
    for (unsigned int i = 0; i < PAGING_ENTRIES; i++)
        if (i != paging_pd_index(LPT_VA) && pd[i] != before[i])
            KT_FAIL("PDE %u changed from 0x%08lx to 0x%08lx: mapping a large page touches "
                    "one directory entry", i, (unsigned long)before[i], (unsigned long)pd[i]);
    KT_ASSERT_EQ(large_page_frame(LPT_VA + 5 * PAGE_SIZE + 12), lpt_a + 5);
    KT_ASSERT_EQ(large_page_unmap(LPT_VA), LP_OK);
    KT_ASSERT_EQ_HEX(*paging_pde_ptr(LPT_VA), 0);
    KT_ASSERT_EQ(large_page_frame(LPT_VA), 0);
    lpt_end();
}

/* Every offset translates to the block's frame at that offset, up to the
 * last byte; the addresses just outside fault. */
KTEST(large_page_translation_edges)
{
    static const uint32_t offsets[] = {0, PAGE_SIZE - 4, PAGE_SIZE, LP_SIZE / 2 - 4,
                                       LP_SIZE / 2, LP_SIZE - PAGE_SIZE, LP_SIZE - 4};
    lpt_begin();
    lpt_map(LPT_VA, lpt_a);
    for (unsigned int i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
        *(volatile uint32_t *)(LPT_VA + offsets[i]) = LPT_MARK_A + i;
    for (unsigned int i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        unsigned long frame = lpt_a + offsets[i] / PAGE_SIZE;
        uint32_t seen = lpt_peek(frame, offsets[i] % PAGE_SIZE);
        if (seen != LPT_MARK_A + i)
            KT_FAIL("wrote 0x%08lx at 0x%08lx (offset 0x%lx of the large page); frame %lu "
                    "holds 0x%08lx there", (unsigned long)(LPT_MARK_A + i),
                    (unsigned long)(LPT_VA + offsets[i]), (unsigned long)offsets[i], frame,
                    (unsigned long)seen);
    }
    KT_EXPECT_FAULT(VEC_PAGE_FAULT, (void)*(volatile uint32_t *)(LPT_VA + LP_SIZE));
    KT_ASSERT_EQ_HEX(ktest_last_fault()->cr2, LPT_VA + LP_SIZE);
    KT_EXPECT_FAULT(VEC_PAGE_FAULT, (void)*(volatile uint32_t *)(LPT_VA - 4));
    KT_ASSERT_EQ_HEX(ktest_last_fault()->cr2, LPT_VA - 4);
    KT_ASSERT_EQ(large_page_unmap(LPT_VA), LP_OK);
    lpt_end();
}

/* Unmapping drops the cached translation (invlpg): the address faults,
 * and mapped again to another block it shows that block, at the start and
 * deep inside the page alike. */
KTEST(large_page_tlb_remap)
{
    const uint32_t deep = 3 * LP_SIZE / 4;
    lpt_begin();
    lpt_poke(lpt_b, 0, LPT_MARK_B);
    lpt_poke(lpt_b + deep / PAGE_SIZE, 0, LPT_MARK_B + 1);
    lpt_map(LPT_VA, lpt_a);
    volatile uint32_t *p = (volatile uint32_t *)LPT_VA;
    p[0] = LPT_MARK_A;
    p[deep / 4] = LPT_MARK_A + 1;
    KT_ASSERT_EQ_HEX(p[0] + p[deep / 4], 2 * LPT_MARK_A + 1); /* both translations cached */
    KT_ASSERT_EQ(large_page_unmap(LPT_VA), LP_OK);
    KT_EXPECT_FAULT(VEC_PAGE_FAULT, (void)p[0]);
    KT_ASSERT_EQ_HEX(ktest_last_fault()->cr2, LPT_VA);
    lpt_map(LPT_VA, lpt_b);
    uint32_t first = p[0], inner = p[deep / 4];
    KT_ASSERT_EQ(large_page_unmap(LPT_VA), LP_OK);
    if (first != LPT_MARK_B || inner != LPT_MARK_B + 1)
        KT_FAIL("remapped 0x%08lx from frame %lu to frame %lu: read 0x%08lx and 0x%08lx, "
                "expected 0x%08lx and 0x%08lx%s", (unsigned long)LPT_VA, lpt_a, lpt_b,
                (unsigned long)first, (unsigned long)inner, (unsigned long)LPT_MARK_B,
                (unsigned long)LPT_MARK_B + 1,
                first == LPT_MARK_A || inner == LPT_MARK_A + 1
                    ? " (the old block: its translation stayed in the TLB; invlpg when "
                      "clearing the entry)" : "");
    lpt_end();
}

/* A large page needs no page table: mapping and touching all 4 MiB takes
 * no frame and creates no table, where 1024 small pages take one. */
KTEST(large_page_saves_tables)
{
    lpt_begin();
    const struct paging_stats *st = paging_get_stats();
    unsigned long free0 = tests_process_free(), tables0 = st->tables_created;
    unsigned long faults0 = paging_demand_faults();
    lpt_map(LPT_VA, lpt_a);
    for (uint32_t off = 0; off < LP_SIZE; off += PAGE_SIZE)
        *(volatile uint32_t *)(LPT_VA + off) = off;
    unsigned long large_frames = free0 - tests_process_free();
    KT_ASSERT_EQ(st->tables_created - tables0, 0);
    KT_ASSERT_EQ(paging_demand_faults() - faults0, 0);
    KT_ASSERT_EQ(large_page_unmap(LPT_VA), LP_OK);

    for (uint32_t i = 0; i < LP_FRAMES; i++)
        KT_ASSERT(page_table_map(paging_kernel_pt(), LPT_CHECK + i * PAGE_SIZE, lpt_b + i,
                                 PTE_WRITABLE));
    unsigned long small_frames = free0 - tests_process_free();
    KT_ASSERT_EQ(st->tables_created - tables0, 1);
    kprintf("large_page: 4 MiB mapped with one large page: %lu page-table frames; with "
            "1024 small pages: %lu\n", large_frames, small_frames);
    KT_ASSERT_EQ(large_frames, 0);
    KT_ASSERT_EQ(small_frames, 1);
    lpt_end();
}

/* Misaligned, reserved or busy requests fail and change nothing. */
KTEST(large_page_bad_requests)
{
    lpt_begin();
    KT_ASSERT(page_table_map(paging_kernel_pt(), LPT_CHECK, lpt_b, PTE_WRITABLE));
    uint32_t check_pde = *paging_pde_ptr(LPT_CHECK);
    KT_ASSERT_EQ(large_page_map(LPT_VA + PAGE_SIZE, lpt_a, PTE_WRITABLE), LP_ERR_ALIGN);
    KT_ASSERT_EQ(large_page_map(LPT_VA, lpt_a + 1, PTE_WRITABLE), LP_ERR_ALIGN);
    KT_ASSERT_EQ(large_page_map(0, lpt_a, PTE_WRITABLE), LP_ERR_RANGE);
    KT_ASSERT_EQ(large_page_map(PAGING_PT_WINDOW, lpt_a, PTE_WRITABLE), LP_ERR_RANGE);
    KT_ASSERT_EQ(large_page_map(LPT_CHECK, lpt_a, PTE_WRITABLE), LP_ERR_BUSY);
    KT_ASSERT_EQ_HEX(*paging_pde_ptr(LPT_CHECK), check_pde);
    KT_ASSERT_EQ_HEX(*paging_pde_ptr(LPT_VA), 0);
    KT_ASSERT_EQ(large_page_unmap(LPT_VA), LP_ERR_NOT_MAPPED);
    KT_ASSERT_EQ(large_page_unmap(LPT_CHECK), LP_ERR_NOT_MAPPED); /* a table, not a page */
    KT_ASSERT_EQ_HEX(*paging_pde_ptr(LPT_CHECK), check_pde);
    lpt_map(LPT_VA, lpt_a);
    KT_ASSERT_EQ(large_page_map(LPT_VA, lpt_b, PTE_WRITABLE), LP_ERR_BUSY);
    KT_ASSERT_EQ(large_page_frame(LPT_VA), lpt_a);
    KT_ASSERT_EQ(large_page_unmap(LPT_VA), LP_OK);
    lpt_end();
}
