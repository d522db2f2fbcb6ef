/* cfp_bitmap.c: the frame pool's bitmap: initialise, search for runs, release, mark (the lab 2 exercise). */
#include <stddef.h>
#include <stdint.h>

#include "lab2-frames/cfp_bitmap.h"

/* Fill the bitmap of a freshly initialised pool (fields already set; the
 * bitmap memory holds garbage): every frame Free, the bits past the last
 * frame 00, and, if the bitmap is internal, its frames one allocated run
 * (Head, then Used). Set free_count and hint to match. */
void cfp_init_bitmap(struct cont_frame_pool *pool)
{
    (void)pool;
    /* LAB 2: TODO write every bitmap word (all Free, tail bits 00), then mark the internal info frames Head + Used; set free_count and hint */
    /* LAB 2: BEGIN SOLUTION */
    unsigned long n_words = (pool->n_frames + CFP_FRAMES_PER_WORD - 1) / CFP_FRAMES_PER_WORD;
    unsigned long tail = pool->n_frames % CFP_FRAMES_PER_WORD;
    for (unsigned long w = 0; w < n_words; w++)
        pool->bitmap[w] = 0x55555555u; /* 16 x Free (01) */
    if (tail != 0)
        pool->bitmap[n_words - 1] = 0x55555555u & ((1u << (2u * tail)) - 1u);
    pool->free_count = pool->n_frames;
    pool->hint = 0;
    if (pool->info_internal) {
        cfp_set_state(pool, 0, CFP_STATE_HEAD);
        for (unsigned long i = 1; i < pool->n_info_frames; i++)
            cfp_set_state(pool, i, CFP_STATE_USED);
        pool->free_count -= pool->n_info_frames;
        pool->hint = pool->n_info_frames % pool->n_frames;
    }
    /* LAB 2: END SOLUTION */
}

/* LAB 2: TODO (optional) helpers for the word-at-a-time run search */
/* LAB 2: BEGIN SOLUTION full */
#define CFP_LOW_BITS 0x55555555u /* the low bit of each of the 16 pairs */
#define CFP_NOT_FOUND ((unsigned long)-1)

/* One bit, the low bit of the pair, for every Free (01) frame of WORD. */
static inline uint32_t cfp_free_bits(uint32_t word)
{
    return word & ~(word >> 1) & CFP_LOW_BITS;
}

/* Nonzero if one of the four words at W has a Free frame. Reads them as
 * two 64-bit values: one operation covers 32 frames on a 64-bit CPU (the
 * host benchmark); a 32-bit CPU simply does it in halves. The pairs never
 * straddle the two 32-bit halves, so the shift is harmless. */
typedef uint64_t __attribute__((may_alias, aligned(4))) cfp_u64_alias;
static inline uint64_t cfp_free_bits4(const uint32_t *w)
{
    const cfp_u64_alias *q = (const cfp_u64_alias *)w;
    uint64_t a = q[0], b = q[1];
    return ((a & ~(a >> 1)) | (b & ~(b >> 1))) & 0x5555555555555555ull;
}

/* Index of the first run of N Free frames lying entirely inside frames
 * [16 * FIRST_WORD, LIMIT) of POOL, or CFP_NOT_FOUND. Works a word (16
 * frames) at a time, never bit by bit: words with no Free frame are
 * skipped a few operations per word (four words per test), a word that is
 * all Free extends the current run by 16 at once, and a mixed word is cut
 * into runs with count-trailing/leading-zeros (bsf/bsr). */
