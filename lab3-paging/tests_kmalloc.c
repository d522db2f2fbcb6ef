/* tests_kmalloc.c: lab 3 in-kernel tests of the kernel heap (kmalloc/kfree). */
#include "common/intr_level.h"
#include "common/kstring.h"
#include "lab2-frames/frames.h"
#include "tests_support.h"

#define CLASSIC_N 49

static void assert_heap_sound(void)
{
    const char *problem = kmalloc_check();
    if (problem != NULL)
        KT_FAIL("heap check: %s", problem);
}

KTEST(kmalloc_basic)
{
    static const size_t sizes[] = {1, 15, 16, 17, 100, 1000, 4000, 8191, 8192, 20000};
    void *p[sizeof sizes / sizeof sizes[0]];
    unsigned n = sizeof sizes / sizeof sizes[0];

    TESTS_REQUIRE_VM();
    unsigned long blocks0 = kmalloc_heap()->stats.blocks_in_use;
    for (unsigned i = 0; i < n; i++) {
        p[i] = kmalloc(sizes[i]);
        KT_ASSERT(p[i] != NULL);
        KT_ASSERT_EQ((uintptr_t)p[i] % 16, 0);
        KT_ASSERT(vm_pool_is_legitimate(kmalloc_pool(), (unsigned long)p[i]));
        KT_ASSERT(vm_pool_is_legitimate(kmalloc_pool(), (unsigned long)p[i] + sizes[i] - 1));
        memset(p[i], (int)(0x30 + i), sizes[i]);
    }
    for (unsigned i = 0; i < n; i++) {
        const unsigned char *c = p[i];
        for (size_t j = 0; j < sizes[i]; j++)
            if (c[j] != 0x30 + i)
                KT_FAIL("block %u byte %u overwritten", i, (unsigned)j);
        KT_ASSERT_EQ(kheap_size_of(kmalloc_heap(), p[i]), sizes[i]);
    }
    assert_heap_sound();
    for (unsigned i = 0; i < n; i++)
        kfree(p[i]);
    KT_ASSERT_EQ(kmalloc_heap()->stats.blocks_in_use, blocks0);
    KT_ASSERT(kmalloc(0) == NULL);
    assert_heap_sound();
}

/* Small allocations share pages: 256 blocks of 24 bytes fit in a few pages. */
KTEST(kmalloc_packing)
{
    static void *p[256];
    TESTS_REQUIRE_VM();
    unsigned long pages0 = vm_pool_mapped_pages(kmalloc_pool());
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (unsigned i = 0; i < 256; i++) {
        p[i] = kmalloc(24);
        KT_ASSERT(p[i] != NULL);
        *(volatile uint32_t *)p[i] = i;
        lo = (uintptr_t)p[i] < lo ? (uintptr_t)p[i] : lo;
        hi = (uintptr_t)p[i] > hi ? (uintptr_t)p[i] : hi;
    }
    unsigned long pages = vm_pool_mapped_pages(kmalloc_pool()) - pages0;
    /* 256 * 48 bytes = 3 pages (4 if they straddle one), plus the arena's
     * last page (its end sentinel) if this test made the first arena. */
    KT_ASSERT(pages <= 5);
    KT_ASSERT(hi - lo < 64 * 1024);    /* all in one arena */
    for (unsigned i = 0; i < 256; i++) {
        KT_ASSERT_EQ(*(volatile uint32_t *)p[i], i);
        kfree(p[i]);
    }
    assert_heap_sound();
}

/* The classic VM pool test again, through kmalloc. */
KTEST(kmalloc_classic_allocations)
{
    static int *regions[CLASSIC_N + 1];
    TESTS_REQUIRE_VM();
    struct kheap_stats s0 = kmalloc_heap()->stats;
    for (int i = 1; i <= CLASSIC_N; i++) {
        regions[i] = kmalloc(100ul * i * sizeof(int));
        KT_ASSERT(regions[i] != NULL);
        KT_ASSERT(vm_pool_is_legitimate(kmalloc_pool(), (unsigned long)regions[i]));
        for (int j = 0; j < 100 * i; j++)
            regions[i][j] = i * 1000 + j;
    }
    assert_heap_sound();
    for (int i = 1; i <= CLASSIC_N; i++)
        for (int j = 0; j < 100 * i; j++)
            if (regions[i][j] != i * 1000 + j)
                KT_FAIL("block %d int %d reads %d", i, j, regions[i][j]);
    for (int i = 1; i <= CLASSIC_N; i += 2)
        kfree(regions[i]);
    for (int i = 2; i <= CLASSIC_N; i += 2)
        kfree(regions[i]);
    struct kheap_stats s1 = kmalloc_heap()->stats;
    KT_ASSERT_EQ(s1.blocks_in_use, s0.blocks_in_use);
    KT_ASSERT_EQ(s1.bytes_requested, s0.bytes_requested);
    KT_ASSERT_EQ(s1.large_arenas, s0.large_arenas);
    assert_heap_sound();
}

