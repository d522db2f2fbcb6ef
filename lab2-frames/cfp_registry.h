/* cfp_registry.h: the list of registered frame pools and its owner table, internal to lab2-frames. */
#ifndef LAB2_CFP_REGISTRY_H
#define LAB2_CFP_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "lab2-frames/cont_frame_pool.h"

/*
 * Shared by the files of the frame pool that are given to students:
 * cfp_registry.c (the list, the owner table, the counts of pools held),
 * cfp_init.c (cfp_init and cfp_fini, which change the list) and
 * cont_frame_pool.c (the guard, get, release and mark). Every function here
 * expects the caller to hold the guard (cfp_lock).
 */

/* struct cont_frame_pool.registered of a pool in cfp_pools: lets the hot
 * paths check registration in O(1) instead of walking the list. */
#define CFP_REGISTERED 0x43465052u /* "RPFC" */

/* Registered pools, newest first (so a nested pool comes before the pool it
 * was carved out of). */
extern struct cont_frame_pool *cfp_pools;

/* The owner table: for each 4 MiB chunk of frame numbers, the newest
 * registered pool that meets the chunk (NULL: none). Nested pools are newer
 * than the pool they were carved out of, so when that pool owns a frame it
 * is the innermost owner; otherwise the list is walked. It makes a release
 * find its pool in O(1) however many pools there are. */
#define CFP_CHUNK_SHIFT 10u /* 1024 frames */
#define CFP_N_CHUNKS (CFP_MAX_FRAME_NO >> CFP_CHUNK_SHIFT)
extern struct cont_frame_pool *cfp_chunk_owner[CFP_N_CHUNKS];

/* Enter the guard installed with cfp_set_guard (if any); hand the result
 * to cfp_unlock. */
int cfp_lock(void);
void cfp_unlock(int saved);

/* True if frames [A, A + A_N) and [B, B + B_N) meet. */
static inline bool cfp_ranges_meet(unsigned long a, unsigned long a_n, unsigned long b,
                                   unsigned long b_n)
{
    return a < b + b_n && b < a + a_n;
}

/* True if FRAME_NO is one of P's frames. */
static inline bool cfp_owns(const struct cont_frame_pool *p, unsigned long frame_no)
{
    return frame_no >= p->base_frame_no && frame_no - p->base_frame_no < p->n_frames;
}

/* True if POOL is in the list of registered pools. */
bool cfp_is_registered(const struct cont_frame_pool *pool);

/* Recompute the owner table's entries for the chunks POOL's frames meet. */
void cfp_chunks_update(const struct cont_frame_pool *pool);

/* The registered pool that owns FRAME_NO, by a walk of the list, or NULL. */
struct cont_frame_pool *cfp_find_pool_in_list(unsigned long frame_no);

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
 * frames or its external bitmap lie. */
void cfp_count_held(const struct cont_frame_pool *pool, unsigned long step);

/* Recompute POOL's checked_below from n_held, info_internal and
 * n_info_frames (after any of them changes). */
void cfp_set_checked_below(struct cont_frame_pool *pool);

/* n_held of a new pool POOL: the registered pools whose external bitmap lies
 * in its frames. */
unsigned long cfp_held_at_init(const struct cont_frame_pool *pool);

/* True if a pool carved out of POOL meets frames [FIRST, FIRST + N). */
bool cfp_nested_pool_meets(const struct cont_frame_pool *pool, unsigned long first,
                           unsigned long n);

#endif
