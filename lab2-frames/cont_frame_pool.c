/* cont_frame_pool.c: ContFramePool, the physical frame manager (2 bits per frame). */
#include "lab2-frames/cont_frame_pool.h"

#include <stddef.h>

#include "common/debug.h"
#include "common/kprintf.h"
#include "lab2-frames/cfp_bitmap.h"
#include "lab2-frames/phys_mem.h"

/*
 * This file is the bookkeeping around the bitmap (parameter checks,
 * messages, the list of pools, the guard), given to students. The bitmap
 * itself (state get/set, initialisation, the run search, release, marking,
 * the info-frame arithmetic) is the lab: cfp_bitmap.h and cfp_bitmap.c.
 * Both files compile unchanged into the kernel and into the host unit tests;
 * the only memory they touch outside struct cont_frame_pool is the bitmap,
 * reached through phys_to_ptr().
 */

/* Registered pools, newest first (so a nested pool comes before the pool it
 * was carved out of). */
static struct cont_frame_pool *cfp_pools;

/* struct cont_frame_pool.registered of a pool in cfp_pools: lets the hot
 * paths check registration in O(1) instead of walking the list. */
#define CFP_REGISTERED 0x43465052u /* "RPFC" */

static int (*cfp_guard_enter)(void);
static void (*cfp_guard_leave)(int);

static int cfp_lock(void)
{
    return cfp_guard_enter != NULL ? cfp_guard_enter() : 0;
}

static void cfp_unlock(int saved)
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

/* ======================================================================== */
/* Bookkeeping around the bitmap.                                            */
/* ======================================================================== */

static bool cfp_ranges_meet(unsigned long a, unsigned long a_n, unsigned long b,
                            unsigned long b_n)
{
    return a < b + b_n && b < a + a_n;
}

static bool cfp_is_registered(const struct cont_frame_pool *pool)
{
    for (const struct cont_frame_pool *p = cfp_pools; p != NULL; p = p->next)
        if (p == pool)
            return true;
    return false;
}

static inline bool cfp_owns(const struct cont_frame_pool *p, unsigned long frame_no)
{
    return frame_no >= p->base_frame_no && frame_no - p->base_frame_no < p->n_frames;
}

/* The owner table: for each 4 MiB chunk of frame numbers, the newest
 * registered pool that meets the chunk (NULL: none). Nested pools are newer
 * than the pool they were carved out of, so when that pool owns a frame it
 * is the innermost owner; otherwise the list is walked. It makes a release
 * find its pool in O(1) however many pools there are. */
#define CFP_CHUNK_SHIFT 10u /* 1024 frames */
#define CFP_N_CHUNKS (CFP_MAX_FRAME_NO >> CFP_CHUNK_SHIFT)
static struct cont_frame_pool *cfp_chunk_owner[CFP_N_CHUNKS];

/* Recompute the owner table's entries for the chunks POOL's frames meet. */
static void cfp_chunks_update(const struct cont_frame_pool *pool)
{
    unsigned long first = pool->base_frame_no >> CFP_CHUNK_SHIFT;
    unsigned long last = (pool->base_frame_no + pool->n_frames - 1) >> CFP_CHUNK_SHIFT;
    for (unsigned long c = first; c <= last; c++) {
        struct cont_frame_pool *p = cfp_pools;
        while (p != NULL && !cfp_ranges_meet(c << CFP_CHUNK_SHIFT, 1ul << CFP_CHUNK_SHIFT,
                                             p->base_frame_no, p->n_frames))
            p = p->next;
        cfp_chunk_owner[c] = p;
    }
}

/* The registered pool that owns FRAME_NO, by a walk of the list (newest,
 * so innermost, first), or NULL. */
static __attribute__((noinline)) struct cont_frame_pool *
cfp_find_pool_in_list(unsigned long frame_no)
{
    for (struct cont_frame_pool *p = cfp_pools; p != NULL; p = p->next)
        if (cfp_owns(p, frame_no))
            return p;
    return NULL;
}

/* The registered pool that owns FRAME_NO, or NULL: the owner table answers
 * at once unless a pool nested in the chunk's owner holds the frame. */
static inline __attribute__((always_inline)) struct cont_frame_pool *
cfp_find_pool_locked(unsigned long frame_no)
{
    if (frame_no < CFP_MAX_FRAME_NO) {
        struct cont_frame_pool *p = cfp_chunk_owner[frame_no >> CFP_CHUNK_SHIFT];
        if (p == NULL || cfp_owns(p, frame_no))
            return p;
    }
    return cfp_find_pool_in_list(frame_no);
}

/* Add STEP to n_held of every registered pool (POOL aside) in which POOL's
 * frames (the pools it is nested in) or its external bitmap lie; on
 * cfp_init (+1, before POOL is in the list) and cfp_fini (-1, after). */
static void cfp_count_held(const struct cont_frame_pool *pool, unsigned long step)
{
    for (struct cont_frame_pool *p = cfp_pools; p != NULL; p = p->next) {
        if (cfp_ranges_meet(pool->base_frame_no, pool->n_frames, p->base_frame_no, p->n_frames))
            p->n_held += step;
        if (!pool->info_internal &&
            cfp_ranges_meet(pool->info_frame_no, pool->n_info_frames, p->base_frame_no,
                            p->n_frames))
            p->n_held += step;
    }
}

