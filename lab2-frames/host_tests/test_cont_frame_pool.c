/* test_cont_frame_pool.c: host unit tests of cont_frame_pool.c against a reference model. */
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
#include "lab2-frames/cont_frame_pool.h"
#include "lab2-frames/phys_mem.h"

/*
 * The pool under test is the kernel's cont_frame_pool.c, compiled unchanged.
 * Its bitmaps live in a simulated RAM buffer (physical frames 0 ..
 * RAM_FRAMES - 1) reached through the phys_to_ptr() below; pools may lie
 * above the simulated RAM as long as their bitmap is inside it (the pool
 * never touches the frames it manages). The buffer is filled with a canary
 * byte, and tests check that nothing outside the bitmaps was ever written.
 *
 * The randomised tests drive one or more pools with a random mix of
 * get/release/mark operations, good and bad, and after every step compare
 * the state of every frame and the free count with a reference model (a
 * plain array of states), and the log with what the operation should have
 * printed (nothing on success, one "cfp: " line on bad input).
 */

/* ---- Simulated RAM ----------------------------------------------------- */

#define RAM_FRAMES 4096ul /* 16 MiB */
#define RAM_BYTES (RAM_FRAMES * CFP_FRAME_SIZE)
#define CANARY 0xA5

static unsigned char *ram;

void *phys_to_ptr(unsigned long paddr)
{
    if (ram == NULL || paddr >= RAM_BYTES)
        fail_msg("phys_to_ptr(0x%lx): outside the simulated RAM", paddr);
    return ram + paddr;
}

/* Raw bitmap word WI of POOL (through the simulated RAM). */
static uint32_t raw_word(const struct cont_frame_pool *pool, unsigned long wi)
{
    uint32_t w;
    memcpy(&w, ram + cfp_info_frame(pool) * CFP_FRAME_SIZE + 4 * wi, 4);
    return w;
}

/* Every byte of RAM outside the bitmaps of the pools in POOLS still holds
 * the canary. (Only the bitmap words themselves may be written.) */
static void check_canary(struct cont_frame_pool *const *pools, int n_pools)
{
    for (unsigned long a = 0; a < RAM_BYTES; a++) {
        uint64_t chunk;
        if (a % 8 == 0 && a + 8 <= RAM_BYTES) {
            memcpy(&chunk, ram + a, 8);
            if (chunk == 0x0101010101010101ull * CANARY) {
                a += 7;
                continue;
            }
        }
        if (ram[a] == CANARY)
            continue;
        bool inside = false;
        for (int i = 0; i < n_pools && !inside; i++) {
            unsigned long lo = cfp_info_frame(pools[i]) * CFP_FRAME_SIZE;
            unsigned long words = (cfp_n_frames(pools[i]) + 15) / 16;
            inside = a >= lo && a < lo + 4 * words;
        }
        if (!inside)
            fail_msg("simulated RAM written at 0x%lx (frame %lu), outside "
                     "every bitmap", a, a / CFP_FRAME_SIZE);
    }
}

/* ---- Fixtures ---------------------------------------------------------- */

/* Pool structs live here (static) so that they outlive each test. */
#define MAX_POOLS 8
static struct cont_frame_pool pools[MAX_POOLS];
static int n_models; /* models in use (see below) */

static int setup(void **state)
{
    (void)state;
    ram = malloc(RAM_BYTES);
    assert_non_null(ram);
    for (unsigned long a = 0; a < RAM_BYTES; a++)
        ram[a] = CANARY;
    for (int i = 0; i < MAX_POOLS; i++)
        memset(&pools[i], 0x5A, sizeof pools[i]); /* garbage, as on a stack */
    n_models = 0;
    host_clear_log();
    return 0;
}

/* Unregister every pool (newest first, so nested pools go before their
 * outer pool). */
static void fini_all(void)
{
    struct cont_frame_pool *p;
    while ((p = cfp_first_pool()) != NULL)
        assert_int_equal(cfp_fini(p), CFP_OK);
}

static int teardown(void **state)
{
    (void)state;
    fini_all();
    cfp_set_guard(NULL, NULL);
    free(ram);
    ram = NULL;
    return 0;
}

/* The log holds exactly one line, starting with "cfp: ". Clears it. */
static void expect_one_message(void)
{
    const char *log = host_last_log();
    if (strncmp(log, "cfp: ", 5) != 0)
        fail_msg("expected a \"cfp: \" message, log is \"%s\"", log);
    const char *nl = strchr(log, '\n');
    if (nl == NULL || nl[1] != '\0')
        fail_msg("expected exactly one line, log is \"%s\"", log);
    host_clear_log();
}

