/* test_vm_regions.c: host unit tests of vm_regions.c (VM pool bookkeeping) against a page-level model. */
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
#include "lab3-paging/vm_regions.h"

#define PG 4096ul
#define LO 0x40000000ul /* made-up addresses: nothing is dereferenced */

/* A table in a malloc'd buffer of BYTES bytes (ASan watches its bounds). */
static struct vm_regions *new_table(size_t bytes, unsigned long pages)
{
    struct vm_regions *t = malloc(bytes);
    assert_non_null(t);
    vm_regions_init(t, bytes, LO, pages * PG, PG);
    return t;
}

static size_t bytes_for(size_t slots)
{
    return sizeof(struct vm_regions) + slots * sizeof(struct vm_region);
}

static void assert_sound(const struct vm_regions *t)
{
    const char *problem = vm_regions_check(t);
    if (problem != NULL)
        fail_msg("table broken: %s", problem);
}

/* Allocate and expect success at EXPECT. */
static void alloc_at(struct vm_regions *t, unsigned long size, unsigned long expect)
{
    unsigned long start = 0;
    assert_int_equal(vm_regions_allocate(t, size, 0, &start), VM_REGIONS_OK);
    assert_int_equal(start, expect);
    assert_sound(t);
}

static void test_init(void **state)
{
    (void)state;
    struct vm_regions *t = new_table(PG, 100);
    assert_int_equal(t->capacity, vm_regions_capacity_for(PG));
    assert_true(t->capacity > 100);
    assert_int_equal(vm_regions_count(t), 1);
    assert_int_equal(vm_regions_allocated_bytes(t), 0);
    assert_int_equal(vm_regions_find(t, LO), 0);
    assert_int_equal(vm_regions_find(t, LO - 1), -1);
    assert_int_equal(vm_regions_find(t, LO + 100 * PG), -1);
    assert_false(vm_regions_is_allocated(t, LO));
    assert_sound(t);
    assert_int_equal(vm_regions_capacity_for(sizeof(struct vm_regions) - 1), 0);
    free(t);
}

static void test_init_bad_parameters(void **state)
{
    (void)state;
    unsigned char buf[512];
    struct vm_regions *t = (struct vm_regions *)buf;
    expect_assert_failure(vm_regions_init(t, sizeof buf, LO, 0, PG));
    expect_assert_failure(vm_regions_init(t, sizeof buf, LO + 1, PG, PG));
    expect_assert_failure(vm_regions_init(t, sizeof buf, LO, PG, 3000));
    expect_assert_failure(vm_regions_init(t, bytes_for(1), LO, PG, PG));
}

static void test_first_fit_and_rounding(void **state)
{
    (void)state;
    struct vm_regions *t = new_table(PG, 64);
    alloc_at(t, 1, LO);               /* rounded up to one page */
    alloc_at(t, PG + 1, LO + PG);     /* two pages */
    alloc_at(t, 3 * PG, LO + 3 * PG);
    assert_int_equal(vm_regions_allocated_bytes(t), 6 * PG);
    assert_int_equal(vm_regions_count(t), 4);
    assert_true(vm_regions_is_allocated(t, LO + 2 * PG + 17));
    assert_false(vm_regions_is_allocated(t, LO + 6 * PG));
    /* Free the middle one: the next fit of one page goes there. */
    unsigned long size = 0, flags = 0;
    assert_int_equal(vm_regions_release(t, LO + PG, &size, &flags), VM_REGIONS_OK);
    assert_int_equal(size, 2 * PG);
    assert_int_equal(flags, VM_REGION_ALLOCATED);
    alloc_at(t, PG, LO + PG);
    alloc_at(t, 2 * PG, LO + 6 * PG); /* one free page at LO+2PG is too small */
    alloc_at(t, PG, LO + 2 * PG);     /* exact fit: no split */
    free(t);
}