static __attribute__((unused)) /* unused while cfp_allocate is a TODO */
unsigned long cfp_find_run(const struct cont_frame_pool *pool, unsigned long first_word,
                           unsigned long limit, unsigned long n)
{
    const uint32_t *bitmap = pool->bitmap;
    unsigned long wi = first_word;
    unsigned long w_end = (limit + CFP_FRAMES_PER_WORD - 1) / CFP_FRAMES_PER_WORD;
    /* Frames at and past LIMIT in the last word count as not Free (for the
     * pool's last word they are the unused 00 bits anyway). */
    uint32_t last_mask = (limit % CFP_FRAMES_PER_WORD) == 0
                             ? ~0u
                             : (1u << (2u * (limit % CFP_FRAMES_PER_WORD))) - 1u;
    unsigned long run_start = 0, run_len = 0;

    if (first_word >= w_end)
        return CFP_NOT_FOUND;
    for (; wi < w_end; wi++) {
        uint32_t free = cfp_free_bits(bitmap[wi]);
        if (wi == w_end - 1)
            free &= last_mask;
        if (free == 0) {
            /* Nothing free here: skip the following words without a Free
             * frame in tight loops, four words per test while possible
             * (the common case in a nearly full pool). The last word is
             * left to the main loop, which masks it. */
            run_len = 0;
            while (wi + 5 < w_end && cfp_free_bits4(bitmap + wi + 1) == 0)
                wi += 4;
            while (wi + 2 < w_end && cfp_free_bits(bitmap[wi + 1]) == 0)
                wi++;
            continue;
        }
        if (free == CFP_LOW_BITS) { /* all 16 frames Free */
            if (run_len == 0)
                run_start = wi * CFP_FRAMES_PER_WORD;
            run_len += CFP_FRAMES_PER_WORD;
            if (run_len >= n)
                return run_start;
            continue;
        }
        uint32_t busy = ~free & CFP_LOW_BITS; /* frames that are not Free */
        if (n > 14) {
            /* A run this long cannot fit between two non-Free frames of
             * one word: only the Free frames at the bottom of the word
             * (ending the current run) and at its top (starting the next)
             * matter. */
            if (run_len == 0)
                run_start = wi * CFP_FRAMES_PER_WORD;
            if (run_len + (unsigned int)__builtin_ctz(busy) / 2 >= n)
                return run_start;
            run_len = (unsigned int)__builtin_clz(busy) / 2;
            run_start = (wi + 1) * CFP_FRAMES_PER_WORD - run_len;
            if (run_len >= n) /* n == 15, frame 0 of the word not Free */
                return run_start;
            continue;
        }
        unsigned int bit = 0;                 /* even: 2 * frame in word */
        while (bit < 32) {
            if (run_len == 0) { /* find the next Free frame */
                uint32_t rest = free >> bit;
                if (rest == 0)
                    break;
                bit += (unsigned int)__builtin_ctz(rest);
                run_start = wi * CFP_FRAMES_PER_WORD + bit / 2;
            }
            uint32_t stop = busy >> bit; /* next frame that is not Free */
            if (stop == 0) { /* the run reaches the end of the word */
                run_len += (32u - bit) / 2;
                if (run_len >= n)
                    return run_start;
                break;
            }
            unsigned int len = (unsigned int)__builtin_ctz(stop) / 2;
            run_len += len;
            if (run_len >= n)
                return run_start;
            run_len = 0;
            bit += 2 * len + 2; /* past the frame that stopped the run */
        }
    }
    return CFP_NOT_FOUND;
}
/* LAB 2: END SOLUTION */

/* LAB 2: TODO (optional) helpers of cfp_allocate */
/* LAB 2: BEGIN SOLUTION */
/* cfp_allocate by a run search: next fit, from the hint's word to the end,
 * then from the start for runs beginning before that word. Kept out of line
 * so that the one-frame fast path saves no registers. */
static __attribute__((noinline)) unsigned long
cfp_allocate_search(struct cont_frame_pool *pool, unsigned long n)
{
    if (n > pool->free_count)
        return 0;
    unsigned long start_word = pool->hint / CFP_FRAMES_PER_WORD;
    unsigned long start = start_word * CFP_FRAMES_PER_WORD;
    unsigned long idx = cfp_find_run(pool, start_word, pool->n_frames, n);
    if (idx == CFP_NOT_FOUND && start > 0) {
        unsigned long limit = start + n - 1; /* runs that begin before START */
        if (limit > pool->n_frames)
            limit = pool->n_frames;
        idx = cfp_find_run(pool, 0, limit, n);
    }
    if (idx == CFP_NOT_FOUND)
        return 0;
    cfp_set_state(pool, idx, CFP_STATE_HEAD);
    for (unsigned long i = idx + 1; i < idx + n; i++) /* Free (01) -> Used (00) */
        pool->bitmap[i / CFP_FRAMES_PER_WORD] &= ~(1u << (2u * (i % CFP_FRAMES_PER_WORD)));
    pool->free_count -= n;
    pool->hint = idx + n < pool->n_frames ? idx + n : 0;
    return pool->base_frame_no + idx;
}
/* LAB 2: END SOLUTION */

/* Allocate N (1 <= N <= n_frames) contiguous Free frames: the first becomes
 * Head, the others Used. Returns the first frame number (absolute), or 0 if
 * there is no such run (pool unchanged). */
unsigned long cfp_allocate(struct cont_frame_pool *pool, unsigned long n)
{
    (void)pool;
    (void)n;
    /* LAB 2: TODO find n contiguous Free frames (a word at a time, from the hint, wrapping once), mark them Head + Used, update free_count and hint; return base + index, or 0 */
    /* LAB 2: BEGIN SOLUTION */
    if (n != 1)
        return cfp_allocate_search(pool, n);
    /* The common request: one frame, and the hint's word usually has a Free
     * one (then free_count is not 0 either). */
    unsigned long start_word = pool->hint / CFP_FRAMES_PER_WORD;
    uint32_t *word = &pool->bitmap[start_word];
    uint32_t free = cfp_free_bits(*word);
    if (free == 0)
        return cfp_allocate_search(pool, 1);
    unsigned int bit = (unsigned int)__builtin_ctz(free); /* even: 2 * frame in word */
    *word ^= 3u << bit; /* Free (01) -> Head (10) flips both bits */
    unsigned long idx = start_word * CFP_FRAMES_PER_WORD + bit / 2;
    pool->free_count--;
    pool->hint = idx + 1 < pool->n_frames ? idx + 1 : 0;
    return pool->base_frame_no + idx;
    /* LAB 2: END SOLUTION */
    return 0;
}

