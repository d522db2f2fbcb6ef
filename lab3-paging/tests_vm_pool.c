/* tests_vm_pool.c: lab 3 in-kernel tests of VM pools: lazy regions, legitimacy, release, bad input. */
#include "common/kstring.h"
#include "lab2-frames/frames.h"
#include "tests_support.h"

#define CLASSIC_N 49 /* allocate 100*i ints for i = 1..49 */

/* Snapshot of a pool's bookkeeping, to show that bad input changes nothing. */
struct snapshot {
    int count, allocated;
    unsigned long bytes, errors;
};

static struct snapshot snap(struct vm_pool *pool)
{
    return (struct snapshot){vm_regions_count(pool->regions),
                             vm_regions_allocated_count(pool->regions),
                             vm_regions_allocated_bytes(pool->regions), pool->errors};
}

static void assert_refused(struct vm_pool *pool, struct snapshot before, int err)
{
    struct snapshot after = snap(pool);
    KT_ASSERT_EQ(pool->last_error, err);
    KT_ASSERT_EQ(after.errors, before.errors + 1);
    KT_ASSERT_EQ(after.count, before.count);
    KT_ASSERT_EQ(after.allocated, before.allocated);
    KT_ASSERT_EQ(after.bytes, before.bytes);
    KT_ASSERT(vm_regions_check(pool->regions) == NULL);
}

/* The classic test of the course: regions of 100*i ints, i = 1..49, each
 * legitimate from first to last byte, filled and verified, then released. */
KTEST(vm_pool_classic_allocations)
{
    static int *regions[CLASSIC_N + 1];
    struct vm_pool *pool = tests_pool();
    unsigned long free0 = tests_process_free();

    for (int i = 1; i <= CLASSIC_N; i++) {
        unsigned long size = 100ul * i * sizeof(int);
        regions[i] = (int *)vm_pool_allocate(pool, size);
        KT_ASSERT(regions[i] != NULL);
        KT_ASSERT(vm_pool_is_legitimate(pool, (unsigned long)regions[i]));
        KT_ASSERT(vm_pool_is_legitimate(pool, (unsigned long)regions[i] + size - 1));
        for (int j = 0; j < 100 * i; j++)
            regions[i][j] = i * 1000 + j;
    }
    for (int i = 1; i <= CLASSIC_N; i++)
        for (int j = 0; j < 100 * i; j++)
            if (regions[i][j] != i * 1000 + j)
                KT_FAIL("region %d int %d reads %d", i, j, regions[i][j]);
    for (int i = CLASSIC_N; i >= 1; i -= 2) /* odd ones first, then even */
        KT_ASSERT_EQ(vm_pool_release(pool, (unsigned long)regions[i]), VM_POOL_OK);
    for (int i = CLASSIC_N - 1; i >= 1; i -= 2)
        KT_ASSERT_EQ(vm_pool_release(pool, (unsigned long)regions[i]), VM_POOL_OK);
    KT_ASSERT_EQ(vm_regions_count(pool->regions), 1); /* all coalesced */
    KT_ASSERT_EQ(tests_process_free(), free0);
    tests_pools_destroy();
}

KTEST(vm_pool_lazy_allocation)
{
    struct vm_pool *pool = tests_pool();
    unsigned long free0 = tests_process_free(), faults0 = paging_demand_faults();
    unsigned long a = vm_pool_allocate(pool, 8 * 1024 * 1024);
    KT_ASSERT(a != 0);
    KT_ASSERT_EQ(tests_process_free(), free0); /* nothing taken yet */
    KT_ASSERT_EQ(paging_demand_faults(), faults0);
    KT_ASSERT(!page_table_is_mapped(paging_kernel_pt(), a >> PAGE_SHIFT));
    ((volatile char *)a)[0] = 1;
    ((volatile char *)a)[5 * PAGE_SIZE] = 1;
    ((volatile char *)a)[8 * 1024 * 1024 - 1] = 1;
    KT_ASSERT_EQ(paging_demand_faults() - faults0, 3);
    KT_ASSERT(free0 - tests_process_free() >= 3);
    KT_ASSERT(free0 - tests_process_free() <= 5); /* 3 pages + at most 2 tables */
    KT_ASSERT_EQ(vm_pool_release(pool, a), VM_POOL_OK);
    KT_ASSERT_EQ(tests_process_free(), free0);
    tests_pools_destroy();
}

