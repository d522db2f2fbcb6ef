/* test_cfp_search.c: directed host tests of the frame pool's bitmap layout and run search, nesting and the guard. */
#include "lab2-frames/host_tests/cfp_test_model.h"

/* Pool sizes not a multiple of 16: the frames past the end of the last
 * word are never handed out. */
static void test_tail_bits_never_handed_out(void **state)
{
    (void)state;
    for (unsigned long n = 1; n <= 40; n++) {
        n_models = 0;
        struct model *m = model_init(0, 1000, n, 10, "T");
        unsigned long got = 0, f;
        while ((f = cfp_get_frames(m->pool, 1)) != 0) {
            assert_true(f >= 1000 && f < 1000 + n);
            model_set_run(m, f - 1000, 1);
            got++;
        }
        assert_int_equal(got, n);
        check_all("after single-frame fill");
        for (unsigned long i = 0; i < n; i++)
            step_release(1000 + i);
        /* Any request longer than the pool, or than what is left. */
        step_get(m, n, "whole pool");
        assert_int_equal(cfp_get_frames(m->pool, 1), 0);
        expect_no_message();
        check_all("after whole-pool request");
        fini_all();
    }
}

/* Runs that cross word boundaries, found from any hint position. */
static void test_runs_across_words(void **state)
{
    (void)state;
    struct model *m = model_init(0, 1000, 200, 10, "W");
    /* Fill, then free [10, 60) and [100, 117) (index), and look for runs. */
    unsigned long f = cfp_get_frames(m->pool, 200);
    assert_int_equal(f, 1000);
    model_set_run(m, 0, 200);
    assert_int_equal(cfp_release_frames(1000), CFP_OK);
    model_release(1000);
    step_get(m, 10, "a");
    step_get(m, 50, "b");
    step_get(m, 40, "c");
    step_get(m, 17, "d");
    step_get(m, 83, "e");
    check_all("setup");
    assert_int_equal(cfp_free_count(m->pool), 0);
    step_release(1010);
    step_release(1100);
    step_get(m, 51, "too long");
    assert_int_equal(m->st[10], CFP_STATE_FREE);
    check_all("after a failing request");
    step_get(m, 50, "exact 50");
    assert_int_equal(m->st[10], CFP_STATE_HEAD);
    step_get(m, 18, "too long");
    assert_int_equal(m->st[100], CFP_STATE_FREE);
    step_get(m, 17, "exact 17");
    assert_int_equal(m->st[100], CFP_STATE_HEAD);
    check_all("end");
}

/* Exhaustive over small layouts: a Free run of length L at offset O in a
 * pool of 3 words and a bit, everything else allocated except the pool's
 * last frame (so that the free count alone never answers). A request for
 * N >= 2 frames must succeed exactly when N <= L, and return O. */
static void test_single_free_run_every_placement(void **state)
{
    (void)state;
    const unsigned long size = 53, base = 1000, last = base + size - 1;
    for (unsigned long o = 0; o < size - 2; o++) {
        for (unsigned long len = 1; o + len <= size - 2; len++) {
            for (unsigned long n = 1; n <= len + 1; n++) {
                struct cont_frame_pool *p = &pools[0];
                assert_int_equal(cfp_init(p, base, size, 10), CFP_OK);
                if (o > 0)
                    assert_int_equal(cfp_get_frames(p, (unsigned)o), base);
                assert_int_equal(cfp_get_frames(p, (unsigned)len), base + o);
                assert_int_equal(cfp_get_frames(p, (unsigned)(size - 1 - o - len)),
                                 base + o + len);
                assert_int_equal(cfp_get_frames(p, 1), last);
                assert_int_equal(cfp_release_frames(base + o), CFP_OK);
                assert_int_equal(cfp_release_frames(last), CFP_OK);
                unsigned long f = cfp_get_frames(p, (unsigned)n);
                bool ok = n == 1 ? f == base + o || f == last
                                 : f == (n <= len ? base + o : 0);
                if (!ok)
                    fail_msg("free run [%lu, +%lu) and frame %lu: get_frames(%lu) "
                             "returned %lu", o, len, size - 1, n,
                             f == 0 ? 0 : f - base);
                assert_int_equal(cfp_fini(p), CFP_OK);
            }
        }
    }
    expect_no_message();
}

