/* cfp_init.c: cfp_init and cfp_fini: the checks of a new pool against its parameters and the registered pools. */
#include <stddef.h>

#include "common/debug.h"
#include "common/kprintf.h"
#include "lab2-frames/cfp_bitmap.h"
#include "lab2-frames/cfp_registry.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab2-frames/phys_mem.h"

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
        cfp_set_checked_below(pool);
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