static void test_coalescing(void **state)
{
    (void)state;
    struct vm_regions *t = new_table(PG, 64);
    for (int i = 0; i < 5; i++)
        alloc_at(t, PG, LO + i * PG);
    assert_int_equal(vm_regions_count(t), 6);
    /* No neighbour free. */
    assert_int_equal(vm_regions_release(t, LO + PG, NULL, NULL), VM_REGIONS_OK);
    assert_int_equal(vm_regions_count(t), 6);
    /* Merge with the left neighbour. */
    assert_int_equal(vm_regions_release(t, LO + 2 * PG, NULL, NULL), VM_REGIONS_OK);
    assert_int_equal(vm_regions_count(t), 5);
    /* Merge with the right neighbour (the free rest). */
    assert_int_equal(vm_regions_release(t, LO + 4 * PG, NULL, NULL), VM_REGIONS_OK);
    assert_int_equal(vm_regions_count(t), 4);
    /* Merge on both sides: LO+PG..LO+3PG free, LO+3PG, LO+4PG.. free. */
    assert_int_equal(vm_regions_release(t, LO + 3 * PG, NULL, NULL), VM_REGIONS_OK);
    assert_int_equal(vm_regions_count(t), 2);
    assert_int_equal(vm_regions_release(t, LO, NULL, NULL), VM_REGIONS_OK);
    assert_int_equal(vm_regions_count(t), 1);
    assert_sound(t);
    alloc_at(t, 64 * PG, LO); /* the whole range again */
    free(t);
}

/* Every refused request leaves the table byte-for-byte unchanged. */
static void expect_refused_alloc(struct vm_regions *t, size_t bytes, unsigned long size,
                                 int err)
{
    void *copy = malloc(bytes);
    memcpy(copy, t, bytes);
    unsigned long start = 12345;
    assert_int_equal(vm_regions_allocate(t, size, 0, &start), err);
    assert_int_equal(start, 12345);
    assert_memory_equal(copy, t, bytes);
    free(copy);
}

static void expect_refused_release(struct vm_regions *t, size_t bytes, unsigned long a,
                                   int err)
{
    void *copy = malloc(bytes);
    memcpy(copy, t, bytes);
    unsigned long size = 777;
    assert_int_equal(vm_regions_release(t, a, &size, NULL), err);
    assert_int_equal(size, 777);
    assert_memory_equal(copy, t, bytes);
    free(copy);
}

static void test_bad_input(void **state)
{
    (void)state;
    size_t bytes = bytes_for(8);
    struct vm_regions *t = new_table(bytes, 32);
    alloc_at(t, 4 * PG, LO);
    alloc_at(t, 4 * PG, LO + 4 * PG);
    expect_refused_alloc(t, bytes, 0, VM_REGIONS_ERR_ZERO);
    expect_refused_alloc(t, bytes, 33 * PG, VM_REGIONS_ERR_TOO_BIG);
    expect_refused_alloc(t, bytes, ~0ul, VM_REGIONS_ERR_TOO_BIG);
    expect_refused_alloc(t, bytes, 25 * PG, VM_REGIONS_ERR_NO_SPACE);
    expect_refused_release(t, bytes, LO - PG, VM_REGIONS_ERR_OUTSIDE);
    expect_refused_release(t, bytes, LO + 32 * PG, VM_REGIONS_ERR_OUTSIDE);
    expect_refused_release(t, bytes, LO + PG, VM_REGIONS_ERR_NOT_START);
    expect_refused_release(t, bytes, LO + 7 * PG, VM_REGIONS_ERR_NOT_START);
    expect_refused_release(t, bytes, LO + 8 * PG, VM_REGIONS_ERR_NOT_ALLOCATED);
    expect_refused_release(t, bytes, LO + 31 * PG, VM_REGIONS_ERR_NOT_ALLOCATED);
    expect_refused_release(t, bytes, LO + 5, VM_REGIONS_ERR_UNALIGNED);
    /* Double release. */
    assert_int_equal(vm_regions_release(t, LO + 4 * PG, NULL, NULL), VM_REGIONS_OK);
    expect_refused_release(t, bytes, LO + 4 * PG, VM_REGIONS_ERR_NOT_ALLOCATED);
    assert_sound(t);
    for (int e = 0; e >= -8; e--)
        assert_non_null(vm_regions_strerror(e));
    assert_string_equal(vm_regions_strerror(-99), "unknown error");
    free(t);
}