/* n_held of a new pool POOL: the registered pools whose external bitmap lies
 * in its frames (pools nested in it come later, through cfp_count_held). */
static unsigned long cfp_held_at_init(const struct cont_frame_pool *pool)
{
    unsigned long n = 0;
    for (const struct cont_frame_pool *p = cfp_pools; p != NULL; p = p->next)
        if (!p->info_internal &&
            cfp_ranges_meet(p->info_frame_no, p->n_info_frames, pool->base_frame_no,
                            pool->n_frames))
            n++;
    return n;
}

/* True if a pool carved out of POOL (nested in it) meets frames [FIRST,
 * FIRST + N). Pools only overlap when one is nested in the other, and the
 * inner one is always registered later, so the pools nested in POOL are
 * exactly the overlapping ones that come before it in the list. */
static bool cfp_nested_pool_meets(const struct cont_frame_pool *pool,
                                  unsigned long first, unsigned long n)
{
    for (const struct cont_frame_pool *p = cfp_pools; p != pool; p = p->next)
        if (cfp_ranges_meet(p->base_frame_no, p->n_frames, first, n))
            return true;
    return false;
}

/* True if every frame of [FIRST, FIRST + N) (all inside POOL) is allocated
 * there (Head or Used). */
static bool cfp_all_allocated(const struct cont_frame_pool *pool,
                              unsigned long first, unsigned long n)
{
    for (unsigned long f = first; f < first + n; f++) {
        enum cfp_state s = cfp_get_state(pool, f - pool->base_frame_no);
        if (s != CFP_STATE_HEAD && s != CFP_STATE_USED)
            return false;
    }
    return true;
}

/* The checks of cfp_init against the registered pools. Logs and returns an
 * error code, or CFP_OK. */
static int cfp_check_against_pools(const struct cont_frame_pool *pool)
{
    unsigned long base = pool->base_frame_no, n = pool->n_frames;
    unsigned long info = pool->info_frame_no, n_info = pool->n_info_frames;

    for (const struct cont_frame_pool *p = cfp_pools; p != NULL; p = p->next) {
        unsigned long p_end = p->base_frame_no + p->n_frames;
        /* The new pool's frames. */
        if (cfp_ranges_meet(base, n, p->base_frame_no, p->n_frames)) {
            if (base < p->base_frame_no || base + n > p_end ||
                cfp_ranges_meet(base, n, p->info_frame_no, p->n_info_frames) ||
                !cfp_all_allocated(p, base, n)) {
                kprintf("cfp: init of pool [%lu, %lu): overlaps "
                        "pool %s, frames [%lu, %lu) (a pool may only be carved "
                        "out of frames allocated from another pool)\n",
                        base, base + n, cfp_name(p),
                        p->base_frame_no, p_end);
                return CFP_ERR_OVERLAP;
            }
        }
        /* External info frames: allocated wherever they lie, and not some
         * other pool's bitmap. */
        if (!pool->info_internal) {
            if (cfp_ranges_meet(info, n_info, p->info_frame_no, p->n_info_frames)) {
                kprintf("cfp: init of pool [%lu, %lu): info frames [%lu, %lu) overlap "
                        "the bitmap of pool %s\n",
                        base, base + n, info, info + n_info,
                        cfp_name(p));
                return CFP_ERR_INVALID;
            }
            if (cfp_ranges_meet(info, n_info, p->base_frame_no, p->n_frames)) {
                unsigned long lo = info > p->base_frame_no ? info : p->base_frame_no;
                unsigned long hi = info + n_info < p_end ? info + n_info : p_end;
                if (!cfp_all_allocated(p, lo, hi - lo)) {
                    kprintf("cfp: init of pool [%lu, %lu): info frames [%lu, %lu) are "
                            "not allocated from pool %s (get them with "
                            "cfp_get_frames first)\n",
                            base, base + n, info, info + n_info,
                        cfp_name(p));
                    return CFP_ERR_INVALID;
                }
            }
        }
    }
    return CFP_OK;
}

