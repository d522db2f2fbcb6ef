/* test_list.c: host tests of the intrusive list (order, size, removal, LIST_ENTRY, KASSERTs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/host_tests/host_support.h"
#include "common/list.h"

/* The list_elem is deliberately not the first member, so LIST_ENTRY must
 * really subtract the offset. */
struct item {
    int value;
    char pad[13];
    struct list_elem elem;
    struct list_elem other; /* second membership, for LIST_ENTRY by member */
};

#define ITEM(e) LIST_ENTRY(e, struct item, elem)

/* Assert LIST holds exactly the values WANT[0..N-1], walking both directions
 * and checking list_size, list_empty, list_front and list_back agree. */
static void expect_values(struct list *list, const int *want, size_t n)
{
    size_t i = 0;
    for (struct list_elem *e = list_begin(list); e != list_end(list); e = list_next(e), i++) {
        assert_true(i < n);
        assert_int_equal(ITEM(e)->value, want[i]);
    }
    assert_int_equal(i, n);
    for (struct list_elem *e = list_rbegin(list); e != list_rend(list); e = list_prev(e)) {
        assert_true(i > 0);
        assert_int_equal(ITEM(e)->value, want[--i]);
    }
    assert_int_equal(i, 0);
    assert_int_equal(list_size(list), n);
    assert_int_equal(list_empty(list), n == 0);
    if (n > 0) {
        assert_int_equal(ITEM(list_front(list))->value, want[0]);
        assert_int_equal(ITEM(list_back(list))->value, want[n - 1]);
    }
}

#define EXPECT(list, ...)                                                    \
    do {                                                                     \
        static const int want_[] = {__VA_ARGS__};                            \
        expect_values((list), want_, sizeof want_ / sizeof *want_);          \
    } while (0)

static struct item items[16];

static int setup_items(void **state)
{
    (void)state;
    for (int i = 0; i < 16; i++) {
        items[i].value = i;
        list_elem_init(&items[i].elem);
        list_elem_init(&items[i].other);
    }
    host_clear_log();
    return 0;
}

static void test_empty(void **state)
{
    (void)state;
    struct list l;
    list_init(&l);
    assert_true(list_empty(&l));
    assert_int_equal(list_size(&l), 0);
    assert_ptr_equal(list_begin(&l), list_end(&l));
    assert_ptr_equal(list_rbegin(&l), list_rend(&l));
    assert_ptr_equal(list_next(list_rend(&l)), list_end(&l));
    assert_ptr_equal(list_prev(list_end(&l)), list_rend(&l));
    expect_values(&l, NULL, 0);
}

static void test_push_back_front(void **state)
{
    (void)state;
    struct list l;
    list_init(&l);
    list_push_back(&l, &items[1].elem);
    EXPECT(&l, 1);
    list_push_back(&l, &items[2].elem);
    list_push_front(&l, &items[0].elem);
    list_push_back(&l, &items[3].elem);
    list_push_front(&l, &items[9].elem);
    EXPECT(&l, 9, 0, 1, 2, 3);
}

static void test_pop(void **state)
{
    (void)state;
    struct list l;
    list_init(&l);
    for (int i = 0; i < 5; i++)
        list_push_back(&l, &items[i].elem);
    assert_ptr_equal(list_pop_front(&l), &items[0].elem);
    assert_ptr_equal(list_pop_back(&l), &items[4].elem);
    EXPECT(&l, 1, 2, 3);
    assert_false(list_elem_linked(&items[0].elem));
    assert_false(list_elem_linked(&items[4].elem));
    assert_true(list_elem_linked(&items[2].elem));
    assert_ptr_equal(list_pop_front(&l), &items[1].elem);
    assert_ptr_equal(list_pop_front(&l), &items[2].elem);
    assert_ptr_equal(list_pop_back(&l), &items[3].elem);
    assert_true(list_empty(&l));
    /* A popped element can go straight into the list again. */
    list_push_back(&l, &items[0].elem);
    EXPECT(&l, 0);
}

static void test_insert(void **state)
{
    (void)state;
    struct list l;
    list_init(&l);
    list_insert(list_end(&l), &items[5].elem);          /* into empty: append */
    list_insert(list_begin(&l), &items[1].elem);        /* before the first */
    list_insert(&items[5].elem, &items[3].elem);        /* in the middle */
    list_insert(list_end(&l), &items[7].elem);          /* after the last */
    list_insert(&items[3].elem, &items[2].elem);
    EXPECT(&l, 1, 2, 3, 5, 7);
}

