/* test_umalloc.c: host unit tests of the user library's malloc/free (user/lib/malloc.c) over a fake
 * SYS_MEM_ALLOC made of mmap'd pages: blocks disjoint and aligned, reuse, merging, large blocks
 * returned, out of memory, a random workload against a model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include <cmocka.h>

/* malloc.c's functions, renamed by this test's CFLAGS so the host's stay (host.mk). */
void *umalloc(size_t size);
void *ucalloc(size_t n, size_t size);
void ufree(void *p);

/* ---- The fake kernel ---- */
static unsigned regions_live, region_calls, region_limit = 1000000;
#define MAX_REGIONS 256
static struct { void *start; size_t size; } regions[MAX_REGIONS];
static jmp_buf exit_jump;
static int exit_status;

void *mem_alloc(unsigned size)
{
    if (region_calls >= region_limit)
        return NULL;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    region_calls++;
    regions_live++;
    for (int i = 0; i < MAX_REGIONS; i++)
        if (regions[i].start == NULL) {
            regions[i].start = p;
            regions[i].size = size;
            return p;
        }
    fail_msg("the fake kernel's region table is full");
    return NULL;
}

int mem_free(void *start)
{
    for (int i = 0; i < MAX_REGIONS; i++)
        if (regions[i].start == start) {
            assert_int_equal(munmap(start, regions[i].size), 0);
            regions[i].start = NULL;
            regions_live--;
            return 0;
        }
    fail_msg("mem_free(%p): not the start of a region mem_alloc gave", start);
    return -1;
}

int udprintf(int fd, const char *fmt, ...)
{
    (void)fd, (void)fmt;
    return 0;
}

void uexit(int status)
{
    exit_status = status;
    longjmp(exit_jump, 1);
}

static void reset(void)
{
    region_calls = 0;
    region_limit = 1000000;
}

/* ---- Tests ---- */
static void test_small_blocks_disjoint_aligned(void **state)
{
    (void)state;
    enum { N = 300 };
    static uint8_t *p[N];
    static size_t len[N];
    for (int i = 0; i < N; i++) {
        len[i] = 1 + (size_t)(i * 37) % 700;
        p[i] = umalloc(len[i]);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % 8, 0);
        memset(p[i], i & 0xFF, len[i]);
    }
    for (int i = 0; i < N; i++)
        for (size_t k = 0; k < len[i]; k++)
            if (p[i][k] != (i & 0xFF))
                fail_msg("block %d byte %zu overwritten: blocks must not overlap", i, k);
    for (int i = 0; i < N; i++)
        ufree(p[i]);
}

static void test_freed_memory_is_reused(void **state)
{
    (void)state;
    void *p[40];
    for (int i = 0; i < 40; i++)
        p[i] = umalloc(200);
    unsigned before = region_calls;
    for (int i = 0; i < 40; i++)
        ufree(p[i]);
    for (int i = 0; i < 40; i++)
        assert_non_null(p[i] = umalloc(200));
    assert_int_equal(region_calls, before); /* no new arena: the freed blocks served */
    for (int i = 0; i < 40; i++)
        ufree(p[i]);
}

static void test_neighbours_merge(void **state)
{
    (void)state;
    /* Use up the free memory earlier tests left, until a fresh arena comes; fill it with
     * 1000-byte blocks (15 to free, a 16th kept at its end) and free the even ones, then
     * the odd ones: each odd block merges with the block before and after it only if
     * merging works in both directions; else the runs are at most 2 blocks, and a
     * 3500-byte block (4 blocks' room) needs another arena. */
    static void *held[1024];
    unsigned n = 0, calls = region_calls;
    while (region_calls == calls && n < 1024)
        assert_non_null(held[n++] = umalloc(1000));
    assert_int_equal(region_calls, calls + 1);
    void *p[16];
    p[0] = held[--n];
    for (int i = 1; i < 16; i++)
        assert_non_null(p[i] = umalloc(1000));
    assert_int_equal(region_calls, calls + 1); /* all 16 in the one fresh arena */
    for (int i = 0; i < 15; i += 2)
        ufree(p[i]);
    for (int i = 1; i < 15; i += 2)
        ufree(p[i]);
    void *big = umalloc(3500);
    assert_non_null(big);
    if (region_calls != calls + 1)
        fail_msg("15 adjacent freed blocks must merge (with the block before and after) into room for a 3500-byte block");
    ufree(big);
    ufree(p[15]);
    while (n > 0)
        ufree(held[--n]);
}

static void test_large_blocks_own_region(void **state)
{
    (void)state;
    unsigned live = regions_live;
    char *a = umalloc(3000 * 4);
    assert_non_null(a);
    assert_int_equal(regions_live, live + 1);
    memset(a, 1, 3000 * 4);
    ufree(a);
    assert_int_equal(regions_live, live); /* given back to the kernel */
}

static void test_calloc_and_bounds(void **state)
{
    (void)state;
    uint8_t *z = ucalloc(100, 7);
    assert_non_null(z);
    for (int i = 0; i < 700; i++)
        assert_int_equal(z[i], 0);
    ufree(z);
    assert_null(ucalloc(0x10000, 0x10000)); /* n * size overflows */
    assert_null(umalloc(0));
    volatile size_t huge = (size_t)-1; /* opaque: gcc refuses a constant this large */
    assert_null(umalloc(huge));
    ufree(NULL);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    reset();
    region_limit = 0;
    assert_null(umalloc(20000)); /* large: its region is refused */
    void *held[200];
    int n = 0;
    while (n < 200 && (held[n] = umalloc(900)) != NULL) /* small: until the arenas run out */
        n++;
    assert_true(n < 200);
    while (n > 0)
        ufree(held[--n]);
    reset();
}

static void test_bad_free_ends_program(void **state)
{
    (void)state;
    char *p = umalloc(64);
    ufree(p);
    if (setjmp(exit_jump) == 0) {
        ufree(p); /* twice */
        fail_msg("freeing a block twice must end the program");
    }
    assert_int_equal(exit_status, 127);
}

static uint32_t seed = 99;
static uint32_t rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

static void test_random_workload(void **state)
{
    (void)state;
    enum { SLOTS = 64 };
    uint8_t *p[SLOTS] = {0};
    size_t len[SLOTS] = {0};
    for (int step = 0; step < 20000; step++) {
        int i = rnd() % SLOTS;
        if (p[i] != NULL) {
            for (size_t k = 0; k < len[i]; k++)
                if (p[i][k] != (uint8_t)(i + k))
                    fail_msg("step %d: block %d changed while allocated", step, i);
            ufree(p[i]);
            p[i] = NULL;
        } else {
            len[i] = 1 + rnd() % (rnd() % 8 == 0 ? 9000 : 600);
            p[i] = umalloc(len[i]);
            assert_non_null(p[i]);
            for (size_t k = 0; k < len[i]; k++)
                p[i][k] = (uint8_t)(i + k);
        }
    }
    for (int i = 0; i < SLOTS; i++)
        ufree(p[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_blocks_disjoint_aligned),
        cmocka_unit_test(test_freed_memory_is_reused),
        cmocka_unit_test(test_neighbours_merge),
        cmocka_unit_test(test_large_blocks_own_region),
        cmocka_unit_test(test_calloc_and_bounds),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_bad_free_ends_program),
        cmocka_unit_test(test_random_workload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