static void expect_no_message(void)
{
    if (host_last_log()[0] != '\0')
        fail_msg("expected no message, log is \"%s\"", host_last_log());
}

/* ---- Reference model --------------------------------------------------- */

struct model {
    struct cont_frame_pool *pool;
    unsigned long base, n, n_info;
    bool internal;
    unsigned char st[300000];    /* enum cfp_state per frame */
    unsigned char guard[300000]; /* 1: Head of a run holding a bitmap */
    unsigned long free;
};

static struct model models[MAX_POOLS];

static void model_set_run(struct model *m, unsigned long idx, unsigned long n)
{
    m->st[idx] = CFP_STATE_HEAD;
    for (unsigned long i = idx + 1; i < idx + n; i++)
        m->st[i] = CFP_STATE_USED;
    m->free -= n;
}

/* Initialise pools[slot] and its model; INFO as for cfp_init. */
static struct model *model_init(int slot, unsigned long base, unsigned long n,
                                unsigned long info, const char *name)
{
    struct cont_frame_pool *pool = &pools[slot];
    assert_true(n_models < MAX_POOLS);
    struct model *m = &models[n_models++];

    assert_true(n <= sizeof m->st);
    assert_int_equal(cfp_init(pool, base, n, info), CFP_OK);
    expect_no_message();
    cfp_set_name(pool, name);
    memset(m, 0, sizeof *m);
    m->pool = pool;
    m->base = base;
    m->n = n;
    m->internal = info == 0;
    m->n_info = cfp_needed_info_frames(n);
    memset(m->st, CFP_STATE_FREE, n);
    m->free = n;
    if (m->internal)
        model_set_run(m, 0, m->n_info);
    return m;
}

static struct model *model_owner(unsigned long frame)
{
    for (int i = n_models - 1; i >= 0; i--)
        if (frame >= models[i].base && frame < models[i].base + models[i].n)
            return &models[i];
    return NULL;
}

static bool model_has_run(const struct model *m, unsigned long n)
{
    unsigned long run = 0;
    for (unsigned long i = 0; i < m->n; i++) {
        run = m->st[i] == CFP_STATE_FREE ? run + 1 : 0;
        if (run >= n)
            return true;
    }
    return false;
}

/* Pool and model agree on every frame, on the frames just outside, on the
 * free count, and the bits past the last frame are still 00. */
static void model_check(const struct model *m, const char *what)
{
    const struct cont_frame_pool *pool = m->pool;
    for (unsigned long i = 0; i < m->n; i++) {
        enum cfp_state s = cfp_frame_state(pool, m->base + i);
        if (s != m->st[i])
            fail_msg("%s: pool %s frame %lu (index %lu): state %d, model %d",
                     what, cfp_name(pool), m->base + i, i, s, m->st[i]);
    }
    assert_int_equal(cfp_frame_state(pool, m->base - 1), CFP_STATE_OUTSIDE);
    assert_int_equal(cfp_frame_state(pool, m->base + m->n), CFP_STATE_OUTSIDE);
    if (cfp_free_count(pool) != m->free)
        fail_msg("%s: pool %s free count %lu, model %lu", what, cfp_name(pool),
                 cfp_free_count(pool), m->free);
    if (m->n % 16 != 0) {
        uint32_t tail = raw_word(pool, m->n / 16) >> (2 * (m->n % 16));
        if (tail != 0)
            fail_msg("%s: pool %s: bits past the last frame are 0x%x, not 0",
                     what, cfp_name(pool), tail);
    }
}

static void check_all(const char *what)
{
    for (int i = 0; i < n_models; i++)
        model_check(&models[i], what);
}

/* What cfp_release_frames(FRAME) must return, per the model. */
static int model_release_result(unsigned long frame)
{
    struct model *m = model_owner(frame);
    if (m == NULL)
        return CFP_ERR_NO_POOL;
    unsigned long idx = frame - m->base;
    if (m->internal && idx < m->n_info)
        return CFP_ERR_INFO_FRAMES;
    switch (m->st[idx]) {
    case CFP_STATE_HEAD:
        return m->guard[idx] ? CFP_ERR_INFO_FRAMES : CFP_OK;
    case CFP_STATE_USED:
        return CFP_ERR_NOT_HEAD;
    case CFP_STATE_FREE:
        return CFP_ERR_NOT_ALLOCATED;
    default:
        return CFP_ERR_INACCESSIBLE;
    }
}

