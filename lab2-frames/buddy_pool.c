/* buddy_pool.c: lab 2's challenge: a buddy allocator of physical frames (split on get, merge on release). */
#include "lab2-frames/buddy_pool.h"

#include <stddef.h>

#include "common/kprintf.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab2-frames/phys_mem.h"

#define BP_FRAME_SIZE ((unsigned long)PAGE_SIZE) /* common/mmu.h */
#define BP_RECORDS_PER_FRAME (BP_FRAME_SIZE / sizeof(struct bp_frame))

unsigned long bp_needed_info_frames(unsigned long n_frames)
{
    return (n_frames + BP_RECORDS_PER_FRAME - 1) / BP_RECORDS_PER_FRAME;
}

unsigned int bp_order_for(unsigned long n_frames)
{
    unsigned int k = 0;
    while (k < 31 && (1ul << k) < n_frames)
        k++;
    return k;
}

static const char *bp_name(const struct buddy_pool *pool)
{
    return pool->name ? pool->name : "(unnamed)";
}

static bool bp_contains(const struct buddy_pool *pool, unsigned long frame_no)
{
    return frame_no >= pool->base_frame_no &&
           frame_no - pool->base_frame_no < pool->n_frames;
}

/* LAB 2: TODO (challenge) free-list helpers: push a block on its order's list, take one off */
/* LAB 2: BEGIN SOLUTION challenge */
/* Make the block at pool index I a free block of ORDER, first on its list. */
static void bp_push_free(struct buddy_pool *pool, uint32_t i, unsigned int order)
{
    struct bp_frame *m = pool->meta;
    m[i].state = BP_STATE_FREE;
    m[i].order = (uint8_t)order;
    m[i].prev = BP_NIL;
    m[i].next = pool->free_head[order];
    if (m[i].next != BP_NIL)
        m[m[i].next].prev = i;
    pool->free_head[order] = i;
    pool->free_blocks[order]++;
    pool->free_count += 1ul << order;
}

/* Take the free block at pool index I off its list; it becomes INSIDE. */
static void bp_unlink_free(struct buddy_pool *pool, uint32_t i)
{
    struct bp_frame *m = pool->meta;
    unsigned int order = m[i].order;
    if (m[i].prev != BP_NIL)
        m[m[i].prev].next = m[i].next;
    else
        pool->free_head[order] = m[i].next;
    if (m[i].next != BP_NIL)
        m[m[i].next].prev = m[i].prev;
    m[i].state = BP_STATE_INSIDE;
    pool->free_blocks[order]--;
    pool->free_count -= 1ul << order;
}
/* LAB 2: END SOLUTION */

int bp_init(struct buddy_pool *pool, unsigned long base_frame_no,
            unsigned long n_frames, unsigned long info_frame_no)
{
    unsigned long n_info = bp_needed_info_frames(n_frames);
    bool internal = info_frame_no == 0;

    if (n_frames == 0 || base_frame_no == 0 || base_frame_no >= CFP_MAX_FRAME_NO ||
        n_frames > CFP_MAX_FRAME_NO - base_frame_no || n_frames > BP_NIL ||
        (internal && n_info >= n_frames) ||
        (!internal && info_frame_no < base_frame_no + n_frames &&
         info_frame_no + n_info > base_frame_no)) {
        kprintf("bp: init %lu+%lu (info %lu): invalid parameters\n", base_frame_no,
                n_frames, info_frame_no);
        return BP_ERR_INVALID;
    }
    pool->base_frame_no = base_frame_no;
    pool->n_frames = n_frames;
    pool->info_internal = internal;
    pool->info_frame_no = internal ? base_frame_no : info_frame_no;
    pool->n_info_frames = n_info;
    pool->meta = phys_to_ptr(pool->info_frame_no * BP_FRAME_SIZE);
    pool->free_count = 0;
    for (unsigned int k = 0; k < BP_ORDERS; k++) {
        pool->free_head[k] = BP_NIL;
        pool->free_blocks[k] = 0;
    }
    /* LAB 2: TODO (challenge) mark the records' frames Reserved and cut the rest into the largest aligned free blocks */
    /* LAB 2: BEGIN SOLUTION challenge */
    unsigned long first = internal ? n_info : 0;
    for (unsigned long i = 0; i < first; i++) {
        pool->meta[i].state = BP_STATE_RESERVED;
        pool->meta[i].order = 0;
    }
    for (unsigned long i = first; i < n_frames;) {
        unsigned long f = base_frame_no + i;
        unsigned int k = BP_MAX_ORDER;
        while (k > 0 && ((f & ((1ul << k) - 1)) != 0 || i + (1ul << k) > n_frames))
            k--;
        for (unsigned long j = 1; j < (1ul << k); j++)
            pool->meta[i + j].state = BP_STATE_INSIDE;
        bp_push_free(pool, (uint32_t)i, k);
        i += 1ul << k;
    }
    return BP_OK;
    /* LAB 2: END SOLUTION */
    return BP_ERR_UNIMPLEMENTED;
}