KTEST(kmalloc_free_null)
{
    TESTS_REQUIRE_VM();
    struct kheap_stats s0 = kmalloc_heap()->stats;
    kfree(NULL);
    KT_ASSERT_EQ(kmalloc_heap()->stats.bad_frees, s0.bad_frees);
    KT_ASSERT_EQ(kmalloc_heap()->stats.blocks_in_use, s0.blocks_in_use);
}

KTEST(kmalloc_double_free_reported)
{
    TESTS_REQUIRE_VM();
    char *a = kmalloc(40), *b = kmalloc(40), *c = kmalloc(40);
    KT_ASSERT(a && b && c);
    memset(c, 0x77, 40);
    kfree(b);
    unsigned long bad0 = kmalloc_heap()->stats.bad_frees;
    unsigned long blocks0 = kmalloc_heap()->stats.blocks_in_use;
    kfree(b);
    KT_ASSERT_EQ(kmalloc_heap()->stats.bad_frees, bad0 + 1);
    KT_ASSERT_EQ(kmalloc_heap()->last_error, KHEAP_ERR_DOUBLE_FREE);
    KT_ASSERT_EQ(kmalloc_heap()->stats.blocks_in_use, blocks0);
    assert_heap_sound();
    /* After coalescing with a free neighbour, still caught. */
    kfree(a);
    kfree(a);
    KT_ASSERT_EQ(kmalloc_heap()->stats.bad_frees, bad0 + 2);
    assert_heap_sound();
    for (int i = 0; i < 40; i++)
        KT_ASSERT_EQ((unsigned char)c[i], 0x77);
    kfree(c);
    assert_heap_sound();
}

KTEST(kmalloc_foreign_pointer_reported)
{
    int on_stack = 0;
    TESTS_REQUIRE_VM();
    char *p = kmalloc(64);
    KT_ASSERT(p != NULL);
    unsigned long bad0 = kmalloc_heap()->stats.bad_frees;
    unsigned long blocks0 = kmalloc_heap()->stats.blocks_in_use;

    kfree(&on_stack);
    KT_ASSERT_EQ(kmalloc_heap()->last_error, KHEAP_ERR_FOREIGN);
    kfree((void *)0x1000);
    KT_ASSERT_EQ(kmalloc_heap()->last_error, KHEAP_ERR_FOREIGN);
    kfree(p + 16); /* interior */
    KT_ASSERT_EQ(kmalloc_heap()->last_error, KHEAP_ERR_NOT_BLOCK);
    kfree(p + 3); /* misaligned */
    KT_ASSERT_EQ(kmalloc_heap()->last_error, KHEAP_ERR_NOT_BLOCK);
    KT_ASSERT_EQ(kmalloc_heap()->stats.bad_frees, bad0 + 4);
    KT_ASSERT_EQ(kmalloc_heap()->stats.blocks_in_use, blocks0);
    assert_heap_sound();
    kfree(p);
    assert_heap_sound();
}

/* Large blocks get pages of their own, paged in lazily and given back. */
KTEST(kmalloc_large_whole_pages)
{
    TESTS_REQUIRE_VM();
    unsigned long free0 = tests_process_free();
    unsigned long faults0 = paging_demand_faults();
    char *p = kmalloc(256 * 1024);
    KT_ASSERT(p != NULL);
    KT_ASSERT_EQ(kmalloc_heap()->stats.large_arenas >= 1, 1);
    unsigned long after_alloc = paging_demand_faults() - faults0;
    KT_ASSERT(after_alloc <= 2); /* only the header page (and maybe a table) */
    p[128 * 1024] = 1;
    p[256 * 1024 - 1] = 2;
    KT_ASSERT_EQ(paging_demand_faults() - faults0, after_alloc + 2);
    kfree(p);
    KT_ASSERT_EQ(tests_process_free(), free0);
    KT_ASSERT(!vm_pool_is_legitimate(kmalloc_pool(), (unsigned long)p));
    assert_heap_sound();
}

KTEST(kmalloc_keeps_interrupt_level)
{
    TESTS_REQUIRE_VM();
    KT_ASSERT_EQ(intr_get_level(), INTR_ON);
    void *p = kmalloc(100);
    KT_ASSERT_EQ(intr_get_level(), INTR_ON);
    kfree(p);
    KT_ASSERT_EQ(intr_get_level(), INTR_ON);
    enum intr_level old = intr_disable();
    p = kmalloc(100);
    kfree(p);
    KT_ASSERT_EQ(intr_get_level(), INTR_OFF);
    intr_set_level(old);
}

