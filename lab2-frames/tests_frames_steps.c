/* tests_frames_steps.c: lab 2's test failures name the handout step they point at (README "What to implement"). */
#include <stdarg.h>
#include <stdint.h>

#include "common/format.h"
#include "common/kstep.h"
#include "common/kstring.h"
#include "lab2-frames/cfp_bitmap.h"
#include "lab2-frames/frames.h"
#include "lab2-frames/tests_frames_support.h"

/* The handout's steps, in its order (README, "What to implement"), then the
 * challenge (never probed). */
#define STEPS_PROBED 6
#define STEP_CHALLENGE 7
static const char *const steps_text[] = {
    [1] = "step 1 (cfp_get_state/cfp_set_state)",
    [2] = "step 2 (cfp_init_bitmap)",
    [3] = "step 3 (cfp_needed_info_frames)",
    [4] = "step 4 (cfp_allocate)",
    [5] = "step 5 (cfp_release_run)",
    [6] = "step 6 (cfp_mark_range)",
    [STEP_CHALLENGE] = "challenge (buddy allocator)",
};

/* The step each test checks: the README's list of steps. Most tests need
 * steps 1-5 to run at all (pools made, frames given back); when one of
 * those is not done the probes below name it instead. */
static const struct kstep_test steps_of_test[] = {
    {"buddy_*", STEP_CHALLENGE},
    {"frames_bitmap_layout", 1},
    {"frames_state_transitions", 1},
    {"frames_pools_layout", 2},
    {"frames_info_frames_never_handed_out", 2},
    {"frames_bitmap_bounds_init", 2},
    {"frames_bad_overlapping_pool", 2},
    {"frames_needed_info_frames", 3},
    {"frames_needed_info_frames_no_overflow", 3},
    {"frames_recursive_kernel_pool", 4},
    {"frames_recursive_process_pool", 4},
    {"frames_contiguous_head_used", 4},
    {"frames_fragmentation_large_request", 4},
    {"frames_exact_fit_runs", 4},
    {"frames_exhaustion_state_unchanged", 4},
    {"frames_next_fit_order", 4},
    {"frames_every_placement", 4},
    {"frames_search_skips_only_full_words", 4},
    {"frames_bitmap_bounds_search", 4},
    {"frames_hint_wraps_at_end", 4},
    {"frames_wrapped_run_into_start_word", 4},
    {"frames_search_lone_frame_any_neighbours", 4},
    {"frames_run_of_15_starts_a_word", 4},
    {"frames_bitmap_never_past_its_end", 4},
    {"frames_bad_get_zero", 4},
    {"frames_bad_get_too_large", 4},
    {"frames_release_exact_run", 5},
    {"frames_release_routing", 5},
    {"frames_bad_release_not_head", 5},
    {"frames_bad_double_release", 5},
    {"frames_bad_release_no_pool", 5},
    {"frames_e820_reserved_inaccessible", 6},
    {"frames_inaccessible_never_handed_out", 6},
    {"frames_bad_mark_outside", 6},
};

int tests_frames_helper_step;

/* A support helper's step while it runs (tests_frames_support.c), except
 * in the challenge's tests. */
static int steps_now(const char *test)
{
    if (test != NULL && strncmp(test, "buddy_", 6) == 0)
        return 0;
    return tests_frames_helper_step;
}

/* ---- Probes: each step's functions on a scratch bitmap ------------------ */

/* A 40-frame pool that is never registered: its bitmap is this array (two
 * and a half words, then a canary word the pool must not touch). Only the
 * bitmap functions of cfp_bitmap.[ch] see it. */
#define PROBE_FRAMES 40ul
#define PROBE_BASE 0x7FFF0ul /* a frame number no pool uses: never dereferenced */
#define PROBE_CANARY 0xC0FFEE11u
static struct cont_frame_pool probe_pool;
static uint32_t probe_bits[4];

/* A fresh scratch pool, bitmap written by hand: all Free, tail bits 00. */
static struct cont_frame_pool *probe_fresh(void)
{
    memset(&probe_pool, 0, sizeof probe_pool);
    probe_pool.base_frame_no = PROBE_BASE;
    probe_pool.n_frames = PROBE_FRAMES;
    probe_pool.info_frame_no = PROBE_BASE - 1;
    probe_pool.n_info_frames = 1;
    probe_pool.bitmap = probe_bits;
    probe_pool.free_count = PROBE_FRAMES;
    probe_bits[0] = probe_bits[1] = 0x55555555u;
    probe_bits[2] = 0x00005555u; /* frames 32-39 */
    probe_bits[3] = PROBE_CANARY;
    return &probe_pool;
}

static const char *const probe_state_name[] = {"Used", "Free", "Head", "Inaccessible"};

static const char *probe_state(unsigned s)
{
    return s < 4 ? probe_state_name[s] : "not a state";
}

/* Step 1: frames 0-4 of word 0x00000069 are Free, Head, Head, Free, Used;
 * setting a frame changes its two bits and nothing else. */