static void model_release(unsigned long frame)
{
    struct model *m = model_owner(frame);
    unsigned long i = frame - m->base;
    m->st[i++] = CFP_STATE_FREE;
    while (i < m->n && m->st[i] == CFP_STATE_USED)
        m->st[i++] = CFP_STATE_FREE;
    m->free += i - (frame - m->base);
}

/* ---- Random driver ----------------------------------------------------- */

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

static void step_get(struct model *m, unsigned long n, const char *what)
{
    unsigned long f = cfp_get_frames(m->pool, (unsigned int)n);
    if (n == 0 || n > m->n) {
        assert_int_equal(f, 0);
        expect_one_message();
        return;
    }
    expect_no_message();
    if (f == 0) {
        if (model_has_run(m, n))
            fail_msg("%s: get_frames(%lu) failed on pool %s but the model has "
                     "a free run", what, n, cfp_name(m->pool));
        return;
    }
    if (f < m->base || f + n > m->base + m->n)
        fail_msg("%s: get_frames(%lu) on pool %s returned %lu, not inside "
                 "[%lu, %lu)", what, n, cfp_name(m->pool), f, m->base,
                 m->base + m->n);
    for (unsigned long i = f - m->base; i < f - m->base + n; i++)
        if (m->st[i] != CFP_STATE_FREE)
            fail_msg("%s: get_frames(%lu) on pool %s returned %lu, but frame "
                     "%lu was not free (model state %d)", what, n,
                     cfp_name(m->pool), f, m->base + i, m->st[i]);
    model_set_run(m, f - m->base, n);
}

static void step_release(unsigned long frame)
{
    int expected = model_release_result(frame);
    int rc = cfp_release_frames(frame);
    if (rc != expected)
        fail_msg("release_frames(%lu): returned %d (%s), expected %d (%s)",
                 frame, rc, cfp_strerror(rc), expected, cfp_strerror(expected));
    if (rc == CFP_OK) {
        expect_no_message();
        model_release(frame);
    } else {
        expect_one_message();
    }
}

static void step_mark(struct model *m, unsigned long base, unsigned long n)
{
    int expected = CFP_OK;
    if (n > 0) {
        if (base < m->base || base >= m->base + m->n || n > m->base + m->n - base)
            expected = CFP_ERR_RANGE;
        else
            for (unsigned long i = base - m->base; i < base - m->base + n; i++)
                if (m->st[i] == CFP_STATE_HEAD || m->st[i] == CFP_STATE_USED)
                    expected = CFP_ERR_BUSY;
    }
    int rc = cfp_mark_inaccessible(m->pool, base, n);
    if (rc != expected)
        fail_msg("mark_inaccessible(%lu, %lu) on pool %s: returned %d, "
                 "expected %d", base, n, cfp_name(m->pool), rc, expected);
    if (rc != CFP_OK) {
        expect_one_message();
        return;
    }
    expect_no_message();
    for (unsigned long i = base - m->base; i < base - m->base + n; i++)
        if (m->st[i] == CFP_STATE_FREE) {
            m->st[i] = CFP_STATE_INACCESSIBLE;
            m->free--;
        }
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

/* ---- Directed tests ---------------------------------------------------- */

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

/* cfp_init refuses P and the pool is not registered, nothing written. */
static void expect_init_refused(unsigned long base, unsigned long n,
                                unsigned long info, int expected)
{
    struct cont_frame_pool *p = &pools[MAX_POOLS - 1];
    struct cont_frame_pool *first = cfp_first_pool();
    int rc = cfp_init(p, base, n, info);
    if (rc != expected)
        fail_msg("cfp_init(%lu, %lu, %lu) returned %d, expected %d", base, n,
                 info, rc, expected);
    expect_one_message();
    assert_ptr_equal(cfp_first_pool(), first);
    for (struct cont_frame_pool *q = cfp_first_pool(); q; q = cfp_next_pool(q))
        assert_ptr_not_equal(q, p);
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
        cmocka_unit_test_setup_teardown(test_tail_bits_never_handed_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_across_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_free_run_every_placement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_next_fit_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guard_called, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unregistered_pool_asserts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_internal_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_external_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_two_pools, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_three_pools, setup, teardown),
    };
    return cmocka_run_group_tests_name("cont_frame_pool", tests, NULL, NULL);
}