static void test_remove_returns_next(void **state)
{
    (void)state;
    struct list l;
    list_init(&l);
    for (int i = 0; i < 4; i++)
        list_push_back(&l, &items[i].elem);
    assert_ptr_equal(list_remove(&items[1].elem), &items[2].elem);
    assert_ptr_equal(list_remove(&items[3].elem), list_end(&l));
    assert_ptr_equal(list_remove(&items[0].elem), &items[2].elem);
    EXPECT(&l, 2);
    assert_ptr_equal(list_remove(&items[2].elem), list_end(&l));
    assert_true(list_empty(&l));
}

static void test_remove_during_iteration(void **state)
{
    (void)state;
    struct list l;
    list_init(&l);
    for (int i = 0; i < 10; i++)
        list_push_back(&l, &items[i].elem);
    for (struct list_elem *e = list_begin(&l); e != list_end(&l);) {
        if (ITEM(e)->value % 3 != 1)
            e = list_remove(e);
        else
            e = list_next(e);
    }
    EXPECT(&l, 1, 4, 7);
    /* Removing everything while iterating leaves an empty, usable list. */
    for (struct list_elem *e = list_begin(&l); e != list_end(&l);)
        e = list_remove(e);
    expect_values(&l, NULL, 0);
    list_push_front(&l, &items[8].elem);
    EXPECT(&l, 8);
}

static void test_list_entry(void **state)
{
    (void)state;
    struct item *it = &items[6];
    assert_ptr_equal(LIST_ENTRY(&it->elem, struct item, elem), it);
    assert_ptr_equal(LIST_ENTRY(&it->other, struct item, other), it);
    assert_int_equal(LIST_ENTRY(&it->other, struct item, other)->value, 6);

    struct first { struct list_elem e; long x; } f = {.x = 77};
    assert_ptr_equal(LIST_ENTRY(&f.e, struct first, e), &f);
}

static void test_two_lists_one_item(void **state)
{
    (void)state;
    struct list a, b;
    list_init(&a);
    list_init(&b);
    for (int i = 0; i < 4; i++) {
        list_push_back(&a, &items[i].elem);
        list_push_front(&b, &items[i].other);
    }
    EXPECT(&a, 0, 1, 2, 3);
    int i = 3;
    for (struct list_elem *e = list_begin(&b); e != list_end(&b); e = list_next(e))
        assert_int_equal(LIST_ENTRY(e, struct item, other)->value, i--);
    list_remove(&items[2].other);
    EXPECT(&a, 0, 1, 2, 3); /* membership of a is untouched */
    assert_int_equal(list_size(&b), 3);
}

static void test_contains(void **state)
{
    (void)state;
    struct list a, b;
    list_init(&a);
    list_init(&b);
    list_push_back(&a, &items[0].elem);
    list_push_back(&a, &items[1].elem);
    list_push_back(&b, &items[2].elem);
    assert_true(list_contains(&a, &items[0].elem));
    assert_true(list_contains(&a, &items[1].elem));
    assert_false(list_contains(&a, &items[2].elem));
    assert_true(list_contains(&b, &items[2].elem));
    assert_false(list_contains(&a, list_end(&a))); /* sentinels are no elements */
    list_remove(&items[0].elem);
    assert_false(list_contains(&a, &items[0].elem));
}

static bool less_value(const struct list_elem *a, const struct list_elem *b, void *aux)
{
    int *calls = aux;
    (*calls)++;
    /* Ordered by value / 10, so equal keys differ in the last digit. */
    return ITEM(a)->value / 10 < ITEM(b)->value / 10;
}

static void test_insert_ordered(void **state)
{
    (void)state;
    static const int order[] = {31, 10, 20, 11, 32, 0, 21, 12};
    struct item its[8];
    struct list l;
    int calls = 0;
    list_init(&l);
    for (int i = 0; i < 8; i++) {
        its[i].value = order[i];
        list_insert_ordered(&l, &its[i].elem, less_value, &calls);
    }
    EXPECT(&l, 0, 10, 11, 12, 20, 21, 31, 32); /* equal keys stay FIFO */
    assert_true(calls > 0);
}