static bool probe_step1(char *why, size_t size)
{
    static const enum cfp_state want[] = {CFP_STATE_FREE, CFP_STATE_HEAD, CFP_STATE_HEAD,
                                          CFP_STATE_FREE, CFP_STATE_USED};
    struct cont_frame_pool *p = probe_fresh();
    probe_bits[1] = 0x0000000Cu; /* frame 17 Inaccessible, 16 and 18-31 Used */
    probe_bits[0] = 0x00000069u;
    for (unsigned i = 0; i < 5; i++) {
        enum cfp_state s = cfp_get_state(p, i);
        if (s != want[i]) {
            ksnprintf(why, size, "cfp_get_state(frame %u) of the word 0x00000069 is %u (%s), "
                      "expected %u (%s): frame i is bits 2*(i %% 16) and up of word i / 16",
                      i, (unsigned)s, probe_state(s), (unsigned)want[i], probe_state(want[i]));
            return false;
        }
    }
    if (cfp_get_state(p, 17) != CFP_STATE_INACCESSIBLE) {
        ksnprintf(why, size, "cfp_get_state(frame 17) with word 1 = 0x0000000c is %u, "
                  "expected 3 (Inaccessible)", (unsigned)cfp_get_state(p, 17));
        return false;
    }
    cfp_set_state(p, 18, CFP_STATE_HEAD);
    cfp_set_state(p, 3, CFP_STATE_INACCESSIBLE);
    if (probe_bits[1] != 0x0000002Cu || probe_bits[0] != 0x000000E9u) {
        ksnprintf(why, size, "cfp_set_state(frame 18, Head) and (frame 3, Inaccessible) left "
                  "words 0x%08x 0x%08x, expected 0x000000e9 0x0000002c: a frame's two bits "
                  "change, the word's other 15 frames do not",
                  (unsigned)probe_bits[0], (unsigned)probe_bits[1]);
        return false;
    }
    return true;
}

/* Step 2: init writes 2.5 words of Free (tail 00) and nothing after them;
 * an internal bitmap's frame becomes a Head. */
static bool probe_step2(char *why, size_t size)
{
    struct cont_frame_pool *p = probe_fresh();
    probe_bits[0] = probe_bits[1] = probe_bits[2] = 0xAAAAAAAAu;
    p->free_count = 7;
    p->hint = 9;
    cfp_init_bitmap(p);
    if (probe_bits[0] != 0x55555555u || probe_bits[1] != 0x55555555u ||
        probe_bits[2] != 0x00005555u || probe_bits[3] != PROBE_CANARY) {
        ksnprintf(why, size, "cfp_init_bitmap on a 40-frame pool wrote 0x%08x 0x%08x 0x%08x "
                  "0x%08x, expected 0x55555555 0x55555555 0x00005555 and the word after "
                  "the bitmap untouched (0x%08x)", (unsigned)probe_bits[0],
                  (unsigned)probe_bits[1], (unsigned)probe_bits[2], (unsigned)probe_bits[3],
                  PROBE_CANARY);
        return false;
    }
    if (p->free_count != PROBE_FRAMES || p->hint != 0) {
        ksnprintf(why, size, "cfp_init_bitmap left free_count %lu and hint %lu, expected "
                  "%lu and 0", p->free_count, p->hint, PROBE_FRAMES);
        return false;
    }
    p = probe_fresh();
    p->info_internal = true;
    p->info_frame_no = PROBE_BASE;
    cfp_init_bitmap(p);
    if (cfp_get_state(p, 0) != CFP_STATE_HEAD || p->free_count != PROBE_FRAMES - 1) {
        ksnprintf(why, size, "with the bitmap in the pool's own first frame, cfp_init_bitmap "
                  "left that frame %s and free_count %lu, expected Head and %lu",
                  probe_state(cfp_get_state(p, 0)), p->free_count, PROBE_FRAMES - 1);
        return false;
    }
    return true;
}

/* Step 3: 16384 frames per info frame, rounded up, no overflow. */
static bool probe_step3(char *why, size_t size)
{
    static const unsigned long n[] = {1, 16384, 16385, 0xFFFFFFFFul};
    static const unsigned long want[] = {1, 1, 2, 262144};
    for (unsigned i = 0; i < 4; i++) {
        unsigned long got = cfp_needed_info_frames(n[i]);
        if (got != want[i]) {
            ksnprintf(why, size, "cfp_needed_info_frames(%lu) is %lu, expected %lu "
                      "(one 4096-byte frame holds the 2 bits of 16384 frames; round up)",
                      n[i], got, want[i]);
            return false;
        }
    }
    return true;
}

/* Step 4: on an empty pool, 3 frames at frame 0 (Head, Used, Used), then 20
 * right after them across the word boundary; the hint follows. */
