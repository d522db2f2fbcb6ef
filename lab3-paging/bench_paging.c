/* bench_paging.c: lab 3 benchmarks: demand-zero fault, page free, VM pool and kmalloc costs (KMETRIC lines). */
#include "common/x86.h"
#include "lab2-frames/frames.h"
#include "tests_support.h"

#define BENCH_PAGES 256 /* 1 MiB: one page table */
#define BENCH_ITERS 1000

/* Instructions (Bochs, QEMU -icount) or cycles per iteration of a loop of
 * N iterations that took T. */
static unsigned long per(uint64_t t, unsigned long n)
{
    /* No 64-bit division in a freestanding kernel: these runs are far
     * shorter than 2^32 instructions. */
    return t > 0xFFFFFFFFull ? 0xFFFFFFFFul : (unsigned long)(uint32_t)t / n;
}

KBENCH(bench_page_fault_demand_zero)
{
    struct vm_pool *pool = tests_pool();
    unsigned long a = vm_pool_allocate(pool, (BENCH_PAGES + 1) * PAGE_SIZE);
    KT_ASSERT(a != 0);
    *(volatile int *)a = 0; /* the page table exists before timing */
    unsigned long f0 = paging_demand_faults();
    uint64_t t0 = rdtsc();
    for (unsigned long i = 1; i <= BENCH_PAGES; i++)
        *(volatile int *)(a + i * PAGE_SIZE) = 1;
    uint64_t t1 = rdtsc();
    KT_ASSERT_EQ(paging_demand_faults() - f0, BENCH_PAGES);
    ktest_metric("page_fault_demand_zero", per(t1 - t0, BENCH_PAGES), "insns");

    t0 = rdtsc();
    for (unsigned long i = 1; i <= BENCH_PAGES; i++)
        page_table_free_page(paging_kernel_pt(), (a >> PAGE_SHIFT) + i);
    t1 = rdtsc();
    ktest_metric("page_free_invlpg", per(t1 - t0, BENCH_PAGES), "insns");
    KT_ASSERT_EQ(vm_pool_release(pool, a), VM_POOL_OK);
    tests_pools_destroy();
}

KBENCH(bench_vm_pool_allocate_release)
{
    struct vm_pool *pool = tests_pool();
    unsigned long keep[8];
    for (int i = 0; i < 8; i++) /* a few regions, so lists are not trivial */
        keep[i] = vm_pool_allocate(pool, (unsigned long)(i + 1) * PAGE_SIZE);
    uint64_t t0 = rdtsc();
    for (int i = 0; i < BENCH_ITERS; i++) {
        unsigned long a = vm_pool_allocate(pool, 4 * PAGE_SIZE);
        vm_pool_release(pool, a);
    }
    uint64_t t1 = rdtsc();
    ktest_metric("vm_pool_allocate_release", per(t1 - t0, BENCH_ITERS), "insns");
    for (int i = 0; i < 8; i++)
        vm_pool_release(pool, keep[i]);
    tests_pools_destroy();
}

KBENCH(bench_kmalloc_kfree)
{
    static void *live[32];
    TESTS_REQUIRE_VM();
    for (int i = 0; i < 32; i++) /* some live blocks, pages already faulted in */
        live[i] = kmalloc((size_t)(16 + 24 * i));
    void *warm = kmalloc(64);
    kfree(warm);
    uint64_t t0 = rdtsc();
    for (int i = 0; i < BENCH_ITERS; i++)
        kfree(kmalloc(64));
    uint64_t t1 = rdtsc();
    ktest_metric("kmalloc_kfree", per(t1 - t0, BENCH_ITERS), "insns");
    for (int i = 0; i < 32; i++)
        kfree(live[i]);
}
