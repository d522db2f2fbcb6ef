/* test_cont_frame_pool.c: directed host tests of the frame pool: init, get, release, mark, bad input. */
#include "lab2-frames/host_tests/cfp_test_model.h"

static void test_needed_info_frames(void **state)
{
    (void)state;
    assert_int_equal(cfp_needed_info_frames(0), 0);
    assert_int_equal(cfp_needed_info_frames(1), 1);
    assert_int_equal(cfp_needed_info_frames(16383), 1);
    assert_int_equal(cfp_needed_info_frames(16384), 1);
    assert_int_equal(cfp_needed_info_frames(16385), 2);
    assert_int_equal(cfp_needed_info_frames(32768), 2);
    assert_int_equal(cfp_needed_info_frames(32769), 3);
    assert_int_equal(cfp_needed_info_frames(7136), 1);    /* 32 MiB machine */
    assert_int_equal(cfp_needed_info_frames(262144), 16); /* 1 GiB */
    assert_int_equal(cfp_needed_info_frames(1ul << 20), 64); /* 4 GiB */
    /* No overflow on absurd sizes. */
    assert_int_equal(cfp_needed_info_frames(~0ul), ~0ul / 16384 + 1);
}

static void test_init_internal(void **state)
{
    (void)state;
    struct model *m = model_init(0, 3, 16385, 0, "P");
    assert_int_equal(cfp_n_info_frames(m->pool), 2);
    assert_int_equal(cfp_info_frame(m->pool), 3);
    assert_int_equal(cfp_frame_state(m->pool, 3), CFP_STATE_HEAD);
    assert_int_equal(cfp_frame_state(m->pool, 4), CFP_STATE_USED);
    assert_int_equal(cfp_frame_state(m->pool, 5), CFP_STATE_FREE);
    assert_int_equal(cfp_free_count(m->pool), 16383);
    assert_string_equal(cfp_name(m->pool), "P");
    assert_int_equal(cfp_base_frame(m->pool), 3);
    assert_int_equal(cfp_n_frames(m->pool), 16385);
    unsigned long counts[4];
    cfp_count_states(m->pool, counts);
    assert_int_equal(counts[CFP_STATE_HEAD], 1);
    assert_int_equal(counts[CFP_STATE_USED], 1);
    assert_int_equal(counts[CFP_STATE_FREE], 16383);
    assert_int_equal(counts[CFP_STATE_INACCESSIBLE], 0);
    /* Info frames are never handed out. */
    for (unsigned long f; (f = cfp_get_frames(m->pool, 1)) != 0;)
        assert_true(f >= 5);
    assert_int_equal(cfp_free_count(m->pool), 0);
    struct cont_frame_pool *ps[] = {m->pool};
    check_canary(ps, 1);
}

static void test_init_external(void **state)
{
    (void)state;
    struct model *m = model_init(0, 5000, 100, 20, "X");
    assert_int_equal(cfp_info_frame(m->pool), 20);
    assert_int_equal(cfp_free_count(m->pool), 100);
    assert_int_equal(cfp_frame_state(m->pool, 5000), CFP_STATE_FREE);
    assert_int_equal(cfp_get_frames(m->pool, 100), 5000);
    assert_int_equal(cfp_free_count(m->pool), 0);
    assert_int_equal(cfp_release_frames(5000), CFP_OK);
    assert_int_equal(cfp_free_count(m->pool), 100);
}

static void test_init_bad_parameters(void **state)
{
    (void)state;
    expect_init_refused(100, 0, 0, CFP_ERR_INVALID);       /* no frames */
    expect_init_refused(0, 10, 0, CFP_ERR_INVALID);        /* frame 0 */
    expect_init_refused(0, 10, 50, CFP_ERR_INVALID);       /* frame 0 */
    expect_init_refused(100, 1, 0, CFP_ERR_INVALID);       /* only bitmap */
    expect_init_refused(0xFFFFF, 2, 10, CFP_ERR_INVALID);  /* past 4 GiB */
    expect_init_refused(100, ~0ul, 10, CFP_ERR_INVALID);   /* overflow */
    expect_init_refused(100, 50, 120, CFP_ERR_INVALID);    /* info inside */
    expect_init_refused(100, 50, 100, CFP_ERR_INVALID);    /* info inside */
    expect_init_refused(100, 20000, 99, CFP_ERR_INVALID);  /* 2 info, 2nd inside */
    struct cont_frame_pool *ps[] = {NULL};
    check_canary(ps, 0);
    /* A registered pool cannot be initialised again. */
    model_init(0, 100, 50, 0, "A");
    int rc = cfp_init(&pools[0], 400, 50, 0);
    assert_int_equal(rc, CFP_ERR_INVALID);
    expect_one_message();
    check_all("after re-init");
}