static void test_random_against_model(void **state)
{
    (void)state;
    enum { N = 64 };
    struct item pool[N];
    int model[N], len = 0;
    struct list l;
    unsigned seed = 12345;

    list_init(&l);
    for (int i = 0; i < N; i++) {
        pool[i].value = i;
        list_elem_init(&pool[i].elem);
    }
    for (int step = 0; step < 20000; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 8;
        int v = (int)(r % N);
        if (!list_elem_linked(&pool[v].elem)) {
            if (r & 0x100) { /* push_front */
                memmove(model + 1, model, (size_t)len * sizeof *model);
                model[0] = v;
                list_push_front(&l, &pool[v].elem);
            } else { /* insert before a random position */
                int at = len == 0 ? 0 : (int)((r >> 12) % (unsigned)(len + 1));
                struct list_elem *before = at == len ? list_end(&l) : &pool[model[at]].elem;
                memmove(model + at + 1, model + at, (size_t)(len - at) * sizeof *model);
                model[at] = v;
                list_insert(before, &pool[v].elem);
            }
            len++;
        } else {
            int at = 0;
            while (at < len && model[at] != v)
                at++;
            assert_true(at < len); /* linked, so the model must hold it */
            struct list_elem *next = list_remove(&pool[v].elem);
            assert_ptr_equal(next, at + 1 < len ? &pool[model[at + 1]].elem : list_end(&l));
            memmove(model + at, model + at + 1, (size_t)(len - at - 1) * sizeof *model);
            len--;
        }
        if (step % 97 == 0)
            expect_values(&l, model, (size_t)len);
    }
    expect_values(&l, model, (size_t)len);
}

/* ---- Preconditions: each must reach panic_at through KASSERT ---------- */

static void expect_list_panic(void)
{
    /* The O(1) operations are inline in list.h, the rest in list.c. */
    assert_non_null(strstr(host_last_panic(), "common/list."));
    assert_non_null(strstr(host_last_panic(), "assertion"));
    assert_true(host_log_contains("KPANIC"));
    host_clear_log();
}

static void test_asserts_empty_list(void **state)
{
    (void)state;
    struct list l;
    list_init(&l);
    expect_assert_failure(list_pop_front(&l));
    expect_list_panic();
    expect_assert_failure(list_pop_back(&l));
    expect_list_panic();
    expect_assert_failure(list_front(&l));
    expect_list_panic();
    expect_assert_failure(list_back(&l));
    expect_list_panic();
}

static void test_asserts_bad_elements(void **state)
{
    (void)state;
    struct list l;
    list_init(&l);
    list_push_back(&l, &items[0].elem);
    list_remove(&items[0].elem);
    expect_assert_failure(list_remove(&items[0].elem)); /* twice */
    expect_list_panic();
    expect_assert_failure(list_remove(&items[1].elem)); /* never inserted */
    expect_list_panic();
    expect_assert_failure(list_remove(list_end(&l))); /* sentinels */
    expect_list_panic();
    expect_assert_failure(list_remove(list_rend(&l)));
    expect_list_panic();
    expect_assert_failure(list_next(list_end(&l))); /* past the end */
    expect_list_panic();
    expect_assert_failure(list_prev(list_rend(&l)));
    expect_list_panic();
    expect_assert_failure(list_insert(list_rend(&l), &items[2].elem)); /* before head */
    expect_list_panic();
    expect_assert_failure(list_insert(&items[3].elem, &items[2].elem)); /* unlinked */
    expect_list_panic();
    expect_values(&l, NULL, 0); /* the failed calls changed nothing */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_empty, setup_items),
        cmocka_unit_test_setup(test_push_back_front, setup_items),
        cmocka_unit_test_setup(test_pop, setup_items),
        cmocka_unit_test_setup(test_insert, setup_items),
        cmocka_unit_test_setup(test_remove_returns_next, setup_items),
        cmocka_unit_test_setup(test_remove_during_iteration, setup_items),
        cmocka_unit_test_setup(test_list_entry, setup_items),
        cmocka_unit_test_setup(test_two_lists_one_item, setup_items),
        cmocka_unit_test_setup(test_contains, setup_items),
        cmocka_unit_test_setup(test_insert_ordered, setup_items),
        cmocka_unit_test_setup(test_random_against_model, setup_items),
        cmocka_unit_test_setup(test_asserts_empty_list, setup_items),
        cmocka_unit_test_setup(test_asserts_bad_elements, setup_items),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