/* Release frees exactly the pages that were touched. */
KTEST(vm_pool_release_only_mapped)
{
    struct vm_pool *pool = tests_pool();
    const struct paging_stats *s = paging_get_stats();
    unsigned long a = vm_pool_allocate(pool, 16 * PAGE_SIZE);
    KT_ASSERT(a != 0);
    unsigned long free0 = tests_process_free(), freed0 = s->pages_freed;
    static const int touched[] = {0, 5, 15};
    for (unsigned i = 0; i < 3; i++)
        *(volatile int *)(a + touched[i] * PAGE_SIZE) = 9;
    KT_ASSERT_EQ(free0 - tests_process_free(), 3);
    KT_ASSERT_EQ(vm_pool_release(pool, a), VM_POOL_OK);
    KT_ASSERT_EQ(s->pages_freed - freed0, 3);
    KT_ASSERT_EQ(tests_process_free(), free0);
    for (unsigned i = 0; i < 16; i++)
        KT_ASSERT(!page_table_is_mapped(paging_kernel_pt(), (a >> PAGE_SHIFT) + i));
    tests_pools_destroy();
}

/* Frames come back even for regions spanning several page tables. */
KTEST(vm_pool_release_returns_frames)
{
    struct vm_pool *pool = tests_pool();
    unsigned long free0 = tests_process_free();
    unsigned long a = vm_pool_allocate(pool, 3 * PAGE_SIZE);
    unsigned long b = vm_pool_allocate(pool, 12 * 1024 * 1024);
    unsigned long c = vm_pool_allocate(pool, 5 * PAGE_SIZE);
    KT_ASSERT(a && b && c);
    for (unsigned long off = 0; off < 12 * 1024 * 1024; off += 300 * 1024)
        *(volatile int *)(b + off) = 1;
    *(volatile int *)(a + PAGE_SIZE) = 1;
    *(volatile int *)(c + 4 * PAGE_SIZE) = 1;
    KT_ASSERT(tests_process_free() < free0);
    KT_ASSERT_EQ(vm_pool_release(pool, b), VM_POOL_OK);
    KT_ASSERT_EQ(vm_pool_release(pool, a), VM_POOL_OK);
    KT_ASSERT_EQ(vm_pool_release(pool, c), VM_POOL_OK);
    KT_ASSERT_EQ(tests_process_free(), free0);
    KT_ASSERT_EQ(vm_pool_mapped_pages(pool), 1); /* only the bookkeeping page */
    tests_pools_destroy();
}

KTEST(vm_pool_bookkeeping_page_legitimate)
{
    struct vm_pool *pool = tests_pool();
    KT_ASSERT(vm_pool_is_legitimate(pool, TESTS_POOL_BASE));
    KT_ASSERT(vm_pool_is_legitimate(pool, TESTS_POOL_BASE + PAGE_SIZE - 1));
    KT_ASSERT(!vm_pool_is_legitimate(pool, TESTS_POOL_BASE + PAGE_SIZE)); /* free */
    KT_ASSERT(page_table_is_mapped(paging_kernel_pt(), TESTS_POOL_BASE >> PAGE_SHIFT));
    KT_ASSERT_EQ_HEX((unsigned long)pool->regions, TESTS_POOL_BASE);
    KT_ASSERT_EQ(pool->regions->magic, VM_REGIONS_MAGIC);
    KT_ASSERT(!vm_pool_is_legitimate(pool, TESTS_POOL_BASE - 1));
    KT_ASSERT(!vm_pool_is_legitimate(pool, TESTS_POOL_BASE + TESTS_POOL_SIZE));
    tests_pools_destroy();
    KT_ASSERT(!page_table_is_mapped(paging_kernel_pt(), TESTS_POOL_BASE >> PAGE_SHIFT));
}