static void test_slot_exhaustion(void **state)
{
    (void)state;
    size_t bytes = bytes_for(4);
    struct vm_regions *t = new_table(bytes, 16);
    assert_int_equal(t->capacity, 4);
    alloc_at(t, PG, LO);
    alloc_at(t, PG, LO + PG);
    alloc_at(t, PG, LO + 2 * PG); /* 4 regions: 3 allocated + free rest */
    expect_refused_alloc(t, bytes, PG, VM_REGIONS_ERR_NO_SLOTS);
    alloc_at(t, 13 * PG, LO + 3 * PG); /* exact fit needs no slot */
    assert_int_equal(vm_regions_release(t, LO + PG, NULL, NULL), VM_REGIONS_OK);
    alloc_at(t, PG, LO + PG);           /* exact fit again */
    assert_int_equal(vm_regions_release(t, LO + 3 * PG, NULL, NULL), VM_REGIONS_OK);
    expect_refused_alloc(t, bytes, PG, VM_REGIONS_ERR_NO_SLOTS); /* split: full */
    assert_int_equal(vm_regions_release(t, LO + 2 * PG, NULL, NULL), VM_REGIONS_OK);
    alloc_at(t, PG, LO + 2 * PG); /* merged: a slot came back */
    free(t);
}

static void test_guard_flag(void **state)
{
    (void)state;
    struct vm_regions *t = new_table(PG, 16);
    unsigned long start = 0, flags = 0;
    assert_int_equal(vm_regions_allocate(t, 3 * PG, VM_REGION_GUARD, &start), VM_REGIONS_OK);
    assert_false(vm_regions_is_allocated(t, start));
    assert_false(vm_regions_is_allocated(t, start + PG - 1));
    assert_true(vm_regions_is_allocated(t, start + PG));
    assert_true(vm_regions_is_allocated(t, start + 3 * PG - 1));
    assert_int_equal(vm_regions_release(t, start, NULL, &flags), VM_REGIONS_OK);
    assert_int_equal(flags, VM_REGION_ALLOCATED | VM_REGION_GUARD);
    assert_sound(t);
    free(t);
}

/* ---- Randomised against a model ----------------------------------------- */

#define MODEL_PAGES 200

struct model {
    int owner[MODEL_PAGES];        /* 0 free, else allocation id */
    unsigned long start[4096], pages[4096];
    bool live[4096];
    int next_id;
};

/* Number of maximal runs (allocations + free runs): the table's count. */
static int model_runs(const struct model *m)
{
    int runs = 0;
    for (int p = 0; p < MODEL_PAGES; p++)
        if (p == 0 || m->owner[p] != m->owner[p - 1])
            runs++;
    return runs;
}

/* First free run of at least N pages and its length; -1 if none. */
static int model_first_fit(const struct model *m, int n, int *run_len)
{
    for (int p = 0; p < MODEL_PAGES;) {
        if (m->owner[p] != 0) {
            p++;
            continue;
        }
        int q = p;
        while (q < MODEL_PAGES && m->owner[q] == 0)
            q++;
        if (q - p >= n) {
            *run_len = q - p;
            return p;
        }
        p = q;
    }
    return -1;
}

