/* cfp_bitmap.h: the frame pool's 2-bit bitmap, internal to lab2-frames (cont_frame_pool.c, cfp_init.c, cfp_bitmap.c). */
#ifndef LAB2_CFP_BITMAP_H
#define LAB2_CFP_BITMAP_H

#include "common/debug.h"
#include "lab2-frames/cont_frame_pool.h"

/*
 * This is the lab: every body below and in cfp_bitmap.c is a marked solution
 * region. Frames are addressed by IDX, their index inside the pool
 * (frame_no - base_frame_no). The caller (cont_frame_pool.c) has checked the
 * parameters and holds the pool guard; these functions only move bits and
 * keep free_count and hint in step.
 */

/* State of frame IDX (index inside the pool, 0 <= IDX < n_frames). */
static inline enum cfp_state cfp_get_state(const struct cont_frame_pool *pool,
                                           unsigned long idx)
{
    KASSERT(idx < pool->n_frames);
    /* LAB 2: TODO return the 2 bits of frame idx: word idx / 16, bits 2 * (idx % 16) and up */
    /* LAB 2: BEGIN SOLUTION */
    uint32_t word = pool->bitmap[idx / CFP_FRAMES_PER_WORD];
    return (enum cfp_state)((word >> (2u * (idx % CFP_FRAMES_PER_WORD))) & 3u);
    /* LAB 2: END SOLUTION */
    return CFP_STATE_USED;
}

/* Set frame IDX to STATE (one of the four encodings). */
static inline void cfp_set_state(struct cont_frame_pool *pool, unsigned long idx,
                                 enum cfp_state state)
{
    KASSERT(idx < pool->n_frames);
    KASSERT(state <= CFP_STATE_INACCESSIBLE);
    /* LAB 2: TODO replace the 2 bits of frame idx by state, leaving the other 15 frames of the word alone */
    /* LAB 2: BEGIN SOLUTION */
    uint32_t *word = &pool->bitmap[idx / CFP_FRAMES_PER_WORD];
    unsigned int shift = 2u * (idx % CFP_FRAMES_PER_WORD);
    *word = (*word & ~(3u << shift)) | ((uint32_t)state << shift);
    /* LAB 2: END SOLUTION */
}

/* Fill the bitmap of a freshly initialised pool: all Free, tail bits 00, the
 * internal info frames one allocated run. Sets free_count and hint. */
void cfp_init_bitmap(struct cont_frame_pool *pool);

/* Allocate N (1 <= N <= n_frames) contiguous Free frames (Head + Used).
 * Returns the first absolute frame number, or 0 (pool unchanged). */
unsigned long cfp_allocate(struct cont_frame_pool *pool, unsigned long n);

/* Release the run whose Head is IDX. CFP_OK or CFP_ERR_NOT_HEAD /
 * NOT_ALLOCATED / INACCESSIBLE, changing nothing then. */
int cfp_release_run(struct cont_frame_pool *pool, unsigned long idx);

/* Mark [IDX, IDX + N) Inaccessible; CFP_ERR_BUSY if any is allocated. */
int cfp_mark_range(struct cont_frame_pool *pool, unsigned long idx, unsigned long n);

#endif
