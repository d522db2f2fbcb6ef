/* test_kheap.c: host unit tests of kheap.c (the kernel heap's arenas and block lists). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/host_tests/host_support.h"
#include "lab3-paging/kheap.h"

#define PG 4096u
#define ARENA (16u * PG)
#define LARGE_MIN 8192u

/* Source: aligned_alloc, with a budget and a count of what is outstanding. */
static int chunks_out, n_gets, n_puts, budget;

static void *src_get(size_t bytes, void *ctx)
{
    (void)ctx;
    assert_int_equal(bytes % PG, 0);
    if (budget == 0)
        return NULL;
    budget--;
    n_gets++;
    chunks_out++;
    void *p = aligned_alloc(PG, bytes);
    assert_non_null(p);
    memset(p, 0xEE, bytes); /* garbage, as recycled memory would be */
    return p;
}

static void src_put(void *mem, size_t bytes, void *ctx)
{
    (void)ctx, (void)bytes;
    n_puts++;
    chunks_out--;
    free(mem);
}

static const struct kheap_source src = {src_get, src_put, NULL};

static struct kheap *new_heap(void)
{
    static struct kheap h;
    chunks_out = n_gets = n_puts = 0;
    budget = 1000;
    kheap_init(&h, &src, ARENA, LARGE_MIN, PG);
    host_clear_log();
    return &h;
}

static void assert_sound(struct kheap *h)
{
    const char *problem = kheap_check(h);
    if (problem != NULL)
        fail_msg("heap broken: %s", problem);
}

/* Free everything still in H's arenas is up to the test; this checks that
 * at most the one kept arena remains. */
static void assert_drained(struct kheap *h)
{
    assert_int_equal(h->stats.blocks_in_use, 0);
    assert_int_equal(h->stats.bytes_requested, 0);
    assert_int_equal(h->stats.large_arenas, 0);
    assert_true(h->stats.small_arenas <= 1);
    assert_int_equal(chunks_out, (int)h->stats.small_arenas);
    assert_sound(h);
    assert_int_equal(kheap_destroy(h), KHEAP_OK);
    assert_int_equal(chunks_out, 0);
}

static void test_basic(void **state)
{
    (void)state;
    struct kheap *h = new_heap();
    assert_null(kheap_alloc(h, 0));
    char *a = kheap_alloc(h, 1), *b = kheap_alloc(h, 100), *c = kheap_alloc(h, 5000);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_int_equal((uintptr_t)a % KHEAP_ALIGN, 0);
    assert_int_equal((uintptr_t)b % KHEAP_ALIGN, 0);
    assert_int_equal((uintptr_t)c % KHEAP_ALIGN, 0);
    memset(a, 1, 1);
    memset(b, 2, 100);
    memset(c, 3, 5000);
    assert_int_equal(kheap_size_of(h, b), 100);
    assert_int_equal(h->stats.blocks_in_use, 3);
    assert_int_equal(h->stats.bytes_requested, 5101);
    assert_int_equal(n_gets, 1); /* all three in one arena */
    assert_sound(h);
    assert_int_equal(kheap_free(h, b), KHEAP_OK);
    assert_int_equal(kheap_free(h, a), KHEAP_OK);
    assert_int_equal(kheap_free(h, c), KHEAP_OK);
    assert_int_equal(kheap_free(h, NULL), KHEAP_OK);
    assert_drained(h);
    assert_string_equal(host_last_log(), ""); /* nothing reported */
}

static void test_packing(void **state)
{
    (void)state;
    struct kheap *h = new_heap();
    static char *p[300];
    for (int i = 0; i < 300; i++) {
        p[i] = kheap_alloc(h, 24);
        assert_non_null(p[i]);
        if (i > 0) /* consecutive small blocks are 48 bytes apart */
            assert_int_equal(p[i - 1] - p[i] == 48 || p[i] - p[i - 1] == 48, 1);
    }
    assert_int_equal(n_gets, 1);
    for (int i = 0; i < 300; i++)
        assert_int_equal(kheap_free(h, p[i]), KHEAP_OK);
    assert_drained(h);
}

