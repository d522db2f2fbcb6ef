/* bench_scale.c: lab 3 scaling benchmarks: VM pool allocate/release and is_legitimate with 1 to 200 regions. */
#include "common/format.h"
#include "common/x86.h"
#include "tests_support.h"

#define SCALE_ITERS 200

static const unsigned scale_regions[] = {1, 10, 25, 50, 100, 200};

/* Instructions (Bochs) per iteration of N iterations that took T. */
static unsigned long scale_per(uint64_t t, unsigned long n)
{
    return t > 0xFFFFFFFFull ? 0xFFFFFFFFul : (unsigned long)(uint32_t)t / n;
}

/* Fill a fresh pool with N one-page regions, every second one followed by a
 * one-page hole (a released region: 1.5 N + 1 slots of the table's 339), so
 * the table is not trivial; then time an allocate+release of a region that
 * fits only after all of them, and an is_legitimate of the last region. */
static void scale_measure(unsigned n)
{
    static unsigned long keep[200], hole[200];
    struct vm_pool *pool = tests_pool();
    for (unsigned i = 0; i < n; i++) {
        keep[i] = vm_pool_allocate(pool, PAGE_SIZE);
        hole[i] = i % 2 ? vm_pool_allocate(pool, PAGE_SIZE) : 0;
        KT_ASSERT(keep[i] != 0 && (i % 2 == 0 || hole[i] != 0));
    }
    for (unsigned i = 1; i < n; i += 2)
        KT_ASSERT_EQ(vm_pool_release(pool, hole[i]), VM_POOL_OK);
    char name[48];
    uint64_t t0 = rdtsc();
    for (int i = 0; i < SCALE_ITERS; i++) {
        unsigned long a = vm_pool_allocate(pool, 2 * PAGE_SIZE); /* no hole fits */
        vm_pool_release(pool, a);
    }
    uint64_t t1 = rdtsc();
    ksnprintf(name, sizeof name, "vm_pool_allocate_release_regions_n%u", n);
    ktest_metric(name, scale_per(t1 - t0, SCALE_ITERS), "insns");

    bool all = true;
    t0 = rdtsc();
    for (int i = 0; i < SCALE_ITERS; i++)
        all &= vm_pool_is_legitimate(pool, keep[n - 1]);
    t1 = rdtsc();
    KT_ASSERT(all);
    ksnprintf(name, sizeof name, "vm_pool_is_legitimate_regions_n%u", n);
    ktest_metric(name, scale_per(t1 - t0, SCALE_ITERS), "insns");
    tests_pools_destroy();
}

KBENCH(bench_scale_vm_pool_regions)
{
    TESTS_REQUIRE_VM();
    for (unsigned i = 0; i < sizeof scale_regions / sizeof scale_regions[0]; i++)
        scale_measure(scale_regions[i]);
}
