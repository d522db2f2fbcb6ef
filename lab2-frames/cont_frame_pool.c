/* cont_frame_pool.c: ContFramePool's get, release and mark paths, the guard and the messages. */
#include "lab2-frames/cont_frame_pool.h"

#include <stddef.h>

#include "common/debug.h"
#include "common/kprintf.h"
#include "lab2-frames/cfp_bitmap.h"
#include "lab2-frames/cfp_registry.h"
#include "lab2-frames/phys_mem.h"

/*
 * This file and cfp_registry.c (the list of pools) and cfp_init.c (cfp_init,
 * cfp_fini) are the bookkeeping around the bitmap (parameter checks,
 * messages, the list of pools, the guard), given to students. The bitmap
 * itself (state get/set, initialisation, the run search, release, marking,
 * the info-frame arithmetic) is the lab: cfp_bitmap.h and cfp_bitmap.c.
 * They all compile unchanged into the kernel and into the host unit tests;
 * the only memory they touch outside struct cont_frame_pool is the bitmap,
 * reached through phys_to_ptr().
 */

static int (*cfp_guard_enter)(void);
static void (*cfp_guard_leave)(int);

int cfp_lock(void)
{
    return cfp_guard_enter != NULL ? cfp_guard_enter() : 0;
}

void cfp_unlock(int saved)
{
    if (cfp_guard_leave != NULL)
        cfp_guard_leave(saved);
}

void cfp_set_guard(int (*enter)(void), void (*leave)(int))
{
    KASSERT((enter == NULL) == (leave == NULL));
    cfp_guard_enter = enter;
    cfp_guard_leave = leave;
}

const char *cfp_name(const struct cont_frame_pool *pool)
{
    return pool->name != NULL ? pool->name : "(unnamed)";
}

const char *cfp_strerror(int err)
{
    switch (err) {
    case CFP_OK:
        return "success";
    case CFP_ERR_NO_POOL:
        return "frame is in no frame pool";
    case CFP_ERR_NOT_HEAD:
        return "not the head of a sequence (frame is inside an allocated run)";
    case CFP_ERR_NOT_ALLOCATED:
        return "frame is free (double release?)";
    case CFP_ERR_INACCESSIBLE:
        return "frame is inaccessible";
    case CFP_ERR_INFO_FRAMES:
        return "the frames hold a pool's bitmap (info frames are not released while the pool is registered)";
    case CFP_ERR_HOLDS_POOL:
        return "a registered frame pool lives in these frames (cfp_fini it first)";
    case CFP_ERR_RANGE:
        return "range is not inside the pool";
    case CFP_ERR_BUSY:
        return "range contains allocated frames";
    case CFP_ERR_OVERLAP:
        return "overlaps a registered frame pool";
    case CFP_ERR_INVALID:
        return "invalid parameters";
    case CFP_ERR_NOT_REGISTERED:
        return "pool is not registered";
    default:
        return "unknown error";
    }
}

/* Log a request cfp_get_frames refuses (zero frames, or more than the
 * pool); returns 0. Off the fast path. */
static __attribute__((noinline, cold)) unsigned long
cfp_bad_get(const struct cont_frame_pool *pool, unsigned int n_frames)
{
    if (n_frames == 0)
        kprintf("cfp: get_frames(0) from pool %s: a request for zero frames\n",
                cfp_name(pool));
    else
        kprintf("cfp: get_frames(%u) from pool %s: larger than the whole pool "
                "(%lu frames)\n", n_frames, cfp_name(pool), pool->n_frames);
    return 0;
}

/* cfp_get_frames with a guard installed. Kept out of line so that the
 * unguarded path saves no registers. */
static __attribute__((noinline)) unsigned long
cfp_get_frames_guarded(struct cont_frame_pool *pool, unsigned int n_frames)
{
    int saved = cfp_guard_enter();
    unsigned long frame = cfp_allocate(pool, n_frames);
    cfp_guard_leave(saved);
    return frame;
}

unsigned long cfp_get_frames(struct cont_frame_pool *pool, unsigned int n_frames)
{
    KASSERT(pool != NULL);
    /* One comparison for both bad sizes: 0 - 1 wraps to the largest value. */
    if (n_frames - 1ul >= pool->n_frames)
        return cfp_bad_get(pool, n_frames);
    KASSERT(pool->registered == CFP_REGISTERED); /* cfp_init, and no cfp_fini */
    if (cfp_guard_enter != NULL)
        return cfp_get_frames_guarded(pool, n_frames);
    return cfp_allocate(pool, n_frames);
}

int cfp_mark_inaccessible(struct cont_frame_pool *pool,
                          unsigned long base_frame_no, unsigned long n_frames)
{
    KASSERT(pool != NULL);
    if (n_frames == 0)
        return CFP_OK;
    if (base_frame_no < pool->base_frame_no ||
        base_frame_no - pool->base_frame_no >= pool->n_frames ||
        n_frames > pool->n_frames - (base_frame_no - pool->base_frame_no)) {
        kprintf("cfp: mark_inaccessible(%lu, %lu) in pool %s: %s [%lu, %lu)\n",
                base_frame_no, n_frames, cfp_name(pool),
                cfp_strerror(CFP_ERR_RANGE), pool->base_frame_no,
                pool->base_frame_no + pool->n_frames);
        return CFP_ERR_RANGE;
    }
    int saved = cfp_lock();
    KASSERT(pool->registered == CFP_REGISTERED); /* cfp_init, and no cfp_fini */
    int rc = cfp_mark_range(pool, base_frame_no - pool->base_frame_no, n_frames);
    cfp_unlock(saved);
    if (rc != CFP_OK)
        kprintf("cfp: mark_inaccessible(%lu, %lu) in pool %s: %s\n",
                base_frame_no, n_frames, cfp_name(pool), cfp_strerror(rc));
    return rc;
}