unsigned long bp_get_frames(struct buddy_pool *pool, unsigned int n_frames)
{
    if (n_frames == 0 || n_frames > (1u << BP_MAX_ORDER)) {
        kprintf("bp: get %u frames from %s: a block holds 1 to %u frames\n", n_frames,
                bp_name(pool), 1u << BP_MAX_ORDER);
        return 0;
    }
    unsigned int want = bp_order_for(n_frames);
    (void)want;
    /* LAB 2: TODO (challenge) take the smallest free block of order >= want, split it down to want */
    /* LAB 2: BEGIN SOLUTION challenge */
    unsigned int k = want;
    while (k < BP_ORDERS && pool->free_head[k] == BP_NIL)
        k++;
    if (k == BP_ORDERS)
        return 0;
    uint32_t i = pool->free_head[k];
    bp_unlink_free(pool, i);
    while (k > want) { /* keep the lower half, free the upper */
        k--;
        bp_push_free(pool, i + (1u << k), k);
    }
    pool->meta[i].state = BP_STATE_ALLOCATED;
    pool->meta[i].order = (uint8_t)want;
    return pool->base_frame_no + i;
    /* LAB 2: END SOLUTION */
    return 0;
}

int bp_release_frames(struct buddy_pool *pool, unsigned long first_frame_no)
{
    int err = BP_ERR_UNIMPLEMENTED;
    switch (bp_frame_state(pool, first_frame_no)) {
    case BP_STATE_OUTSIDE:
        err = BP_ERR_RANGE;
        break;
    case BP_STATE_INSIDE:
        err = BP_ERR_NOT_HEAD;
        break;
    case BP_STATE_FREE:
        err = BP_ERR_NOT_ALLOCATED;
        break;
    case BP_STATE_RESERVED:
        err = BP_ERR_RESERVED;
        break;
    case BP_STATE_ALLOCATED:
        /* LAB 2: TODO (challenge) merge the block with its free buddies of the same order, then free it */
        /* LAB 2: BEGIN SOLUTION challenge */
        {
            unsigned long f = first_frame_no;
            unsigned int k = pool->meta[f - pool->base_frame_no].order;
            pool->meta[f - pool->base_frame_no].state = BP_STATE_INSIDE;
            while (k < BP_MAX_ORDER) {
                unsigned long buddy = f ^ (1ul << k);
                if (bp_frame_state(pool, buddy) != BP_STATE_FREE ||
                    pool->meta[buddy - pool->base_frame_no].order != k)
                    break;
                bp_unlink_free(pool, (uint32_t)(buddy - pool->base_frame_no));
                f &= ~(1ul << k); /* the merged block starts at the lower half */
                k++;
            }
            bp_push_free(pool, (uint32_t)(f - pool->base_frame_no), k);
            return BP_OK;
        }
        /* LAB 2: END SOLUTION */
        break;
    }
    kprintf("bp: release frame %lu in %s: %s\n", first_frame_no, bp_name(pool),
            bp_strerror(err));
    return err;
}

unsigned long bp_free_count(const struct buddy_pool *pool)
{
    return pool->free_count;
}

unsigned long bp_free_blocks(const struct buddy_pool *pool, unsigned int order)
{
    return order < BP_ORDERS ? pool->free_blocks[order] : 0;
}

enum bp_state bp_frame_state(const struct buddy_pool *pool, unsigned long frame_no)
{
    if (!bp_contains(pool, frame_no))
        return BP_STATE_OUTSIDE;
    return (enum bp_state)pool->meta[frame_no - pool->base_frame_no].state;
}

int bp_block_order(const struct buddy_pool *pool, unsigned long frame_no)
{
    enum bp_state s = bp_frame_state(pool, frame_no);
    if (s != BP_STATE_FREE && s != BP_STATE_ALLOCATED)
        return -1;
    return pool->meta[frame_no - pool->base_frame_no].order;
}

unsigned long bp_base_frame(const struct buddy_pool *pool)
{
    return pool->base_frame_no;
}

unsigned long bp_n_frames(const struct buddy_pool *pool)
{
    return pool->n_frames;
}

const char *bp_strerror(int err)
{
    switch (err) {
    case BP_OK: return "ok";
    case BP_ERR_RANGE: return "frame not in the pool";
    case BP_ERR_NOT_HEAD: return "not the first frame of a block";
    case BP_ERR_NOT_ALLOCATED: return "block is free (double release?)";
    case BP_ERR_RESERVED: return "frame holds the pool's records";
    case BP_ERR_INVALID: return "invalid parameters";
    case BP_ERR_UNIMPLEMENTED: return "not implemented (lab 2 challenge)";
    default: return "unknown error";
    }
}
