/* test_cfp_random.c: randomised host tests of the frame pool: random get/release/mark sequences checked against the model after every step. */
#include "lab2-frames/host_tests/cfp_test_model.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [lo, hi]. */
static unsigned long rnd_range(unsigned long lo, unsigned long hi)
{
    return lo + (unsigned long)(rnd() % (hi - lo + 1));
}

static unsigned long random_request(const struct model *m)
{
    unsigned int r = (unsigned int)(rnd() % 100);
    if (r < 45)
        return rnd_range(1, 4);
    if (r < 70)
        return rnd_range(1, 16);
    if (r < 85)
        return rnd_range(1, 64 < m->n ? 64 : m->n);
    if (r < 95)
        return rnd_range(1, m->n);
    return rnd_range(m->n > 2 ? m->n - 2 : 1, m->n + 1);
}

/* A random Head of model M that may be released (not an info-frame run);
 * 0 if there is none. */
static unsigned long random_head(const struct model *m)
{
    unsigned long start = rnd_range(0, m->n - 1);
    for (unsigned long k = 0; k < m->n; k++) {
        unsigned long i = (start + k) % m->n;
        if (m->st[i] == CFP_STATE_HEAD && !m->guard[i] &&
            !(m->internal && i < m->n_info))
            return m->base + i;
    }
    return 0;
}

static void random_step(int step)
{
    char what[64];
    struct model *m = &models[rnd() % (unsigned long)n_models];
    unsigned int r = (unsigned int)(rnd() % 100);

    snprintf(what, sizeof what, "step %d", step);
    if (r < 45) {
        step_get(m, random_request(m), what);
    } else if (r < 78) {
        unsigned long f = random_head(m);
        if (f != 0)
            step_release(f);
    } else if (r < 92) {
        /* Any frame of the pool: mostly bad releases (including the Heads
         * of other pools' info frames, which must be refused). */
        step_release(m->base + rnd_range(0, m->n - 1));
    } else if (r < 94) {
        /* A frame in no pool (or in another one: routing). */
        step_release(rnd_range(1, 400000));
    } else if (m->n >= 64 || rnd() % 4 == 0) {
        /* (Rarely in small pools, which would soon be all inaccessible.) */
        unsigned long base = m->base + rnd_range(0, m->n + 2) - 1;
        unsigned long n = rnd() % 8 == 0 ? rnd_range(0, m->n + 1) : rnd_range(0, 3);
        step_mark(m, base, n);
    }
    check_all(what);
}

/* One pool specification of a scenario. info: 0 internal; INFO_FROM_FIRST:
 * frames allocated from the scenario's first pool; else that frame. */
#define INFO_FROM_FIRST (~0ul)
struct pool_spec {
    unsigned long base, n, info;
};

static void build_scenario(const struct pool_spec *specs, int n_specs)
{
    static const char *names[] = {"A", "B", "C", "D", "E", "F", "G", "H"};
    n_models = 0;
    for (int i = 0; i < n_specs; i++) {
        unsigned long info = specs[i].info;
        if (info == INFO_FROM_FIRST) {
            unsigned long k = cfp_needed_info_frames(specs[i].n);
            info = cfp_get_frames(models[0].pool, (unsigned int)k);
            assert_int_not_equal(info, 0);
            model_set_run(&models[0], info - models[0].base, k);
            models[0].guard[info - models[0].base] = 1;
        }
        model_init(i, specs[i].base, specs[i].n, info, names[i]);
    }
    check_all("after init");
}

static void run_scenario(const struct pool_spec *specs, int n_specs,
                         uint64_t seed, int steps, int epochs)
{
    unsigned long total = 0;
    for (int i = 0; i < n_specs; i++)
        total += specs[i].n;
    /* Keep the per-step full comparison affordable on large pools. */
    if ((unsigned long)steps * total > 20000000ul)
        steps = (int)(20000000ul / total) + 1;
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int e = 0; e < epochs; e++) {
        build_scenario(specs, n_specs);
        for (int s = 0; s < steps; s++)
            random_step(s);
        struct cont_frame_pool *ps[MAX_POOLS];
        for (int i = 0; i < n_specs; i++)
            ps[i] = &pools[i];
        check_canary(ps, n_specs);
        fini_all();
    }
}

/* ---- Randomised tests -------------------------------------------------- */

/* One pool with its bitmap inside, sizes around every word boundary. */
static void test_random_internal_sizes(void **state)
{
    (void)state;
    static const unsigned long sizes[] = {2,  3,  5,   15,  16,   17,   31,
                                          32, 33, 47,  48,  100,  257,  1000,
                                          4095, 4096, 16384, 16385, 20000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct pool_spec spec = {7, sizes[i], 0};
        run_scenario(&spec, 1, 100 + i, 1500, 3);
    }
}

/* One pool with its bitmap in frames outside it (and outside the simulated
 * RAM's pools); the pool itself lies above the simulated RAM. */
static void test_random_external_sizes(void **state)
{
    (void)state;
    static const unsigned long sizes[] = {1, 2, 7, 16, 17, 63, 64, 65, 1023,
                                          5000, 40000, 262144};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct pool_spec spec = {8192, sizes[i], 100};
        run_scenario(&spec, 1, 200 + i, 1500, 3);
    }
}

/* Two pools at once: releases must be routed to the owning pool; the
 * second pool's bitmap is allocated from the first. */
static void test_random_two_pools(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < 6; seed++) {
        struct pool_spec specs[] = {
            {10, 700, 0},
            {2000, 1500 + (unsigned long)seed, INFO_FROM_FIRST},
        };
        run_scenario(specs, 2, 300 + seed, 2000, 2);
    }
}

/* Three pools, two of them adjacent, one above the simulated RAM. */
static void test_random_three_pools(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < 4; seed++) {
        struct pool_spec specs[] = {
            {50, 333, 0},
            {383, 129, 0}, /* starts right after the first */
            {70000, 20000, INFO_FROM_FIRST},
        };
        run_scenario(specs, 3, 400 + seed, 2000, 2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_random_internal_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_external_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_two_pools, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_three_pools, setup, teardown),
    };
    return cmocka_run_group_tests_name("cont_frame_pool random", tests, NULL, NULL);
}