static void test_init_overlap(void **state)
{
    (void)state;
    struct model *a = model_init(0, 100, 50, 0, "A"); /* [100, 150) */
    expect_init_refused(90, 20, 0, CFP_ERR_OVERLAP);   /* straddles start */
    expect_init_refused(140, 20, 0, CFP_ERR_OVERLAP);  /* straddles end */
    expect_init_refused(50, 200, 10, CFP_ERR_OVERLAP); /* contains A */
    expect_init_refused(110, 10, 0, CFP_ERR_OVERLAP);  /* inside, free */
    expect_init_refused(100, 10, 0, CFP_ERR_OVERLAP);  /* A's bitmap */
    expect_init_refused(149, 1, 10, CFP_ERR_OVERLAP);  /* last frame */
    /* Info frames: free in A, or A's own bitmap. */
    expect_init_refused(1000, 10, 120, CFP_ERR_INVALID);
    expect_init_refused(1000, 10, 100, CFP_ERR_INVALID);
    /* Adjacent on both sides is fine. */
    model_init(1, 150, 10, 0, "B");
    model_init(2, 90, 10, 0, "C");
    check_all("after adjacent pools");
    /* Info frames allocated from A are fine. */
    unsigned long info = cfp_get_frames(a->pool, 1);
    assert_int_not_equal(info, 0);
    model_set_run(a, info - a->base, 1);
    a->guard[info - a->base] = 1;
    model_init(3, 3000, 999, info, "D");
    /* ... but not twice. */
    expect_init_refused(5000, 10, info, CFP_ERR_INVALID);
    /* While D is registered, its bitmap cannot be released from A. */
    host_clear_log();
    assert_int_equal(cfp_release_frames(info), CFP_ERR_INFO_FRAMES);
    expect_one_message();
    check_all("after overlaps");
    struct cont_frame_pool *ps[] = {&pools[0], &pools[1], &pools[2], &pools[3]};
    check_canary(ps, 4);
}

static void test_get_zero_and_too_large(void **state)
{
    (void)state;
    struct model *m = model_init(0, 10, 40, 0, "A");
    step_get(m, 5, "setup");
    step_get(m, 0, "get(0)");
    check_all("after get(0)");
    step_get(m, 41, "get(41)");
    check_all("after get(41)");
    assert_int_equal(cfp_get_frames(m->pool, ~0u), 0);
    expect_one_message();
    check_all("after get(~0)");
    /* The whole pool minus its bitmap is fine, once. */
    struct model *e = model_init(1, 1000, 33, 50, "E");
    step_get(e, 33, "get(33)");
    assert_int_equal(cfp_get_frames(e->pool, 1), 0);
    expect_no_message();
    check_all("after get(33)");
}

static void test_exhaustion_leaves_state(void **state)
{
    (void)state;
    struct model *m = model_init(0, 10, 100, 0, "A");
    /* Fragment: runs of 3 used, 1 released... */
    unsigned long heads[40];
    int nh = 0;
    for (int i = 0; i < 24; i++) {
        unsigned long f = cfp_get_frames(m->pool, 4);
        assert_int_not_equal(f, 0);
        model_set_run(m, f - m->base, 4);
        heads[nh++] = f;
    }
    check_all("after fill");
    /* 3 frames left at the end; release every other run: 12 holes of 4. */
    for (int i = 0; i < nh; i += 2)
        step_release(heads[i]);
    assert_int_equal(cfp_free_count(m->pool), 51);
    /* 51 frames free, but no run of 5. */
    assert_int_equal(cfp_get_frames(m->pool, 5), 0);
    expect_no_message();
    check_all("after failed get(5)");
    assert_int_equal(cfp_get_frames(m->pool, 99), 0);
    expect_no_message();
    check_all("after failed get(99)");
    /* A run of 4 still works, and 3 at the end. */
    step_get(m, 4, "get(4)");
    step_get(m, 3, "get(3)");
    check_all("end");
}