/* LAB 2: TODO (optional) helpers of cfp_release_run */
/* LAB 2: BEGIN SOLUTION */
/* Free the Used frames from I on, up to the first frame that is not Used or
 * the end of the pool, and count them in free_count. Out of line: most runs
 * are one frame. */
static __attribute__((noinline)) void cfp_free_used(struct cont_frame_pool *pool,
                                                    unsigned long i)
{
    unsigned long first = i;
    while (i < pool->n_frames && cfp_get_state(pool, i) == CFP_STATE_USED) {
        /* Used (00) -> Free (01) sets the low bit. */
        pool->bitmap[i / CFP_FRAMES_PER_WORD] |= 1u << (2u * (i % CFP_FRAMES_PER_WORD));
        i++;
    }
    pool->free_count += i - first;
}
/* LAB 2: END SOLUTION */

/* Release the run whose first frame is IDX: it must be a Head. Frees it and
 * the Used frames after it, stopping at the first frame that is not Used or
 * at the end of the pool. Returns CFP_OK, or CFP_ERR_NOT_HEAD (IDX is Used),
 * CFP_ERR_NOT_ALLOCATED (Free) or CFP_ERR_INACCESSIBLE, changing nothing. */
int cfp_release_run(struct cont_frame_pool *pool, unsigned long idx)
{
    (void)pool;
    (void)idx;
    /* LAB 2: TODO return an error unless frame idx is a Head; free it and the Used frames that follow (not past the next Head, Free or Inaccessible frame); update free_count */
    /* LAB 2: BEGIN SOLUTION */
    uint32_t *word = &pool->bitmap[idx / CFP_FRAMES_PER_WORD];
    unsigned int shift = 2u * (idx % CFP_FRAMES_PER_WORD);
    enum cfp_state state = (enum cfp_state)((*word >> shift) & 3u); /* cfp_get_state */
    if (state != CFP_STATE_HEAD)
        return state == CFP_STATE_USED   ? CFP_ERR_NOT_HEAD
               : state == CFP_STATE_FREE ? CFP_ERR_NOT_ALLOCATED
                                         : CFP_ERR_INACCESSIBLE;
    *word ^= 3u << shift; /* Head (10) -> Free (01) flips both bits */
    pool->free_count++;
    unsigned long next = idx + 1;
    if (next < pool->n_frames && cfp_get_state(pool, next) == CFP_STATE_USED)
        cfp_free_used(pool, next); /* a run longer than one frame */
    return CFP_OK;
    /* LAB 2: END SOLUTION */
    return CFP_ERR_NOT_HEAD;
}

/* Mark frames [IDX, IDX + N) (inside the pool) Inaccessible. If any of them
 * is allocated (Head or Used) return CFP_ERR_BUSY and change nothing; Free
 * frames become Inaccessible (free_count drops), Inaccessible ones stay. */
int cfp_mark_range(struct cont_frame_pool *pool, unsigned long idx,
                          unsigned long n)
{
    (void)pool;
    (void)idx;
    (void)n;
    /* LAB 2: TODO refuse (CFP_ERR_BUSY) if a frame of the range is Head or Used; otherwise make the Free ones Inaccessible and update free_count */
    /* LAB 2: BEGIN SOLUTION */
    for (unsigned long i = idx; i < idx + n; i++) {
        enum cfp_state s = cfp_get_state(pool, i);
        if (s == CFP_STATE_HEAD || s == CFP_STATE_USED)
            return CFP_ERR_BUSY;
    }
    for (unsigned long i = idx; i < idx + n; i++) {
        if (cfp_get_state(pool, i) == CFP_STATE_FREE) {
            cfp_set_state(pool, i, CFP_STATE_INACCESSIBLE);
            pool->free_count--;
        }
    }
    return CFP_OK;
    /* LAB 2: END SOLUTION */
    return CFP_ERR_BUSY;
}

unsigned long cfp_needed_info_frames(unsigned long n_frames)
{
    (void)n_frames;
    /* LAB 2: TODO 2 bits per frame: how many 4096-byte frames hold n_frames * 2 bits? Round up, and do not overflow */
    /* LAB 2: BEGIN SOLUTION */
    return n_frames / CFP_FRAMES_PER_INFO_FRAME +
           (n_frames % CFP_FRAMES_PER_INFO_FRAME != 0 ? 1 : 0);
    /* LAB 2: END SOLUTION */
    return 0;
}
