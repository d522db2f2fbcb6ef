/* buddy_pool.h: lab 2's challenge: a buddy allocator of physical frames, beside ContFramePool. */
#ifndef LAB2_BUDDY_POOL_H
#define LAB2_BUDDY_POOL_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A buddy pool manages frames [base, base + n) in blocks of 2^k frames
 * ("order k", 0 <= k <= BP_MAX_ORDER). A block of order k starts at a frame
 * number that is a multiple of 2^k (absolute frame numbers, so an order-10
 * block is a 4 MiB-aligned 4 MiB of RAM), and its *buddy* is the other half
 * of the order-(k+1) block containing it: frame ^ 2^k.
 *
 *   get:     take the smallest free block of order >= k; split it in halves,
 *            keeping the lower half and freeing the upper one, down to order k.
 *   release: while the buddy is a free block of the same order (and in the
 *            pool), take it off its free list and merge; free the result.
 *
 * So a pool where everything was released is back to the blocks it started
 * with. At init, the pool's range is cut into the largest aligned blocks that
 * fit, lowest first.
 *
 * Bookkeeping lives in "info frames", like ContFramePool's bitmap: one
 * struct bp_frame per frame of the pool (free-list links and the order of
 * the block a frame heads), so free frames themselves are never written.
 *
 * Concurrency: not re-entrant; callers use one pool from one thread at a
 * time (lab 2 has one thread; no interrupt handler allocates frames).
 */

#define BP_MAX_ORDER 10u                 /* largest block: 1024 frames, 4 MiB */
#define BP_ORDERS (BP_MAX_ORDER + 1u)
#define BP_NIL 0xFFFFFFFFu               /* end of a free list */

/* Return codes (0 = success). */
#define BP_OK 0
#define BP_ERR_RANGE (-1)           /* release: frame not in the pool */
#define BP_ERR_NOT_HEAD (-2)        /* release: not the first frame of a block */
#define BP_ERR_NOT_ALLOCATED (-3)   /* release: a free block (double release?) */
#define BP_ERR_RESERVED (-4)        /* release: the pool's own info frames */
#define BP_ERR_INVALID (-5)         /* init: bad parameters */
#define BP_ERR_UNIMPLEMENTED (-6)   /* the challenge is not written yet */

/* What one frame of the pool is. */
enum bp_state {
    BP_STATE_INSIDE = 0,     /* inside a block, not its first frame */
    BP_STATE_FREE = 1,       /* first frame of a free block */
    BP_STATE_ALLOCATED = 2,  /* first frame of an allocated block */
    BP_STATE_RESERVED = 3,   /* holds the pool's own bookkeeping */
    BP_STATE_OUTSIDE = 4,    /* not an encoding: frame not in the pool */
};

/* One frame's record, in the info frames. */
struct bp_frame {
    uint32_t next, prev;     /* free list of its order: pool frame indices, BP_NIL */
    uint8_t order;           /* order of the block it heads (FREE or ALLOCATED) */
    uint8_t state;           /* enum bp_state */
    uint16_t pad;
};

/* One pool; callers allocate the struct and use only the functions below. */
struct buddy_pool {
    unsigned long base_frame_no;   /* first frame managed */
    unsigned long n_frames;        /* frames managed, info frames included */
    unsigned long info_frame_no;   /* first frame of the records */
    unsigned long n_info_frames;
    bool info_internal;            /* records in the pool's own first frames */
    struct bp_frame *meta;         /* phys_to_ptr(info_frame_no * 4096) */
    uint32_t free_head[BP_ORDERS]; /* first free block of each order (index), BP_NIL */
    unsigned long free_blocks[BP_ORDERS]; /* free blocks of each order */
    unsigned long free_count;      /* free frames */
    const char *name;
};

/* Frames of records a pool of N_FRAMES needs: ceil(N_FRAMES * 12 / 4096). */
unsigned long bp_needed_info_frames(unsigned long n_frames);

/* Smallest order whose blocks hold N_FRAMES frames (0 for 0 and 1). */
unsigned int bp_order_for(unsigned long n_frames);

/* Initialise POOL over frames [BASE_FRAME_NO, BASE_FRAME_NO + N_FRAMES).
 * INFO_FRAME_NO == 0: the records take the pool's first
 * bp_needed_info_frames(N_FRAMES) frames (Reserved, never handed out);
 * otherwise they live in frames [INFO_FRAME_NO, ...) outside the pool, which
 * the caller owns. Every other frame is free, cut into the largest aligned
 * blocks (order <= BP_MAX_ORDER) that fit, lowest first.
 * Returns BP_OK or BP_ERR_INVALID (N_FRAMES == 0, frame 0 in the pool, range
 * past 4 GiB, no frame left beside the records, info frames overlapping the
 * pool); BP_ERR_UNIMPLEMENTED in the handout until the challenge is done.
 * Writes the records through phys_to_ptr(). */
int bp_init(struct buddy_pool *pool, unsigned long base_frame_no,
            unsigned long n_frames, unsigned long info_frame_no);

/* Allocate a block of bp_order_for(N_FRAMES) order: at least N_FRAMES
 * contiguous frames, aligned to the block's size. Returns its first frame,
 * or 0 if no block that large is free (pool unchanged). N_FRAMES == 0 or
 * above 2^BP_MAX_ORDER returns 0 with a message. */
unsigned long bp_get_frames(struct buddy_pool *pool, unsigned int n_frames);

/* Release the block that starts at FIRST_FRAME_NO, merging it with its free
 * buddies. Returns BP_OK or BP_ERR_RANGE, NOT_HEAD, NOT_ALLOCATED, RESERVED;
 * on failure nothing changes and a message is logged. */
int bp_release_frames(struct buddy_pool *pool, unsigned long first_frame_no);

/* ---- Inspection (tests, monitor): O(1) unless said ---------------------- */

unsigned long bp_free_count(const struct buddy_pool *pool);
/* Free blocks of ORDER (0 for an order above BP_MAX_ORDER). */
unsigned long bp_free_blocks(const struct buddy_pool *pool, unsigned int order);
/* State of absolute frame FRAME_NO (BP_STATE_OUTSIDE if not in the pool). */
enum bp_state bp_frame_state(const struct buddy_pool *pool, unsigned long frame_no);
/* Order of the block FRAME_NO heads (FREE or ALLOCATED), else -1. */
int bp_block_order(const struct buddy_pool *pool, unsigned long frame_no);
unsigned long bp_base_frame(const struct buddy_pool *pool);
unsigned long bp_n_frames(const struct buddy_pool *pool);
/* Short text for a BP_* return code. */
const char *bp_strerror(int err);

#endif
