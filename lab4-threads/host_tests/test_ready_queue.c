/* test_ready_queue.c: host unit tests of ready_queue.c against an array model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/host_tests/host_support.h"
#include "lab4-threads/ready_queue.h"

struct item {
    int id;
    struct list_elem elem;
};

#define N_ITEMS 64

static struct item items[N_ITEMS];

static void setup_items(void)
{
    for (int i = 0; i < N_ITEMS; i++) {
        items[i].id = i;
        list_elem_init(&items[i].elem);
    }
}

static int id_of(struct list_elem *e)
{
    return e == NULL ? -1 : LIST_ENTRY(e, struct item, elem)->id;
}

static void assert_sound(const struct ready_queue *q)
{
    const char *problem = ready_queue_check(q);
    if (problem != NULL)
        fail_msg("queue broken: %s", problem);
}

static void test_empty(void **state)
{
    (void)state;
    struct ready_queue q;
    ready_queue_init(&q);
    assert_int_equal(ready_queue_size(&q), 0);
    assert_null(ready_queue_pop(&q));
    assert_null(ready_queue_peek(&q));
    assert_sound(&q);
}

static void test_fifo_order(void **state)
{
    (void)state;
    struct ready_queue q;
    setup_items();
    ready_queue_init(&q);
    for (int i = 0; i < 10; i++)
        ready_queue_push(&q, &items[i].elem);
    assert_int_equal(ready_queue_size(&q), 10);
    assert_int_equal(id_of(ready_queue_peek(&q)), 0);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(id_of(ready_queue_pop(&q)), i);
        assert_sound(&q);
    }
    assert_null(ready_queue_pop(&q));
}

static void test_push_front_and_remove(void **state)
{
    (void)state;
    struct ready_queue q;
    setup_items();
    ready_queue_init(&q);
    ready_queue_push(&q, &items[1].elem);
    ready_queue_push(&q, &items[2].elem);
    ready_queue_push_front(&q, &items[0].elem);
    ready_queue_push(&q, &items[3].elem);
    ready_queue_remove(&q, &items[2].elem);
    assert_false(ready_queue_contains(&q, &items[2].elem));
    assert_false(list_elem_linked(&items[2].elem));
    assert_int_equal(ready_queue_size(&q), 3);
    assert_sound(&q);
    assert_int_equal(id_of(ready_queue_pop(&q)), 0);
    assert_int_equal(id_of(ready_queue_pop(&q)), 1);
    assert_int_equal(id_of(ready_queue_pop(&q)), 3);
}

static void test_misuse_caught(void **state)
{
    (void)state;
    struct ready_queue q, other;
    setup_items();
    ready_queue_init(&q);
    ready_queue_init(&other);
    ready_queue_push(&q, &items[0].elem);
    /* Pushing an element that is already queued would corrupt both lists. */
    expect_assert_failure(ready_queue_push(&q, &items[0].elem));
    expect_assert_failure(ready_queue_push(&other, &items[0].elem));
    /* Removing an element of another queue, or one that is not queued. */
    expect_assert_failure(ready_queue_remove(&other, &items[0].elem));
    expect_assert_failure(ready_queue_remove(&q, &items[1].elem));
    assert_int_equal(ready_queue_size(&q), 1);
    assert_int_equal(ready_queue_size(&other), 0);
    assert_sound(&q);
    assert_sound(&other);
}

/* Random pushes, front pushes, pops and removals against an array model. */
static void test_random_against_model(void **state)
{
    (void)state;
    struct ready_queue q;
    int model[N_ITEMS], n = 0;
    bool queued[N_ITEMS] = {false};
    setup_items();
    ready_queue_init(&q);
    srand(4);
    for (int step = 0; step < 20000; step++) {
        int op = rand() % 4, i = rand() % N_ITEMS;
        if (op == 0 && !queued[i]) {
            ready_queue_push(&q, &items[i].elem);
            model[n++] = i;
            queued[i] = true;
        } else if (op == 1 && !queued[i]) {
            ready_queue_push_front(&q, &items[i].elem);
            for (int k = n; k > 0; k--)
                model[k] = model[k - 1];
            model[0] = i;
            n++;
            queued[i] = true;
        } else if (op == 2) {
            int got = id_of(ready_queue_pop(&q));
            assert_int_equal(got, n ? model[0] : -1);
            if (n) {
                queued[model[0]] = false;
                for (int k = 0; k + 1 < n; k++)
                    model[k] = model[k + 1];
                n--;
            }
        } else if (op == 3 && queued[i]) {
            ready_queue_remove(&q, &items[i].elem);
            int k = 0;
            while (model[k] != i)
                k++;
            for (; k + 1 < n; k++)
                model[k] = model[k + 1];
            n--;
            queued[i] = false;
        }
        assert_int_equal(ready_queue_size(&q), n);
        if (step % 97 == 0)
            assert_sound(&q);
    }
    for (int k = 0; k < n; k++)
        assert_int_equal(id_of(ready_queue_pop(&q)), model[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_fifo_order),
        cmocka_unit_test(test_push_front_and_remove),
        cmocka_unit_test(test_misuse_caught),
        cmocka_unit_test(test_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
