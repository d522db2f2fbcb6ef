/* tests_paging.c: lab 3 in-kernel tests of page tables, the recursive window and the fault handler. */
#include "common/kprintf.h"
#include "common/kstring.h"
#include "common/x86.h"
#include "lab1-boot/cmdline.h"
#include "lab2-frames/frames.h"
#include "tests_support.h"

#define MIB (1024u * 1024u)

CMDLINE_NUM_KEY(probe, "address for the paging_fault_report_random test (default: random)",
                0, 0xFFFFFFFFul);

static bool in_pool(struct cont_frame_pool *pool, unsigned long frame)
{
    return cfp_find_pool(frame) == pool;
}

KTEST(paging_identity_map)
{
    static const uint32_t addrs[] = {0x0, 0x5000, 0xB8000, 0x100000, 0x200000, 0x3FF000};
    struct page_walk w;

    TESTS_REQUIRE_VM();
    KT_ASSERT(read_cr0() & CR0_PG);
    KT_ASSERT(read_cr0() & CR0_WP);
    KT_ASSERT_EQ_HEX(read_cr3() & PTE_FRAME_MASK, paging_kernel_pt()->pd_frame << PAGE_SHIFT);
    for (unsigned i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        page_table_walk(paging_kernel_pt(), addrs[i], &w);
        KT_ASSERT(w.present);
        KT_ASSERT_EQ_HEX(w.frame, addrs[i] >> PAGE_SHIFT);
        KT_ASSERT(w.pte & PTE_WRITABLE);
        KT_ASSERT(!(w.pte & PTE_USER));
        KT_ASSERT(!(w.pde & PTE_USER));
    }
    /* Nothing else is mapped by default right above 4 MiB... */
    page_table_walk(paging_kernel_pt(), TESTS_NO_POOL, &w);
    KT_ASSERT(!w.present);
}

KTEST(paging_recursive_window)
{
    volatile const uint32_t *pd = (volatile const uint32_t *)PAGING_PD_WINDOW;
    struct vm_pool *pool = tests_pool();

    /* PDE 1023 shows the directory itself, as CR3 says. */
    KT_ASSERT_EQ_HEX(pte_addr(pd[PAGING_RECURSIVE_SLOT]), read_cr3() & PTE_FRAME_MASK);
    /* The identity table seen through the window maps 0x1000 -> 0x1000. */
    KT_ASSERT_EQ_HEX(pte_addr(*paging_pte_ptr(0x1000)), 0x1000);
    /* Map a kernel-pool frame (identity-reachable) at an address of the pool. */
    unsigned long va = vm_pool_allocate(pool, 4 * PAGE_SIZE);
    KT_ASSERT(va != 0);
    unsigned long frame = cfp_get_frames(frames_kernel_pool(), 1);
    KT_ASSERT(frame != 0);
    KT_ASSERT(tests_map((uint32_t)va, frame, PTE_WRITABLE));
    /* The window's PDE and PTE agree with the walk and with the mapping. */
    struct page_walk w;
    page_table_walk(paging_kernel_pt(), (uint32_t)va, &w);
    KT_ASSERT_EQ_HEX(*paging_pde_ptr((uint32_t)va), w.pde);
    KT_ASSERT_EQ_HEX(*paging_pte_ptr((uint32_t)va), w.pte);
    KT_ASSERT_EQ_HEX(w.frame, frame);
    /* A write through VA lands in the frame (read back through identity). */
    *(volatile uint32_t *)(va + 8) = 0xC0FFEE42u;
    KT_ASSERT_EQ_HEX(*(volatile uint32_t *)((frame << PAGE_SHIFT) + 8), 0xC0FFEE42u);
    /* The table itself, seen through the window, holds that entry. */
    KT_ASSERT_EQ_HEX(pte_frame(paging_table_window(va)[paging_pt_index(va)]),
                     frame);
    page_table_unmap(paging_kernel_pt(), (uint32_t)va);
    KT_ASSERT_EQ(cfp_release_frames(frame), CFP_OK);
    tests_pools_destroy();
}

