/* tests_rr_guard.c: lab 5 test that frame-pool operations leave the caller's interrupt level as it was (nesting). */
#include "common/intr_level.h"
#include "lab2-frames/frames.h"
#include "tests_rr_util.h"

/* Get and release one frame; return the interrupt levels seen right after
 * each call. */
static void guard_round(enum intr_level *after_get, enum intr_level *after_release)
{
    struct cont_frame_pool *pool = frames_kernel_pool();
    unsigned long f = cfp_get_frames(pool, 1);
    *after_get = intr_get_level();
    if (f != 0)
        cfp_release_frames(f);
    *after_release = intr_get_level();
    if (f == 0)
        KT_FAIL("no free frame in the kernel pool");
}

KTEST(rr_frame_guard_nests)
{
    TESTS_REQUIRE_RR();
    enum intr_level get_level, release_level;
    const struct rr_guard_stats *g = rr_guard_stats();
    unsigned long enters = g->enters, open = g->open;
    /* Inside a caller's critical section: the pool's guard must not turn
     * interrupts back on when it leaves. */
    enum intr_level old = intr_disable();
    guard_round(&get_level, &release_level);
    intr_set_level(old);
    if (get_level != INTR_OFF || release_level != INTR_OFF)
        KT_FAIL("step 6 (frame-pool guard): a frame-pool call made inside a critical "
                "section returned with interrupts on: the guard must restore the previous "
                "level (intr_set_level(saved)), not enable them");
    /* Outside: it must not leave them off either. */
    intr_enable();
    guard_round(&get_level, &release_level);
    intr_set_level(old);
    if (get_level != INTR_ON || release_level != INTR_ON)
        KT_FAIL("step 6 (frame-pool guard): a frame-pool call made with interrupts on "
                "returned with them off: the guard must restore the previous level");
    /* Four pool calls: each one went through the guard, with interrupts off. */
    if (g->enters - enters < 4)
        KT_FAIL("step 6 (frame-pool guard): 4 frame-pool calls entered the guard %lu "
                "times: install it with cfp_set_guard", g->enters - enters);
    if (g->open != open)
        KT_FAIL("step 6 (frame-pool guard): %lu of %lu guarded pool calls ran with "
                "interrupts on: rr_guard_enter must disable them", g->open - open,
                g->enters - enters);
    /* Called directly: enter hands back the level it found. */
    intr_enable();
    int saved = rr_guard_enter();
    enum intr_level inside = intr_get_level();
    rr_guard_leave(saved);
    enum intr_level after = intr_get_level();
    intr_set_level(old);
    if (inside != INTR_OFF || after != INTR_ON)
        KT_FAIL("step 6 (frame-pool guard): rr_guard_enter with interrupts on left them "
                "%s; rr_guard_leave then left them %s (want off, then on again)",
                inside == INTR_OFF ? "off" : "on", after == INTR_OFF ? "off" : "on");
}