static void test_split_and_coalesce(void **state)
{
    (void)state;
    struct kheap *h = new_heap();
    char *a = kheap_alloc(h, 100), *b = kheap_alloc(h, 100), *c = kheap_alloc(h, 100);
    char *guard = kheap_alloc(h, 100);
    /* Neighbours, 128 bytes apart (split from either end of a free block). */
    assert_true(b - a == 128 || a - b == 128);
    assert_int_equal(c - b, b - a);
    assert_int_equal(kheap_free(h, a), KHEAP_OK);
    assert_int_equal(kheap_free(h, c), KHEAP_OK);
    assert_sound(h);
    assert_int_equal(kheap_free(h, b), KHEAP_OK); /* merges with both */
    assert_sound(h);
    /* a+b+c is one free block of 384 bytes: 368 payload bytes fit at its
     * start, the lower of a and c. */
    char *big = kheap_alloc(h, 368);
    assert_ptr_equal(big, a < c ? a : c);
    assert_int_equal(kheap_free(h, big), KHEAP_OK);
    assert_int_equal(kheap_free(h, guard), KHEAP_OK);
    assert_drained(h);
}

static void test_large(void **state)
{
    (void)state;
    struct kheap *h = new_heap();
    char *p = kheap_alloc(h, LARGE_MIN);
    assert_non_null(p);
    assert_int_equal(h->stats.large_arenas, 1);
    assert_int_equal(h->stats.small_arenas, 0);
    memset(p, 9, LARGE_MIN);
    char *q = kheap_alloc(h, 100000);
    assert_non_null(q);
    memset(q, 8, 100000);
    assert_int_equal(n_gets, 2);
    assert_sound(h);
    assert_int_equal(kheap_free(h, p), KHEAP_OK);
    assert_int_equal(n_puts, 1);
    assert_int_equal(kheap_free(h, q), KHEAP_OK);
    assert_int_equal(n_puts, 2);
    assert_null(kheap_alloc(h, SIZE_MAX - 10)); /* overflow refused */
    assert_drained(h);
}

/* An arena left empty goes back, except the last small one. */
static void test_arena_return(void **state)
{
    (void)state;
    struct kheap *h = new_heap();
    static char *p[100];
    for (int i = 0; i < 100; i++) /* 100 * 2 KiB: needs 4 arenas */
        assert_non_null(p[i] = kheap_alloc(h, 2000));
    assert_true(h->stats.small_arenas >= 4);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(kheap_free(h, p[i]), KHEAP_OK);
        assert_sound(h); /* an arena is returned as soon as it is empty */
    }
    assert_int_equal(h->stats.small_arenas, 1);
    assert_drained(h);
}

static void expect_refused(struct kheap *h, void *p, int err, const char *text)
{
    struct kheap_stats before = h->stats;
    host_clear_log();
    assert_int_equal(kheap_free(h, p), err);
    assert_int_equal(h->last_error, err);
    assert_true(host_log_contains("kheap: kfree("));
    assert_true(host_log_contains(text));
    assert_int_equal(h->stats.blocks_in_use, before.blocks_in_use);
    assert_int_equal(h->stats.bytes_requested, before.bytes_requested);
    assert_int_equal(h->stats.bad_frees, before.bad_frees + 1);
    assert_sound(h);
}