/* The classic test: 1 MiB of ints written and read back, starting at
 * 4 MiB (right after the pool's bookkeeping page). */
KTEST(paging_classic_1mib)
{
    struct vm_pool *pool = tests_pool();
    unsigned long free0 = tests_process_free();
    unsigned long faults0 = paging_demand_faults();
    unsigned long base = vm_pool_allocate(pool, MIB);
    KT_ASSERT_EQ_HEX(base, TESTS_POOL_BASE + PAGE_SIZE);
    volatile int *p = (volatile int *)base;
    unsigned n = MIB / sizeof(int);

    for (unsigned i = 0; i < n; i++)
        p[i] = (int)(i ^ 0x5A5A5A5Au);
    for (unsigned i = 0; i < n; i++)
        if (p[i] != (int)(i ^ 0x5A5A5A5Au))
            KT_FAIL("int %u at %p reads 0x%x", i, (void *)&p[i], (unsigned)p[i]);
    KT_ASSERT_EQ(paging_demand_faults() - faults0, MIB / PAGE_SIZE);
    KT_ASSERT_EQ(vm_pool_release(pool, base), VM_POOL_OK);
    KT_ASSERT_EQ(tests_process_free(), free0);
    tests_pools_destroy();
}

KTEST(paging_tables_on_demand)
{
    struct vm_pool *pool = tests_pool();
    const struct paging_stats *s = paging_get_stats();
    unsigned long base = vm_pool_allocate(pool, 16 * MIB);
    static const uint32_t touch[] = {0x00800000, 0x00C00010, 0x01000ABC};

    KT_ASSERT(base != 0);
    unsigned long created0 = s->tables_created, freed0 = s->tables_freed;
    for (unsigned i = 0; i < 3; i++) {
        KT_ASSERT(!(*paging_pde_ptr(touch[i]) & PTE_PRESENT));
        *(volatile uint8_t *)touch[i] = 7;
        uint32_t pde = *paging_pde_ptr(touch[i]);
        KT_ASSERT(pde & PTE_PRESENT);
        KT_ASSERT(in_pool(frames_process_pool(), pte_frame(pde)));
        /* The new table was zeroed: exactly one entry is in use. */
        const uint32_t *table = paging_table_window(touch[i]);
        unsigned used = 0;
        for (unsigned j = 0; j < PAGING_ENTRIES; j++)
            used += table[j] != 0;
        KT_ASSERT_EQ(used, 1);
    }
    KT_ASSERT_EQ(s->tables_created - created0, 3);
    KT_ASSERT_EQ(vm_pool_release(pool, base), VM_POOL_OK);
    KT_ASSERT_EQ(s->tables_freed - freed0, 3); /* empty tables went back */
    for (unsigned i = 0; i < 3; i++)
        KT_ASSERT(!(*paging_pde_ptr(touch[i]) & PTE_PRESENT));
    tests_pools_destroy();
}

/* Page tables come from the process pool even when the pool's pages come
 * from the kernel pool. */
KTEST(paging_tables_from_process_pool)
{
    struct vm_pool *pool = tests_kernel_frames_pool();
    unsigned long va = vm_pool_allocate(pool, 8 * PAGE_SIZE);
    KT_ASSERT(va != 0);
    *(volatile uint32_t *)(va + 3 * PAGE_SIZE) = 1;
    struct page_walk w;
    page_table_walk(paging_kernel_pt(), (uint32_t)(va + 3 * PAGE_SIZE), &w);
    KT_ASSERT(w.present);
    KT_ASSERT(in_pool(frames_kernel_pool(), w.frame));
    KT_ASSERT(in_pool(frames_process_pool(), pte_frame(w.pde)));
    /* So does the heap's table. */
    KT_ASSERT(in_pool(frames_process_pool(), pte_frame(*paging_pde_ptr(KMALLOC_HEAP_BASE))));
    tests_pools_destroy();
}