/* Parameter checks of cfp_init that need no other pool. */
static int cfp_check_params(const struct cont_frame_pool *pool)
{
    unsigned long base = pool->base_frame_no, n = pool->n_frames;

    if (n == 0) {
        kprintf("cfp: init of pool at frame %lu: zero frames\n", base);
        return CFP_ERR_INVALID;
    }
    if (base == 0) {
        kprintf("cfp: init of pool [0, %lu): frame 0 cannot be in a pool (0 means "
                "failure for cfp_get_frames)\n", n);
        return CFP_ERR_INVALID;
    }
    if (base >= CFP_MAX_FRAME_NO || n > CFP_MAX_FRAME_NO - base) {
        kprintf("cfp: init of pool [%lu, +%lu): goes past 4 GiB\n", base, n);
        return CFP_ERR_INVALID;
    }
    if (pool->info_internal) {
        if (pool->n_info_frames >= n) {
            kprintf("cfp: init of pool [%lu, %lu): %lu frames cannot hold their own "
                    "bitmap (%lu info frames) and anything else\n",
                    base, base + n, n, pool->n_info_frames);
            return CFP_ERR_INVALID;
        }
    } else {
        unsigned long info = pool->info_frame_no;
        if (info >= CFP_MAX_FRAME_NO ||
            pool->n_info_frames > CFP_MAX_FRAME_NO - info) {
            kprintf("cfp: init of pool [%lu, %lu): info frames past 4 GiB\n",
                    base, base + n);
            return CFP_ERR_INVALID;
        }
        if (cfp_ranges_meet(info, pool->n_info_frames, base, n)) {
            kprintf("cfp: init of pool [%lu, %lu): info frames [%lu, %lu) lie inside "
                    "the pool (pass info_frame_no 0 for an internal bitmap)\n",
                    base, base + n, info, info + pool->n_info_frames);
            return CFP_ERR_INVALID;
        }
    }
    return CFP_OK;
}

int cfp_init(struct cont_frame_pool *pool, unsigned long base_frame_no,
             unsigned long n_frames, unsigned long info_frame_no)
{
    KASSERT(pool != NULL);
    int saved = cfp_lock();
    int rc = CFP_OK;

    if (cfp_is_registered(pool)) {
        kprintf("cfp: init of pool %s: already initialised and registered\n",
                cfp_name(pool));
        cfp_unlock(saved);
        return CFP_ERR_INVALID;
    }

    /* Fill in a candidate; nothing is written to the bitmap memory and the
     * pool is not registered until every check has passed. (POOL may hold
     * garbage: nothing is read from it.) */
    struct cont_frame_pool cand = {
        .base_frame_no = base_frame_no,
        .n_frames = n_frames,
        .info_internal = info_frame_no == 0,
        .info_frame_no = info_frame_no == 0 ? base_frame_no : info_frame_no,
        .n_info_frames = cfp_needed_info_frames(n_frames),
    };
    rc = cfp_check_params(&cand);
    if (rc == CFP_OK)
        rc = cfp_check_against_pools(&cand);
    if (rc == CFP_OK) {
        *pool = cand;
        pool->bitmap = (uint32_t *)phys_to_ptr(pool->info_frame_no * CFP_FRAME_SIZE);
        cfp_init_bitmap(pool);
        pool->n_held = cfp_held_at_init(pool);
        cfp_count_held(pool, 1);
        pool->next = cfp_pools;
        pool->registered = CFP_REGISTERED;
        cfp_pools = pool;
        cfp_chunks_update(pool);
    }
    cfp_unlock(saved);
    return rc;
}

int cfp_fini(struct cont_frame_pool *pool)
{
    KASSERT(pool != NULL);
    int saved = cfp_lock();
    int rc = CFP_OK;
    struct cont_frame_pool **link = &cfp_pools;

    while (*link != NULL && *link != pool)
        link = &(*link)->next;
    if (*link == NULL) {
        rc = CFP_ERR_NOT_REGISTERED;
    } else {
        if (cfp_nested_pool_meets(pool, pool->base_frame_no, pool->n_frames))
            rc = CFP_ERR_HOLDS_POOL;
        if (rc == CFP_OK) {
            *link = pool->next;
            pool->next = NULL;
            pool->registered = 0;
            cfp_count_held(pool, (unsigned long)-1);
            cfp_chunks_update(pool);
        }
    }
    cfp_unlock(saved);
    if (rc == CFP_ERR_NOT_REGISTERED) /* POOL may hold garbage: no name */
        kprintf("cfp: fini of pool %p: %s\n", (void *)pool, cfp_strerror(rc));
    else if (rc != CFP_OK)
        kprintf("cfp: fini of pool %s: %s\n", cfp_name(pool), cfp_strerror(rc));
    return rc;
}

void cfp_set_name(struct cont_frame_pool *pool, const char *name)
{
    KASSERT(pool != NULL);
    pool->name = name;
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

/* cfp_release_run, after the checks of cfp_check_run: the release of a pool
 * other pools live in. */
static __attribute__((noinline)) int cfp_check_and_release(struct cont_frame_pool *pool,
                                                           unsigned long idx)
{
    int rc = cfp_check_run(pool, idx);
    return rc != CFP_OK ? rc : cfp_release_run(pool, idx);
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
    if (pool->info_internal && idx < pool->n_info_frames)
        return CFP_ERR_INFO_FRAMES;
    if (pool->n_held != 0)
        return cfp_check_and_release(pool, idx); /* another pool may live in the run */
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

struct cont_frame_pool *cfp_find_pool(unsigned long frame_no)
{
    int saved = cfp_lock();
    struct cont_frame_pool *p = cfp_find_pool_locked(frame_no);
    cfp_unlock(saved);
    return p;
}

struct cont_frame_pool *cfp_first_pool(void)
{
    return cfp_pools;
}

struct cont_frame_pool *cfp_next_pool(const struct cont_frame_pool *pool)
{
    return pool->next;
}