KTEST(vm_pool_bad_input)
{
    struct vm_pool *pool = tests_pool();
    unsigned long a = vm_pool_allocate(pool, 4 * PAGE_SIZE);
    unsigned long b = vm_pool_allocate(pool, 4 * PAGE_SIZE);
    KT_ASSERT(a && b);
    *(volatile int *)a = 1;
    struct snapshot s0 = snap(pool);

    KT_ASSERT_EQ(vm_pool_allocate(pool, 0), 0);
    assert_refused(pool, s0, VM_REGIONS_ERR_ZERO);
    s0 = snap(pool);
    KT_ASSERT_EQ(vm_pool_allocate(pool, TESTS_POOL_SIZE), 0);
    assert_refused(pool, s0, VM_REGIONS_ERR_TOO_BIG);
    s0 = snap(pool);
    KT_ASSERT_EQ(vm_pool_allocate(pool, TESTS_POOL_SIZE - 4 * PAGE_SIZE), 0);
    assert_refused(pool, s0, VM_REGIONS_ERR_NO_SPACE);
    s0 = snap(pool);
    KT_ASSERT_EQ(vm_pool_release(pool, a + PAGE_SIZE), VM_REGIONS_ERR_NOT_START);
    assert_refused(pool, s0, VM_REGIONS_ERR_NOT_START);
    s0 = snap(pool);
    KT_ASSERT_EQ(vm_pool_release(pool, a + 12), VM_REGIONS_ERR_UNALIGNED);
    assert_refused(pool, s0, VM_REGIONS_ERR_UNALIGNED);
    s0 = snap(pool);
    KT_ASSERT_EQ(vm_pool_release(pool, 0x30000000), VM_REGIONS_ERR_OUTSIDE);
    assert_refused(pool, s0, VM_REGIONS_ERR_OUTSIDE);
    s0 = snap(pool);
    KT_ASSERT_EQ(vm_pool_release(pool, b + 8 * PAGE_SIZE), VM_REGIONS_ERR_NOT_ALLOCATED);
    assert_refused(pool, s0, VM_REGIONS_ERR_NOT_ALLOCATED);
    KT_ASSERT_EQ(*(volatile int *)a, 1); /* still mapped, still intact */
    /* Double release. */
    KT_ASSERT_EQ(vm_pool_release(pool, b), VM_POOL_OK);
    s0 = snap(pool);
    KT_ASSERT_EQ(vm_pool_release(pool, b), VM_REGIONS_ERR_NOT_ALLOCATED);
    assert_refused(pool, s0, VM_REGIONS_ERR_NOT_ALLOCATED);
    KT_ASSERT_EQ(*(volatile int *)a, 1);
    tests_pools_destroy();
}

KTEST(vm_pool_coalescing)
{
    struct vm_pool *pool = tests_pool();
    unsigned long a = vm_pool_allocate(pool, PAGE_SIZE);
    unsigned long b = vm_pool_allocate(pool, 2 * PAGE_SIZE);
    unsigned long c = vm_pool_allocate(pool, 3 * PAGE_SIZE);
    KT_ASSERT_EQ(b, a + PAGE_SIZE);
    KT_ASSERT_EQ(c, b + 2 * PAGE_SIZE);
    KT_ASSERT_EQ(vm_regions_count(pool->regions), 4); /* a b c free */
    KT_ASSERT_EQ(vm_pool_release(pool, b), VM_POOL_OK);
    KT_ASSERT_EQ(vm_regions_count(pool->regions), 4); /* a free c free */
    KT_ASSERT_EQ(vm_pool_release(pool, a), VM_POOL_OK);
    KT_ASSERT_EQ(vm_regions_count(pool->regions), 3); /* free(a+b) c free */
    KT_ASSERT_EQ(vm_pool_allocate(pool, 3 * PAGE_SIZE), a); /* fits exactly */
    KT_ASSERT_EQ(vm_pool_release(pool, a), VM_POOL_OK);
    KT_ASSERT_EQ(vm_pool_release(pool, c), VM_POOL_OK);
    KT_ASSERT_EQ(vm_regions_count(pool->regions), 1);
    KT_ASSERT(vm_regions_check(pool->regions) == NULL);
    /* The whole pool is one free region again. */
    unsigned long all = vm_pool_allocate(pool, TESTS_POOL_SIZE - PAGE_SIZE);
    KT_ASSERT_EQ(all, a);
    KT_ASSERT_EQ(vm_pool_release(pool, all), VM_POOL_OK);
    tests_pools_destroy();
}