/* Every frame a fault hands out is zeroed, even when it held data before. */
KTEST(paging_new_pages_zeroed)
{
    static unsigned long grabbed[FRAMES_KERNEL_POOL_FRAMES];
    unsigned n = 0;
    struct vm_pool *pool = tests_kernel_frames_pool();
    unsigned long va = vm_pool_allocate(pool, 4 * PAGE_SIZE);
    KT_ASSERT(va != 0);
    /* Dirty every free frame of the kernel pool, then give them back. */
    for (unsigned long f; n < FRAMES_KERNEL_POOL_FRAMES &&
                          (f = cfp_get_frames(frames_kernel_pool(), 1)) != 0;)
        grabbed[n++] = f;
    for (unsigned i = 0; i < n; i++) {
        memset((void *)(grabbed[i] << PAGE_SHIFT), 0xAB, PAGE_SIZE);
        KT_ASSERT_EQ(cfp_release_frames(grabbed[i]), CFP_OK);
    }
    for (unsigned pg = 0; pg < 4; pg++) {
        const volatile uint32_t *p = (const volatile uint32_t *)(va + pg * PAGE_SIZE);
        for (unsigned i = 0; i < PAGE_SIZE / 4; i++)
            if (p[i] != 0)
                KT_FAIL("fresh page 0x%08lx: word %u is 0x%08lx, not 0",
                        va + pg * PAGE_SIZE, i, (unsigned long)p[i]);
    }
    tests_pools_destroy();
}

KTEST(paging_illegal_access_reported)
{
    volatile uint32_t *bad = (volatile uint32_t *)(TESTS_NO_POOL + 0x1234);
    TESTS_REQUIRE_VM();
    unsigned long faults0 = paging_demand_faults();

    KT_EXPECT_FAULT(VEC_PAGE_FAULT, *bad = 1);
    KT_ASSERT_EQ_HEX(ktest_last_fault()->cr2, (uint32_t)bad);
    KT_ASSERT_EQ_HEX(ktest_last_fault()->error_code & (PF_ERR_PRESENT | PF_ERR_WRITE),
                     PF_ERR_WRITE);
    KT_ASSERT_EQ(paging_demand_faults(), faults0);  /* not served */
    KT_ASSERT(!page_table_is_mapped(paging_kernel_pt(), (uint32_t)bad >> PAGE_SHIFT));
    const char *r = paging_last_report();
    KT_ASSERT(tests_contains(r, "0x30001234"));
    KT_ASSERT(tests_contains(r, "write"));
    KT_ASSERT(tests_contains(r, "not inside any VM pool"));
    KT_ASSERT(tests_contains(r, "test paging_illegal_access_reported"));
    KT_ASSERT(tests_contains(r, "ktest_fn_paging_illegal_access_reported"));
    /* A read is reported as a read. */
    KT_EXPECT_FAULT(VEC_PAGE_FAULT, (void)*bad);
    KT_ASSERT(tests_contains(paging_last_report(), "read"));
}

/* Inside a pool but outside every allocated region: not legitimate. */
KTEST(paging_unallocated_in_pool_faults)
{
    struct vm_pool *pool = tests_pool();
    unsigned long a = vm_pool_allocate(pool, 2 * PAGE_SIZE);
    unsigned long b = vm_pool_allocate(pool, 2 * PAGE_SIZE);
    KT_ASSERT(a != 0 && b != 0);
    unsigned long beyond = b + 2 * PAGE_SIZE + 16; /* free space after b */
    KT_ASSERT(!vm_pool_is_legitimate(pool, beyond));
    KT_EXPECT_FAULT(VEC_PAGE_FAULT, *(volatile int *)beyond = 1);
    KT_ASSERT_EQ_HEX(ktest_last_fault()->cr2, beyond);
    KT_ASSERT(tests_contains(paging_last_report(), "free region"));
    /* A released region is not legitimate any more either. */
    *(volatile int *)a = 5;
    KT_ASSERT_EQ(vm_pool_release(pool, a), VM_POOL_OK);
    KT_ASSERT(!vm_pool_is_legitimate(pool, a));
    KT_EXPECT_FAULT(VEC_PAGE_FAULT, (void)*(volatile int *)a);
    KT_ASSERT_EQ_HEX(ktest_last_fault()->cr2, a);
    KT_ASSERT(!page_table_is_mapped(paging_kernel_pt(), a >> PAGE_SHIFT));
    tests_pools_destroy();
}