static bool probe_step4(char *why, size_t size)
{
    struct cont_frame_pool *p = probe_fresh();
    unsigned long a = cfp_allocate(p, 3);
    if (a != PROBE_BASE || cfp_get_state(p, 0) != CFP_STATE_HEAD ||
        cfp_get_state(p, 2) != CFP_STATE_USED || p->free_count != PROBE_FRAMES - 3) {
        ksnprintf(why, size, "cfp_allocate(3) on an empty 40-frame pool returned %lu, "
                  "left frames 0 and 2 %s and %s and free_count %lu; expected its first "
                  "frame %lu, Head, Used, %lu", a,
                  probe_state(cfp_get_state(p, 0)), probe_state(cfp_get_state(p, 2)),
                  p->free_count, PROBE_BASE, PROBE_FRAMES - 3);
        return false;
    }
    unsigned long b = cfp_allocate(p, 20);
    if (b != PROBE_BASE + 3 || cfp_get_state(p, 22) != CFP_STATE_USED ||
        cfp_get_state(p, 23) != CFP_STATE_FREE || p->hint != 23) {
        ksnprintf(why, size, "after cfp_allocate(3), cfp_allocate(20) returned frame %lu of "
                  "the pool with hint %lu, expected frame 3 (a run across the first word's "
                  "end) and hint 23", b - PROBE_BASE, p->hint);
        return false;
    }
    return true;
}

/* Step 5: a release must start at a Head and stop at the next run's Head. */
static bool probe_step5(char *why, size_t size)
{
    struct cont_frame_pool *p = probe_fresh();
    probe_bits[0] = 0x55555582u; /* Head Used Used Head, then Free */
    p->free_count = PROBE_FRAMES - 4;
    int err = cfp_release_run(p, 1);
    if (err != CFP_ERR_NOT_HEAD || probe_bits[0] != 0x55555582u) {
        ksnprintf(why, size, "cfp_release_run on the second frame of a run returned %d and "
                  "left word 0 0x%08x, expected %d (CFP_ERR_NOT_HEAD) and nothing changed",
                  err, (unsigned)probe_bits[0], CFP_ERR_NOT_HEAD);
        return false;
    }
    err = cfp_release_run(p, 0);
    if (err != CFP_OK || probe_bits[0] != 0x55555595u || p->free_count != PROBE_FRAMES - 1) {
        ksnprintf(why, size, "cfp_release_run(0) of the run Head Used Used, with a run "
                  "after it, returned %d, left word 0 0x%08x and free_count %lu, expected "
                  "0 (CFP_OK), 0x55555595 (the next run kept) and %lu", err,
                  (unsigned)probe_bits[0], p->free_count, PROBE_FRAMES - 1);
        return false;
    }
    err = cfp_release_run(p, 0);
    if (err != CFP_ERR_NOT_ALLOCATED) {
        ksnprintf(why, size, "releasing the same run twice returned %d, expected %d "
                  "(CFP_ERR_NOT_ALLOCATED)", err, CFP_ERR_NOT_ALLOCATED);
        return false;
    }
    return true;
}

/* Step 6: Free frames become Inaccessible; a range with a Head is refused. */
static bool probe_step6(char *why, size_t size)
{
    struct cont_frame_pool *p = probe_fresh();
    int err = cfp_mark_range(p, 2, 3);
    if (err != CFP_OK || probe_bits[0] != 0x555557F5u || p->free_count != PROBE_FRAMES - 3) {
        ksnprintf(why, size, "cfp_mark_range(frames 2-4) of an empty pool returned %d, left "
                  "word 0 0x%08x and free_count %lu, expected 0 (CFP_OK), 0x555557f5 and %lu",
                  err, (unsigned)probe_bits[0], p->free_count, PROBE_FRAMES - 3);
        return false;
    }
    probe_bits[1] = 0x55555556u; /* frame 16 a Head */
    err = cfp_mark_range(p, 15, 2);
    if (err != CFP_ERR_BUSY || probe_bits[0] != 0x555557F5u) {
        ksnprintf(why, size, "cfp_mark_range over a Head returned %d and left word 0 "
                  "0x%08x, expected %d (CFP_ERR_BUSY) and nothing changed", err,
                  (unsigned)probe_bits[0], CFP_ERR_BUSY);
        return false;
    }
    return true;
}

static kstep_probe_fn *const steps_probe[STEPS_PROBED + 1] = {
    [1] = probe_step1, [2] = probe_step2, [3] = probe_step3,
    [4] = probe_step4, [5] = probe_step5, [6] = probe_step6,
};

static const struct kstep_table steps = {
    .text = steps_text, .n_text = KSTEP_LEN(steps_text),
    .probe = steps_probe, .n_probed = STEPS_PROBED, .probe_unowned = true,
    .tests = steps_of_test, .n_tests = KSTEP_LEN(steps_of_test),
    .step_now = steps_now,
};

int tests_frames_first_undone(char *why, size_t size)
{
    return kstep_first_undone(&steps, why, size);
}

void tests_frames_fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kstep_fail_at(&steps, file, line, fmt, ap);
}

void tests_frames_require_pools(void)
{
    if (!frames_available())
        KT_FAIL("frames_init() could not build the system pools at boot (its message is "
                "in the boot output)");
}