/* Random allocate/free with contents checked: nothing overlaps or leaks. */
KTEST(kmalloc_random_stress)
{
    enum { SLOTS = 64, STEPS = 2000 };
    static unsigned char *blk[SLOTS];
    static size_t len[SLOTS];
    TESTS_REQUIRE_VM();
    unsigned long blocks0 = kmalloc_heap()->stats.blocks_in_use;

    for (int step = 0; step < STEPS; step++) {
        unsigned i = tests_random() % SLOTS;
        if (blk[i] != NULL) {
            for (size_t j = 0; j < len[i]; j++)
                if (blk[i][j] != (unsigned char)(i + len[i]))
                    KT_FAIL("step %d: block %u byte %u overwritten", step, i, (unsigned)j);
            kfree(blk[i]);
            blk[i] = NULL;
            continue;
        }
        uint32_t r = tests_random();
        len[i] = (r & 7) == 0 ? 4096 + r % 20000 : 1 + r % 600;
        blk[i] = kmalloc(len[i]);
        KT_ASSERT(blk[i] != NULL);
        memset(blk[i], (int)(i + len[i]), len[i]);
    }
    assert_heap_sound();
    for (unsigned i = 0; i < SLOTS; i++) {
        kfree(blk[i]);
        blk[i] = NULL;
    }
    KT_ASSERT_EQ(kmalloc_heap()->stats.blocks_in_use, blocks0);
    assert_heap_sound();
}

/* A one-page source for a private heap: the page once, then nothing. */
static uint8_t split_page[4096] __attribute__((aligned(4096)));
static int split_gets;

static void *split_get(size_t bytes, void *ctx)
{
    (void)ctx;
    if (bytes != sizeof split_page || split_gets > 0)
        return NULL;
    split_gets++;
    return split_page;
}

static void split_put(void *mem, size_t bytes, void *ctx)
{
    (void)mem, (void)bytes, (void)ctx;
    split_gets--;
}

/* A split keeps the rest whenever it can hold a free block (a header and
 * the free-list links: 32 bytes, the block of a 1..16-byte request): in a
 * one-arena heap, after a block that leaves exactly 32 bytes of the free
 * block, a 16-byte request is still served from them. */
KTEST(kmalloc_split_keeps_smallest_rest)
{
    enum { SMALLEST = 2 * KHEAP_BLOCK_HDR };
    static struct kheap h;
    const struct kheap_source src = {split_get, split_put, NULL};
    split_gets = 0;
    kheap_init(&h, &src, sizeof split_page, sizeof split_page - 96, sizeof split_page);
    uint8_t *a = kheap_alloc(&h, 16);
    KT_ASSERT(a != NULL);
    /* The one free block left: the arena less its header, the end
     * sentinel's header and A's block. */
    size_t room = sizeof split_page - KHEAP_ARENA_HDR - KHEAP_BLOCK_HDR - SMALLEST;
    uint8_t *b = kheap_alloc(&h, room - SMALLEST - KHEAP_BLOCK_HDR);
    KT_ASSERT(b != NULL);
    const char *problem = kheap_check(&h);
    if (problem != NULL)
        KT_FAIL("heap check after the split: %s", problem);
    uint8_t *c = kheap_alloc(&h, 16);
    if (c == NULL)
        KT_FAIL("a %u-byte block left exactly %u bytes of a %u-byte free block, "
                "enough for a free block, but a 16-byte request then failed: "
                "split whenever the rest can hold a free block (>=, not >)",
                (unsigned)(room - SMALLEST), (unsigned)SMALLEST, (unsigned)room);
    /* C's block is the rest, next to B's (before it or after it). */
    KT_ASSERT(c == b - SMALLEST || c == b + (room - SMALLEST));
    KT_ASSERT_EQ(split_gets, 1);
    problem = kheap_check(&h);
    if (problem != NULL)
        KT_FAIL("heap check: %s", problem);
    KT_ASSERT_EQ(kheap_free(&h, b), KHEAP_OK);
    KT_ASSERT_EQ(kheap_free(&h, a), KHEAP_OK);
    KT_ASSERT_EQ(kheap_free(&h, c), KHEAP_OK);
    problem = kheap_check(&h);
    if (problem != NULL)
        KT_FAIL("heap check after freeing all: %s", problem);
    KT_ASSERT_EQ(kheap_destroy(&h), KHEAP_OK);
    KT_ASSERT_EQ(split_gets, 0);
}