/* Write to ADDR, which must fault and be reported; WHY names the rule. */
static void expect_reported(unsigned long addr, const char *why)
{
    if (ksetjmp(*ktest_catch_arm(VEC_PAGE_FAULT)) == 0) {
        *(volatile int *)addr = 2;
        ktest_catch_disarm();
        KT_FAIL("the write at 0x%08lx was served, not reported: %s", addr, why);
    }
    KT_ASSERT_EQ_HEX(ktest_last_fault()->cr2, addr);
}

/* The handler skips the pool search for a fault in the range where the
 * last one was served: that shortcut must end exactly at the region's
 * bounds (its free neighbours fault), leave out its guard page, and be
 * forgotten when a region is released. */
KTEST(paging_fault_range_stays_in_its_region)
{
    static const char outside[] = "a fault just outside the legitimate part of the "
                                  "region last served is not legitimate";
    struct vm_pool *pool = tests_pool();
    unsigned long before = vm_pool_allocate(pool, PAGE_SIZE);
    unsigned long g = vm_pool_allocate_guarded(pool, 2 * PAGE_SIZE);
    unsigned long after = vm_pool_allocate(pool, PAGE_SIZE);
    KT_ASSERT(before != 0 && g != 0 && after != 0);
    KT_ASSERT_EQ(vm_pool_release(pool, before), VM_POOL_OK);
    KT_ASSERT_EQ(vm_pool_release(pool, after), VM_POOL_OK);
    unsigned long bad[] = {g + 3 * PAGE_SIZE, g + 4 * PAGE_SIZE - 4, g, g + PAGE_SIZE - 4,
                           g - 4};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        *(volatile int *)(g + PAGE_SIZE + 8 * i) = 1; /* served: the range is G's */
        expect_reported(bad[i], outside);
    }
    *(volatile int *)(g + 2 * PAGE_SIZE) = 4; /* its second page: served */
    KT_ASSERT_EQ(vm_pool_release(pool, g), VM_POOL_OK);
    expect_reported(g + PAGE_SIZE + 64, "a released region is not legitimate: the "
                    "range of the last fault served is forgotten on every release");
    tests_pools_destroy();
}

/* TLB: after page_table_free_page, touching the page faults again and
 * yields a fresh zero page, not the old frame through a stale TLB entry. */
KTEST(paging_freed_page_faults_again)
{
    struct vm_pool *pool = tests_pool();
    unsigned long va = vm_pool_allocate(pool, PAGE_SIZE);
    volatile uint32_t *p = (volatile uint32_t *)va;
    KT_ASSERT(va != 0);

    unsigned long f0 = paging_demand_faults();
    p[0] = 0xDEADBEEFu;
    KT_ASSERT_EQ(paging_demand_faults() - f0, 1);
    KT_ASSERT_EQ_HEX(p[0], 0xDEADBEEFu); /* the translation is now cached */
    page_table_free_page(paging_kernel_pt(), va >> PAGE_SHIFT);
    KT_ASSERT(!page_table_is_mapped(paging_kernel_pt(), va >> PAGE_SHIFT));
    uint32_t again = p[0];
    KT_ASSERT_EQ(paging_demand_faults() - f0, 2);
    KT_ASSERT_EQ_HEX(again, 0);
    tests_pools_destroy();
}

KTEST(paging_free_page_releases_frame)
{
    struct vm_pool *pool = tests_pool();
    unsigned long va = vm_pool_allocate(pool, 2 * PAGE_SIZE);
    KT_ASSERT(va != 0);
    *(volatile int *)va = 1;
    struct page_walk w;
    page_table_walk(paging_kernel_pt(), (uint32_t)va, &w);
    KT_ASSERT(w.present);
    KT_ASSERT_EQ(cfp_frame_state(frames_process_pool(), w.frame), CFP_STATE_HEAD);
    unsigned long free0 = tests_process_free();
    page_table_free_page(paging_kernel_pt(), va >> PAGE_SHIFT);
    KT_ASSERT_EQ(cfp_frame_state(frames_process_pool(), w.frame), CFP_STATE_FREE);
    KT_ASSERT_EQ(tests_process_free(), free0 + 1);
    KT_ASSERT_EQ_HEX(*paging_pte_ptr((uint32_t)va), 0);
    tests_pools_destroy();
}