static void model_compare(const struct model *m, const struct vm_regions *t)
{
    assert_sound(t);
    assert_int_equal(vm_regions_count(t), model_runs(m));
    for (int p = 0; p < MODEL_PAGES; p++)
        assert_int_equal(vm_regions_is_allocated(t, LO + p * PG), m->owner[p] != 0);
    for (int i = 0; i < vm_regions_count(t); i++) {
        const struct vm_region *r = vm_regions_get(t, i);
        int p = (int)((r->start - LO) / PG);
        if (r->flags & VM_REGION_ALLOCATED) {
            int id = m->owner[p];
            assert_true(id > 0 && m->start[id] == (unsigned long)p);
            assert_int_equal(r->size, m->pages[id] * PG);
        }
    }
}

static void random_run(unsigned seed, size_t slots, int steps)
{
    static struct model m;
    size_t bytes = bytes_for(slots);
    struct vm_regions *t = new_table(bytes, MODEL_PAGES);
    memset(&m, 0, sizeof m);
    m.next_id = 1;
    srand(seed);
    for (int step = 0; step < steps && m.next_id < 4096; step++) {
        int kind = rand() % 10;
        if (kind < 5) { /* allocate 1..20 pages, sometimes bad sizes */
            unsigned long size = (unsigned long)(rand() % 20 + 1) * PG - (unsigned long)(rand() % 3);
            if (rand() % 50 == 0)
                size = 0;
            int n = (int)((size + PG - 1) / PG), len = 0;
            int p = size ? model_first_fit(&m, n, &len) : -1;
            int expect = size == 0 ? VM_REGIONS_ERR_ZERO
                         : p < 0 ? VM_REGIONS_ERR_NO_SPACE
                         : (len > n && (size_t)vm_regions_count(t) == slots)
                             ? VM_REGIONS_ERR_NO_SLOTS : VM_REGIONS_OK;
            unsigned long start = 0;
            assert_int_equal(vm_regions_allocate(t, size, 0, &start), expect);
            if (expect == VM_REGIONS_OK) {
                int id = m.next_id++;
                assert_int_equal(start, LO + (unsigned long)p * PG);
                m.start[id] = (unsigned long)p;
                m.pages[id] = (unsigned long)n;
                m.live[id] = true;
                for (int q = p; q < p + n; q++)
                    m.owner[q] = id;
            }
        } else if (kind < 9) { /* release a live one, or a bad address */
            int p = rand() % MODEL_PAGES, id = m.owner[p];
            unsigned long a = LO + (unsigned long)p * PG;
            int expect = id == 0 ? VM_REGIONS_ERR_NOT_ALLOCATED
                         : m.start[id] != (unsigned long)p ? VM_REGIONS_ERR_NOT_START
                                                           : VM_REGIONS_OK;
            unsigned long size = 0;
            assert_int_equal(vm_regions_release(t, a, &size, NULL), expect);
            if (expect == VM_REGIONS_OK) {
                assert_int_equal(size, m.pages[id] * PG);
                for (unsigned long q = 0; q < m.pages[id]; q++)
                    m.owner[p + q] = 0;
                m.live[id] = false;
            }
        } else { /* double release of something released before */
            int id = 1 + rand() % m.next_id;
            if (id < m.next_id && !m.live[id] && m.owner[m.start[id]] == 0)
                assert_int_equal(vm_regions_release(t, LO + m.start[id] * PG, NULL, NULL),
                                 VM_REGIONS_ERR_NOT_ALLOCATED);
        }
        model_compare(&m, t);
    }
    free(t);
}

static void test_random_full_page(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 5; seed++)
        random_run(seed, vm_regions_capacity_for(PG), 3000);
}

static void test_random_few_slots(void **state)
{
    (void)state;
    for (unsigned seed = 11; seed <= 20; seed++)
        random_run(seed, 3 + seed % 6, 3000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_init_bad_parameters),
        cmocka_unit_test(test_first_fit_and_rounding),
        cmocka_unit_test(test_coalescing),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_slot_exhaustion),
        cmocka_unit_test(test_guard_flag),
        cmocka_unit_test(test_random_full_page),
        cmocka_unit_test(test_random_few_slots),
    };
    return cmocka_run_group_tests_name("vm_regions", tests, NULL, NULL);
}
