/* cfp_registry.c: the list of registered frame pools, its owner table, and the pools each one holds. */
#include "lab2-frames/cfp_registry.h"

#include "lab2-frames/cont_frame_pool.h"

struct cont_frame_pool *cfp_pools;
struct cont_frame_pool *cfp_chunk_owner[CFP_N_CHUNKS];

/* True if POOL is in the list (a walk: cfp_init only; the hot paths read
 * pool->registered). */
bool cfp_is_registered(const struct cont_frame_pool *pool)
{
    for (const struct cont_frame_pool *p = cfp_pools; p != NULL; p = p->next)
        if (p == pool)
            return true;
    return false;
}

/* Recompute the owner table's entries for the chunks POOL's frames meet. */
void cfp_chunks_update(const struct cont_frame_pool *pool)
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
struct cont_frame_pool *cfp_find_pool_in_list(unsigned long frame_no)
{
    for (struct cont_frame_pool *p = cfp_pools; p != NULL; p = p->next)
        if (cfp_owns(p, frame_no))
            return p;
    return NULL;
}

/* Add STEP to n_held of every registered pool (POOL aside) in which POOL's
 * frames (the pools it is nested in) or its external bitmap lie; on
 * cfp_init (+1, before POOL is in the list) and cfp_fini (-1, after). */
void cfp_count_held(const struct cont_frame_pool *pool, unsigned long step)
{
    for (struct cont_frame_pool *p = cfp_pools; p != NULL; p = p->next) {
        if (cfp_ranges_meet(pool->base_frame_no, pool->n_frames, p->base_frame_no, p->n_frames))
            p->n_held += step;
        if (!pool->info_internal &&
            cfp_ranges_meet(pool->info_frame_no, pool->n_info_frames, p->base_frame_no,
                            p->n_frames))
            p->n_held += step;
        cfp_set_checked_below(p);
    }
}

void cfp_set_checked_below(struct cont_frame_pool *pool)
{
    if (pool->n_held != 0)
        pool->checked_below = (unsigned long)-1; /* every release */
    else
        pool->checked_below = pool->info_internal ? pool->n_info_frames : 0;
}

/* n_held of a new pool POOL: the registered pools whose external bitmap lies
 * in its frames (pools nested in it come later, through cfp_count_held). */
unsigned long cfp_held_at_init(const struct cont_frame_pool *pool)
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
bool cfp_nested_pool_meets(const struct cont_frame_pool *pool, unsigned long first,
                           unsigned long n)
{
    for (const struct cont_frame_pool *p = cfp_pools; p != pool; p = p->next)
        if (cfp_ranges_meet(p->base_frame_no, p->n_frames, first, n))
            return true;
    return false;
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