/* CR0.WP: a kernel write to a read-only page is a protection fault, reported. */
KTEST(paging_protection_fault_reported)
{
    struct vm_pool *pool = tests_pool();
    unsigned long va = vm_pool_allocate(pool, PAGE_SIZE);
    unsigned long frame = cfp_get_frames(frames_kernel_pool(), 1);
    KT_ASSERT(va != 0 && frame != 0);
    *(volatile uint32_t *)(frame << PAGE_SHIFT) = 77;
    KT_ASSERT(tests_map((uint32_t)va, frame, 0)); /* read-only */
    KT_ASSERT(read_cr0() & CR0_WP);
    KT_ASSERT_EQ(*(volatile uint32_t *)va, 77); /* reading is fine */
    unsigned long faults0 = paging_demand_faults();
    KT_EXPECT_FAULT(VEC_PAGE_FAULT, *(volatile uint32_t *)va = 78);
    KT_ASSERT_EQ_HEX(ktest_last_fault()->cr2, va);
    KT_ASSERT_EQ_HEX(ktest_last_fault()->error_code & (PF_ERR_PRESENT | PF_ERR_WRITE),
                     PF_ERR_PRESENT | PF_ERR_WRITE);
    KT_ASSERT(tests_contains(paging_last_report(), "write to a read-only page"));
    KT_ASSERT_EQ(paging_demand_faults(), faults0);
    KT_ASSERT_EQ(*(volatile uint32_t *)va, 77);
    page_table_unmap(paging_kernel_pt(), (uint32_t)va);
    KT_ASSERT_EQ(cfp_release_frames(frame), CFP_OK);
    tests_pools_destroy();
}

/* Reading a PTE through the window when the table does not exist faults:
 * the handler says which table is missing instead of mapping something. */
KTEST(paging_window_missing_table_reported)
{
    TESTS_REQUIRE_VM();
    uint32_t va = TESTS_NO_POOL + 0x00400000u;
    KT_ASSERT(!(*paging_pde_ptr(va) & PTE_PRESENT));
    KT_EXPECT_FAULT(VEC_PAGE_FAULT, (void)*paging_pte_ptr(va));
    KT_ASSERT_EQ_HEX(ktest_last_fault()->cr2, (uint32_t)(uintptr_t)paging_pte_ptr(va));
    KT_ASSERT(tests_contains(paging_last_report(), "page table for 0x30400000 does not exist"));
    KT_ASSERT(!(*paging_pde_ptr(va) & PTE_PRESENT));
}

/* A fault at an address nobody can predict (probe=ADDR, else random) is
 * reported with that exact address; the grader checks the report line. */
KTEST(paging_fault_report_random)
{
    TESTS_REQUIRE_VM();
    static unsigned long probe; /* static: survives the fault's longjmp */
    probe = cmdline_get_ulong("probe", 0);
    if (probe == 0)
        probe = TESTS_NO_POOL + ((((uint32_t)rdtsc() ^ tests_random()) % 0x0FFFF000u) & ~3u);
    KT_ASSERT(probe >= TESTS_NO_POOL && probe < TESTS_NO_POOL + 0x10000000u);
    kprintf("paging: probe address 0x%08lx\n", probe);
    KT_EXPECT_FAULT(VEC_PAGE_FAULT, (void)*(volatile const uint32_t *)probe);
    KT_ASSERT_EQ_HEX(ktest_last_fault()->cr2, probe);
    KT_ASSERT(!page_table_is_mapped(paging_kernel_pt(), probe >> PAGE_SHIFT));
}