static void test_bad_frees(void **state)
{
    (void)state;
    struct kheap *h = new_heap();
    int local;
    char *a = kheap_alloc(h, 64), *b = kheap_alloc(h, 64), *c = kheap_alloc(h, 64);
    char *big = kheap_alloc(h, 20000);
    memset(c, 0x5C, 64);
    expect_refused(h, &local, KHEAP_ERR_FOREIGN, "foreign");
    expect_refused(h, (void *)16, KHEAP_ERR_FOREIGN, "foreign");
    expect_refused(h, a + 16, KHEAP_ERR_NOT_BLOCK, "not the start");
    expect_refused(h, a + 1, KHEAP_ERR_NOT_BLOCK, "not the start");
    expect_refused(h, big + 4096, KHEAP_ERR_NOT_BLOCK, "not the start");
    assert_int_equal(kheap_free(h, b), KHEAP_OK);
    expect_refused(h, b, KHEAP_ERR_DOUBLE_FREE, "double free");
    assert_int_equal(kheap_free(h, a), KHEAP_OK); /* a merges with b */
    expect_refused(h, b, KHEAP_ERR_DOUBLE_FREE, "double free");
    expect_refused(h, a, KHEAP_ERR_DOUBLE_FREE, "double free");
    for (int i = 0; i < 64; i++)
        assert_int_equal((unsigned char)c[i], 0x5C);
    assert_int_equal(kheap_free(h, big), KHEAP_OK);
    expect_refused(h, big, KHEAP_ERR_FOREIGN, "foreign"); /* its arena is gone */
    assert_int_equal(kheap_free(h, c), KHEAP_OK);
    assert_drained(h);
    for (int e = 0; e >= -3; e--)
        assert_non_null(kheap_strerror(e));
}

static void test_source_exhausted(void **state)
{
    (void)state;
    struct kheap *h = new_heap();
    budget = 1;
    char *a = kheap_alloc(h, 30000 / 4);
    assert_non_null(a);
    assert_null(kheap_alloc(h, 60000)); /* large: no more source */
    static char *p[64];
    int n = 0;
    while (n < 64 && (p[n] = kheap_alloc(h, 4000)) != NULL)
        n++;
    assert_true(n > 0 && n < 64); /* filled the one arena, then NULL */
    assert_sound(h);
    for (int i = 0; i < n; i++)
        assert_int_equal(kheap_free(h, p[i]), KHEAP_OK);
    assert_int_equal(kheap_free(h, a), KHEAP_OK);
    assert_drained(h);
}

static void test_check_finds_corruption(void **state)
{
    (void)state;
    struct kheap *h = new_heap();
    char *a = kheap_alloc(h, 40), *b = kheap_alloc(h, 40);
    assert_sound(h);
    uint32_t saved;
    memcpy(&saved, b - 12, 4); /* b's header: size field */
    uint32_t bogus = 999;
    memcpy(b - 12, &bogus, 4);
    assert_non_null(kheap_check(h));
    memcpy(b - 12, &saved, 4);
    assert_sound(h);
    kheap_free(h, a);
    kheap_free(h, b);
    assert_drained(h);
}

static void test_random(void **state)
{
    (void)state;
    enum { SLOTS = 128 };
    static unsigned char *blk[SLOTS];
    static size_t len[SLOTS];
    for (unsigned seed = 1; seed <= 8; seed++) {
        struct kheap *h = new_heap();
        srand(seed);
        for (int step = 0; step < 6000; step++) {
            int i = rand() % SLOTS;
            if (blk[i] != NULL) {
                for (size_t j = 0; j < len[i]; j++)
                    if (blk[i][j] != (unsigned char)(i ^ len[i]))
                        fail_msg("seed %u step %d: block %d overwritten", seed, step, i);
                assert_int_equal(kheap_free(h, blk[i]), KHEAP_OK);
                blk[i] = NULL;
            } else {
                len[i] = rand() % 8 == 0 ? 1 + (size_t)rand() % 40000 : 1 + (size_t)rand() % 1000;
                blk[i] = kheap_alloc(h, len[i]);
                assert_non_null(blk[i]);
                memset(blk[i], (int)(i ^ len[i]) & 0xFF, len[i]);
            }
            if (step % 500 == 0)
                assert_sound(h);
        }
        for (int i = 0; i < SLOTS; i++) {
            assert_int_equal(kheap_free(h, blk[i]), KHEAP_OK);
            blk[i] = NULL;
        }
        assert_drained(h);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_packing),
        cmocka_unit_test(test_split_and_coalesce),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_arena_return),
        cmocka_unit_test(test_bad_frees),
        cmocka_unit_test(test_source_exhausted),
        cmocka_unit_test(test_check_finds_corruption),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests_name("kheap", tests, NULL, NULL);
}