KTEST(vm_pool_region_slots_exhausted)
{
    struct vm_pool *pool = tests_pool();
    unsigned long cap = pool->regions->capacity;
    unsigned long first = 0, last = 0, n = 0;

    for (;;) {
        unsigned long a = vm_pool_allocate(pool, PAGE_SIZE);
        if (a == 0)
            break;
        first = first ? first : a;
        last = a;
        n++;
        KT_ASSERT(n <= cap);
    }
    KT_ASSERT_EQ(pool->last_error, VM_REGIONS_ERR_NO_SLOTS);
    KT_ASSERT_EQ(n, cap - 1); /* the last slot holds the free rest */
    /* Releasing never needs a slot; the freed slot serves an exact fit. */
    KT_ASSERT_EQ(vm_pool_release(pool, first + 2 * PAGE_SIZE), VM_POOL_OK);
    KT_ASSERT_EQ(vm_pool_allocate(pool, PAGE_SIZE), first + 2 * PAGE_SIZE);
    KT_ASSERT_EQ(vm_pool_allocate(pool, PAGE_SIZE), 0); /* still no slot to split */
    KT_ASSERT_EQ(pool->last_error, VM_REGIONS_ERR_NO_SLOTS);
    /* Releasing the last region merges it with the free rest: one slot back. */
    KT_ASSERT_EQ(vm_pool_release(pool, last), VM_POOL_OK);
    KT_ASSERT_EQ(vm_pool_allocate(pool, 2 * PAGE_SIZE), last);
    KT_ASSERT_EQ(vm_pool_allocate(pool, PAGE_SIZE), 0);
    KT_ASSERT_EQ(pool->last_error, VM_REGIONS_ERR_NO_SLOTS);
    KT_ASSERT(vm_regions_check(pool->regions) == NULL);
    tests_pools_destroy();
}

KTEST(vm_pool_guard_page)
{
    struct vm_pool *pool = tests_pool();
    unsigned long g = vm_pool_allocate_guarded(pool, 2 * PAGE_SIZE);
    KT_ASSERT(g != 0);
    KT_ASSERT(!vm_pool_is_legitimate(pool, g));
    KT_ASSERT(vm_pool_is_legitimate(pool, g + PAGE_SIZE));
    KT_ASSERT(vm_pool_is_legitimate(pool, g + 3 * PAGE_SIZE - 1));
    *(volatile int *)(g + PAGE_SIZE) = 3;
    KT_EXPECT_FAULT(VEC_PAGE_FAULT, *(volatile int *)(g + PAGE_SIZE - 4) = 3);
    KT_ASSERT_EQ_HEX(ktest_last_fault()->cr2, g + PAGE_SIZE - 4);
    KT_ASSERT(tests_contains(paging_last_report(), "guard page"));
    KT_ASSERT_EQ(vm_pool_release(pool, g), VM_POOL_OK);
    tests_pools_destroy();
}

KTEST(vm_pool_init_refuses_overlap)
{
    static struct vm_pool other;
    tests_pool();
    memset(&other, 0, sizeof other);
    KT_ASSERT_EQ(vm_pool_init(&other, TESTS_POOL_BASE + TESTS_POOL_SIZE - PAGE_SIZE,
                              4 * PAGE_SIZE, frames_process_pool(), paging_kernel_pt()),
                 VM_POOL_ERR_OVERLAP);
    KT_ASSERT_EQ(vm_pool_init(&other, KMALLOC_HEAP_BASE, 4 * PAGE_SIZE,
                              frames_process_pool(), paging_kernel_pt()),
                 VM_POOL_ERR_OVERLAP);
    KT_ASSERT_EQ(vm_pool_init(&other, 0x00300000, 4 * PAGE_SIZE, frames_process_pool(),
                              paging_kernel_pt()),
                 VM_POOL_ERR_RANGE);
    KT_ASSERT_EQ(vm_pool_init(&other, 0xFFB00000, 0x200000, frames_process_pool(),
                              paging_kernel_pt()),
                 VM_POOL_ERR_RANGE);
    KT_ASSERT(!vm_pool_is_live(&other));
    KT_ASSERT(page_table_pool_at(paging_kernel_pt(), 0xFFB00000) == NULL);
    tests_pools_destroy();
}