static void test_release_bad_inputs(void **state)
{
    (void)state;
    struct model *m = model_init(0, 10, 64, 0, "A");
    unsigned long r1 = cfp_get_frames(m->pool, 5);
    model_set_run(m, r1 - m->base, 5);
    unsigned long r2 = cfp_get_frames(m->pool, 3);
    model_set_run(m, r2 - m->base, 3);
    assert_int_equal(r2, r1 + 5);
    step_mark(m, 60, 4);
    check_all("setup");

    struct {
        unsigned long frame;
        int rc;
        const char *text;
    } cases[] = {
        {r1 + 1, CFP_ERR_NOT_HEAD, "not the head"},
        {r1 + 4, CFP_ERR_NOT_HEAD, "not the head"},
        {r2 + 2, CFP_ERR_NOT_HEAD, "not the head"},
        {40, CFP_ERR_NOT_ALLOCATED, "free"},
        {61, CFP_ERR_INACCESSIBLE, "inaccessible"},
        {10, CFP_ERR_INFO_FRAMES, "bitmap"},
        {9, CFP_ERR_NO_POOL, "no frame pool"},
        {74, CFP_ERR_NO_POOL, "no frame pool"},
        {0, CFP_ERR_NO_POOL, "no frame pool"},
        {123456, CFP_ERR_NO_POOL, "no frame pool"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        host_clear_log();
        assert_int_equal(cfp_release_frames(cases[i].frame), cases[i].rc);
        if (!host_log_contains(cases[i].text))
            fail_msg("release(%lu): log \"%s\" lacks \"%s\"", cases[i].frame,
                     host_last_log(), cases[i].text);
        expect_one_message();
        check_all("after a bad release");
    }
    /* Double release. */
    step_release(r1);
    host_clear_log();
    assert_int_equal(cfp_release_frames(r1), CFP_ERR_NOT_ALLOCATED);
    assert_true(host_log_contains("double release"));
    expect_one_message();
    check_all("after double release");
}

static void test_release_stops_at_next_head(void **state)
{
    (void)state;
    struct model *m = model_init(0, 20, 40, 5, "A"); /* external info */
    unsigned long a = cfp_get_frames(m->pool, 3);
    unsigned long b = cfp_get_frames(m->pool, 2);
    unsigned long c = cfp_get_frames(m->pool, 35);
    assert_int_equal(a, 20);
    assert_int_equal(b, 23);
    assert_int_equal(c, 25); /* up to the very last frame */
    model_set_run(m, 0, 3);
    model_set_run(m, 3, 2);
    model_set_run(m, 5, 35);
    step_release(a);
    check_all("after releasing the first run");
    assert_int_equal(cfp_frame_state(m->pool, b), CFP_STATE_HEAD);
    assert_int_equal(cfp_frame_state(m->pool, b + 1), CFP_STATE_USED);
    step_release(c); /* run ends at the end of the pool */
    check_all("after releasing the last run");
    step_release(b);
    assert_int_equal(cfp_free_count(m->pool), 40);
    check_all("end");
}

static void test_mark_inaccessible(void **state)
{
    (void)state;
    struct model *m = model_init(0, 100, 50, 0, "A"); /* [100, 150) */
    step_mark(m, 120, 5);
    step_mark(m, 122, 5); /* partly already inaccessible: fine */
    step_mark(m, 140, 0); /* nothing */
    step_mark(m, 149, 1); /* last frame */
    check_all("after marks");
    /* Outside, partly or wholly. */
    step_mark(m, 99, 2);
    step_mark(m, 148, 3);
    step_mark(m, 150, 1);
    step_mark(m, 10, 5);
    step_mark(m, 99, 60);
    step_mark(m, 130, ~0ul);
    check_all("after bad marks");
    /* Over allocated frames: the info frame, or a run. */
    step_mark(m, 100, 1);
    unsigned long f = cfp_get_frames(m->pool, 2);
    model_set_run(m, f - m->base, 2);
    step_mark(m, f + 1, 1);
    step_mark(m, f - 1, 3);
    check_all("after busy marks");
    /* Inaccessible frames are never handed out. */
    unsigned long g;
    while ((g = cfp_get_frames(m->pool, 1)) != 0) {
        assert_int_not_equal(cfp_frame_state(m->pool, g), CFP_STATE_INACCESSIBLE);
        model_set_run(m, g - m->base, 1);
    }
    check_all("after exhausting");
    assert_int_equal(cfp_free_count(m->pool), 0);
    unsigned long counts[4];
    cfp_count_states(m->pool, counts);
    assert_int_equal(counts[CFP_STATE_INACCESSIBLE], 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_needed_info_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_internal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_external, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_bad_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_zero_and_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exhaustion_leaves_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_bad_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_stops_at_next_head, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mark_inaccessible, setup, teardown),
    };
    return cmocka_run_group_tests_name("cont_frame_pool", tests, NULL, NULL);
}