/* The checks cfp_release_frames makes, while other pools live in POOL's
 * frames (n_held), before handing IDX to cfp_release_run: if IDX is a Head,
 * no pool may have been carved out of its run, and the run must hold no
 * pool's bitmap (external info frames allocated from this pool). Returns
 * CFP_OK or the error. */
static int cfp_check_run(const struct cont_frame_pool *pool, unsigned long idx)
{
    if (cfp_get_state(pool, idx) != CFP_STATE_HEAD)
        return CFP_OK; /* cfp_release_run reports the state */
    unsigned long first = pool->base_frame_no + idx;
    unsigned long end = idx + 1;

    while (end < pool->n_frames && cfp_get_state(pool, end) == CFP_STATE_USED)
        end++;
    if (cfp_nested_pool_meets(pool, first, end - idx))
        return CFP_ERR_HOLDS_POOL;
    for (const struct cont_frame_pool *p = cfp_pools; p != NULL; p = p->next)
        if (cfp_ranges_meet(p->info_frame_no, p->n_info_frames, first, end - idx))
            return CFP_ERR_INFO_FRAMES;
    return CFP_OK;
}

/* cfp_release_run after the checks a release below checked_below needs:
 * not the pool's own bitmap, and (while other pools live in POOL's frames)
 * those of cfp_check_run. */
static __attribute__((noinline)) int cfp_release_checked(struct cont_frame_pool *pool,
                                                         unsigned long idx)
{
    if (pool->info_internal && idx < pool->n_info_frames)
        return CFP_ERR_INFO_FRAMES;
    if (pool->n_held != 0) {
        int rc = cfp_check_run(pool, idx); /* another pool may live in the run */
        if (rc != CFP_OK)
            return rc;
    }
    return cfp_release_run(pool, idx);
}

/* Log a release of FIRST_FRAME_NO refused with RC; returns RC. Off the
 * fast path. */
static __attribute__((noinline, cold)) int cfp_bad_release(unsigned long first_frame_no,
                                                           int rc)
{
    const struct cont_frame_pool *pool = cfp_find_pool(first_frame_no);
    if (pool == NULL)
        kprintf("cfp: release of frame %lu: %s\n", first_frame_no, cfp_strerror(rc));
    else
        kprintf("cfp: release of frame %lu (pool %s): %s\n", first_frame_no,
                cfp_name(pool), cfp_strerror(rc));
    return rc;
}

/* The checks and the release of cfp_release_frames; the caller holds the
 * guard (if one is installed). Returns CFP_OK or the error, not logged. */
static inline __attribute__((always_inline)) int
cfp_release_locked(unsigned long first_frame_no)
{
    struct cont_frame_pool *pool = cfp_find_pool_locked(first_frame_no);
    if (pool == NULL)
        return CFP_ERR_NO_POOL;
    unsigned long idx = first_frame_no - pool->base_frame_no;
    if (idx < pool->checked_below) /* the pool's bitmap, or pools inside it */
        return cfp_release_checked(pool, idx);
    return cfp_release_run(pool, idx); /* it reports a frame that is no Head */
}

/* cfp_release_frames with a guard installed. Kept out of line so that the
 * unguarded path saves fewer registers. */
static __attribute__((noinline)) int cfp_release_frames_guarded(unsigned long first_frame_no)
{
    int saved = cfp_guard_enter();
    int rc = cfp_release_locked(first_frame_no);
    cfp_guard_leave(saved);
    if (rc != CFP_OK)
        cfp_bad_release(first_frame_no, rc);
    return rc;
}

int cfp_release_frames(unsigned long first_frame_no)
{
    if (cfp_guard_enter != NULL)
        return cfp_release_frames_guarded(first_frame_no);
    int rc = cfp_release_locked(first_frame_no);
    return rc == CFP_OK ? CFP_OK : cfp_bad_release(first_frame_no, rc);
}

unsigned long cfp_free_count(const struct cont_frame_pool *pool)
{
    KASSERT(pool != NULL);
    return pool->free_count;
}

enum cfp_state cfp_frame_state(const struct cont_frame_pool *pool,
                               unsigned long frame_no)
{
    KASSERT(pool != NULL);
    if (frame_no < pool->base_frame_no ||
        frame_no - pool->base_frame_no >= pool->n_frames)
        return CFP_STATE_OUTSIDE;
    return cfp_get_state(pool, frame_no - pool->base_frame_no);
}

void cfp_count_states(const struct cont_frame_pool *pool, unsigned long counts[4])
{
    KASSERT(pool != NULL);
    for (int s = 0; s < 4; s++)
        counts[s] = 0;
    for (unsigned long i = 0; i < pool->n_frames; i++)
        counts[cfp_get_state(pool, i)]++;
}

unsigned long cfp_base_frame(const struct cont_frame_pool *pool)
{
    return pool->base_frame_no;
}

unsigned long cfp_n_frames(const struct cont_frame_pool *pool)
{
    return pool->n_frames;
}

unsigned long cfp_info_frame(const struct cont_frame_pool *pool)
{
    return pool->info_frame_no;
}

unsigned long cfp_n_info_frames(const struct cont_frame_pool *pool)
{
    return pool->n_info_frames;
}