/* Next fit: the search starts at the hint and wraps around once. */
static void test_next_fit_wraps(void **state)
{
    (void)state;
    struct model *m = model_init(0, 1000, 100, 10, "N");
    step_get(m, 30, "a");  /* [0, 30) */
    step_get(m, 60, "b");  /* [30, 90) */
    step_release(1000);    /* hole at the start */
    step_get(m, 10, "c");  /* from the hint: [90, 100) */
    assert_int_equal(m->st[90], CFP_STATE_HEAD);
    step_get(m, 30, "d");  /* wraps: [0, 30) */
    assert_int_equal(m->st[0], CFP_STATE_HEAD);
    check_all("end");
    /* Only [0, 30) and [90, 100) free, from hint 30: no run of 35. */
    step_release(1000);
    step_release(1090);
    step_get(m, 35, "no run");
    assert_int_equal(cfp_get_frames(m->pool, 35), 0);
    check_all("no run");
    fini_all();

    /* A run that starts before the hint's word and ends after it. */
    n_models = 0;
    m = model_init(0, 1000, 100, 10, "S");
    step_get(m, 20, "s1"); /* [0, 20) */
    step_get(m, 20, "s2"); /* [20, 40) */
    step_get(m, 10, "s3"); /* [40, 50) */
    step_get(m, 50, "s4"); /* [50, 100), hint wraps to 0 */
    step_release(1020);
    step_release(1040);    /* [20, 50) free */
    step_get(m, 20, "s5"); /* [20, 40) again, hint 40 */
    assert_int_equal(m->st[20], CFP_STATE_HEAD);
    step_release(1020);    /* [20, 50) free, hint 40 (word 32..47) */
    step_get(m, 25, "straddle");
    assert_int_equal(m->st[20], CFP_STATE_HEAD);
    check_all("straddle");
}

/* A pool carved out of frames allocated from another pool. */
static void test_nested_pool(void **state)
{
    (void)state;
    struct model *a = model_init(0, 100, 300, 0, "A");
    unsigned long f = cfp_get_frames(a->pool, 64);
    assert_int_not_equal(f, 0);
    model_set_run(a, f - a->base, 64);
    /* Carved out of A's run (internal bitmap, then external). */
    struct model *c = model_init(1, f + 4, 60, 0, "C");
    assert_ptr_equal(cfp_find_pool(f + 10), c->pool);
    assert_ptr_equal(cfp_find_pool(f + 2), a->pool);
    step_get(c, 7, "in C");
    check_all("after get in C");
    /* Releases route to the innermost pool. */
    step_release(f + 4 + 1); /* C's first free frame... now a Head of C */
    check_all("after release in C");
    /* A's run holds C: refused, as is fini of A. */
    host_clear_log();
    assert_int_equal(cfp_release_frames(f), CFP_ERR_HOLDS_POOL);
    expect_one_message();
    assert_int_equal(cfp_fini(a->pool), CFP_ERR_HOLDS_POOL);
    expect_one_message();
    check_all("after refused release");
    /* Carving from free frames of A, or across C, is refused. */
    expect_init_refused(f + 64, 4, 0, CFP_ERR_OVERLAP);
    expect_init_refused(f + 2, 4, 0, CFP_ERR_OVERLAP);
    /* fini C, then the run goes back to A. */
    assert_int_equal(cfp_fini(c->pool), CFP_OK);
    n_models = 1;
    assert_int_equal(cfp_fini(c->pool), CFP_ERR_NOT_REGISTERED);
    expect_one_message();
    step_release(f);
    check_all("after release to A");
    assert_int_equal(cfp_free_count(a->pool), 299);
}

static int guard_depth, guard_calls;

static int test_guard_enter(void)
{
    guard_depth++;
    guard_calls++;
    return 1234;
}

static void test_guard_leave(int saved)
{
    assert_int_equal(saved, 1234);
    guard_depth--;
}

static void test_guard_called(void **state)
{
    (void)state;
    cfp_set_guard(test_guard_enter, test_guard_leave);
    guard_depth = guard_calls = 0;
    struct model *m = model_init(0, 100, 30, 0, "G");
    unsigned long f = cfp_get_frames(m->pool, 2);
    assert_int_not_equal(f, 0);
    assert_int_equal(cfp_release_frames(f), CFP_OK);
    assert_int_equal(cfp_release_frames(f), CFP_ERR_NOT_ALLOCATED);
    host_clear_log();
    assert_int_equal(cfp_mark_inaccessible(m->pool, 120, 2), CFP_OK);
    assert_true(guard_calls >= 5);
    assert_int_equal(guard_depth, 0);
    cfp_set_guard(NULL, NULL);
}

static void test_unregistered_pool_asserts(void **state)
{
    (void)state;
    struct model *m = model_init(0, 100, 30, 0, "U");
    assert_int_equal(cfp_fini(m->pool), CFP_OK);
    n_models = 0;
    expect_assert_failure(cfp_get_frames(&pools[0], 1));
    host_clear_log();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tail_bits_never_handed_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_across_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_free_run_every_placement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_next_fit_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guard_called, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unregistered_pool_asserts, setup, teardown),
    };
    return cmocka_run_group_tests_name("cont_frame_pool search", tests, NULL, NULL);
}
