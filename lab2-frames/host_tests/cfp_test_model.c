/* cfp_test_model.c: shared fixture of the frame-pool host tests: simulated RAM, reference model, checked steps. */
#include "lab2-frames/host_tests/cfp_test_model.h"

/* ---- Simulated RAM ----------------------------------------------------- */

unsigned char *ram;

void *phys_to_ptr(unsigned long paddr)
{
    if (ram == NULL || paddr >= RAM_BYTES)
        fail_msg("phys_to_ptr(0x%lx): outside the simulated RAM", paddr);
    return ram + paddr;
}

/* Raw bitmap word WI of POOL (through the simulated RAM). */
uint32_t raw_word(const struct cont_frame_pool *pool, unsigned long wi)
{
    uint32_t w;
    memcpy(&w, ram + cfp_info_frame(pool) * CFP_FRAME_SIZE + 4 * wi, 4);
    return w;
}

/* Every byte of RAM outside the bitmaps of the pools in POOLS still holds
 * the canary. (Only the bitmap words themselves may be written.) */
void check_canary(struct cont_frame_pool *const *pools, int n_pools)
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

/* Pool structs live here (static storage) so that they outlive each test. */
struct cont_frame_pool pools[MAX_POOLS];
int n_models; /* models in use (see below) */

int setup(void **state)
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
void fini_all(void)
{
    struct cont_frame_pool *p;
    while ((p = cfp_first_pool()) != NULL)
        assert_int_equal(cfp_fini(p), CFP_OK);
}

int teardown(void **state)
{
    (void)state;
    fini_all();
    cfp_set_guard(NULL, NULL);
    free(ram);
    ram = NULL;
    return 0;
}

/* The log holds exactly one line, starting with "cfp: ". Clears it. */
void expect_one_message(void)
{
    const char *log = host_last_log();
    if (strncmp(log, "cfp: ", 5) != 0)
        fail_msg("expected a \"cfp: \" message, log is \"%s\"", log);
    const char *nl = strchr(log, '\n');
    if (nl == NULL || nl[1] != '\0')
        fail_msg("expected exactly one line, log is \"%s\"", log);
    host_clear_log();
}

void expect_no_message(void)
{
    if (host_last_log()[0] != '\0')
        fail_msg("expected no message, log is \"%s\"", host_last_log());
}

/* ---- Reference model --------------------------------------------------- */


struct model models[MAX_POOLS];

void model_set_run(struct model *m, unsigned long idx, unsigned long n)
{
    m->st[idx] = CFP_STATE_HEAD;
    for (unsigned long i = idx + 1; i < idx + n; i++)
        m->st[i] = CFP_STATE_USED;
    m->free -= n;
}

/* Initialise pools[slot] and its model; INFO as for cfp_init. */
struct model *model_init(int slot, unsigned long base, unsigned long n,
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

struct model *model_owner(unsigned long frame)
{
    for (int i = n_models - 1; i >= 0; i--)
        if (frame >= models[i].base && frame < models[i].base + models[i].n)
            return &models[i];
    return NULL;
}

bool model_has_run(const struct model *m, unsigned long n)
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
void model_check(const struct model *m, const char *what)
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

void check_all(const char *what)
{
    for (int i = 0; i < n_models; i++)
        model_check(&models[i], what);
}

/* What cfp_release_frames(FRAME) must return, per the model. */
int model_release_result(unsigned long frame)
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

void model_release(unsigned long frame)
{
    struct model *m = model_owner(frame);
    unsigned long i = frame - m->base;
    m->st[i++] = CFP_STATE_FREE;
    while (i < m->n && m->st[i] == CFP_STATE_USED)
        m->st[i++] = CFP_STATE_FREE;
    m->free += i - (frame - m->base);
}

/* ---- Steps: one operation on pool and model, checked --------------------- */

void step_get(struct model *m, unsigned long n, const char *what)
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

void step_release(unsigned long frame)
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

void step_mark(struct model *m, unsigned long base, unsigned long n)
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

/* cfp_init refuses P and the pool is not registered, nothing written. */
void expect_init_refused(unsigned long base, unsigned long n,
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
