/* cont_frame_pool.h: ContFramePool, the physical frame manager (2 bits per frame). */
#ifndef LAB2_CONT_FRAME_POOL_H
#define LAB2_CONT_FRAME_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/mmu.h"

/*
 * A frame pool manages a contiguous range of physical frames (4 KiB each;
 * frame_no = physical address / 4096). It hands out contiguous runs of frames
 * and takes them back by their first frame only, so it must remember where
 * each run starts. It does so with two bits per frame, kept in a bitmap that
 * lives in physical memory itself ("info frames"):
 *
 *     Used                00   allocated, not the first frame of its run
 *     Free                01   available
 *     Head-of-Sequence    10   allocated, first frame of its run
 *     Inaccessible        11   never handed out (reserved RAM, a hole, the
 *                              kernel image, ...)
 *
 * A run is one Head frame followed by zero or more Used frames; it ends at the
 * first frame that is not Used (or at the end of the pool).
 *
 * Bitmap layout: 32-bit words; frame i of the pool (i = frame_no - base) is
 * in word i / 16, bits 2*(i % 16) (low bit) and 2*(i % 16) + 1 (high bit).
 * Bits past the last frame of the last word are left 00 and never used.
 *
 * Every pool that cfp_init() accepts is registered in a list of pools, so
 * that cfp_release_frames() needs only a frame number.
 *
 * Concurrency: the functions below are not re-entrant by themselves. They
 * call the guard installed with cfp_set_guard() (none by default) around
 * every access to pool state; a lab with preemption installs one that
 * disables interrupts. They never sleep or yield.
 */

#define CFP_FRAME_SIZE PAGE_SIZE /* a frame holds one page (common/mmu.h) */
#define CFP_FRAMES_PER_WORD 16u                     /* 2 bits per frame */
#define CFP_FRAMES_PER_INFO_FRAME (CFP_FRAME_SIZE * 4u) /* 16384 */
/* Frame numbers are below 2^20: 32-bit physical addresses. */
#define CFP_MAX_FRAME_NO 0x100000ul

/* The state of one frame. The first four values are the bit encodings. */
enum cfp_state {
    CFP_STATE_USED = 0,         /* 00: allocated, inside a run */
    CFP_STATE_FREE = 1,         /* 01: available */
    CFP_STATE_HEAD = 2,         /* 10: allocated, first frame of a run */
    CFP_STATE_INACCESSIBLE = 3, /* 11: never handed out */
    CFP_STATE_OUTSIDE = 4,      /* not an encoding: frame not in the pool */
};

/* Return codes (0 = success). Every failure leaves all pools unchanged and
 * logs one line starting with "cfp: ". */
#define CFP_OK 0
#define CFP_ERR_NO_POOL (-1)       /* release: frame is in no pool */
#define CFP_ERR_NOT_HEAD (-2)      /* release: frame is Used, inside a run */
#define CFP_ERR_NOT_ALLOCATED (-3) /* release: frame is Free (double release?) */
#define CFP_ERR_INACCESSIBLE (-4)  /* release: frame is Inaccessible */
#define CFP_ERR_INFO_FRAMES (-5)   /* release: frames hold a registered pool's bitmap */
#define CFP_ERR_HOLDS_POOL (-6)    /* release/fini: a registered pool lives inside */
#define CFP_ERR_RANGE (-7)         /* mark_inaccessible: range not inside the pool */
#define CFP_ERR_BUSY (-8)          /* mark_inaccessible: range has allocated frames */
#define CFP_ERR_OVERLAP (-9)       /* init: overlaps a registered pool */
#define CFP_ERR_INVALID (-10)      /* init: bad parameters */
#define CFP_ERR_NOT_REGISTERED (-11) /* fini: pool is not registered */

/* One pool. Callers allocate the struct (statically or on the stack) and
 * must not touch its fields: use the functions below. The struct must stay
 * alive while the pool is registered (until cfp_fini()). */
struct cont_frame_pool {
    unsigned long base_frame_no; /* first frame managed */
    unsigned long n_frames;      /* frames managed, info frames included */
    unsigned long info_frame_no; /* first frame of the bitmap */
    unsigned long n_info_frames; /* frames holding the bitmap */
    bool info_internal;          /* bitmap in the pool's own first frames */
    uint32_t *bitmap;            /* phys_to_ptr(info_frame_no * 4096) */
    unsigned long free_count;    /* frames in state Free */
    unsigned long hint;          /* next-fit: frame index where searches start */
    const char *name;            /* for messages and the monitor; may be NULL */
    struct cont_frame_pool *next; /* list of registered pools, newest first */
    uint32_t registered;         /* CFP_REGISTERED while in that list, else 0 */
    /* Registered pools whose frames or external bitmap lie in this pool's
     * frames: while 0, a release needs no check against other pools. */
    unsigned long n_held;
    /* A release of a frame index below this needs the checks against
     * bitmaps and other pools: every index while n_held != 0, else the
     * internal info frames (n_info_frames if info_internal, else 0). */
    unsigned long checked_below;
};

/* Initialise POOL to manage frames [BASE_FRAME_NO, BASE_FRAME_NO + N_FRAMES)
 * and register it. All frames start Free, except the bitmap's:
 *   INFO_FRAME_NO == 0: the bitmap occupies the pool's first
 *     cfp_needed_info_frames(N_FRAMES) frames, which become one allocated run
 *     (Head + Used) that cfp_release_frames() refuses to release;
 *   otherwise: the bitmap lives in frames [INFO_FRAME_NO, INFO_FRAME_NO +
 *     cfp_needed_info_frames(N_FRAMES)), outside the pool, which the caller
 *     has allocated from another pool (if they lie in a registered pool they
 *     must be allocated there).
 * A new pool may not overlap a registered pool, with one exception: it may
 * be carved out of frames allocated from a registered pool (the whole new
 * range inside that pool, every frame of it Head or Used there, none of them
 * that pool's bitmap). Such a nested pool takes precedence for
 * cfp_release_frames() and must be cfp_fini()'d before its frames are
 * released to the outer pool.
 * Returns CFP_OK, CFP_ERR_INVALID (N_FRAMES == 0, frame 0 in the pool, range
 * past 4 GiB, pool too small for its own bitmap, info frames inside the
 * pool or free in another pool, POOL already registered) or CFP_ERR_OVERLAP;
 * on failure nothing is written and POOL is not registered.
 * Writes the bitmap through phys_to_ptr(). */
int cfp_init(struct cont_frame_pool *pool, unsigned long base_frame_no,
             unsigned long n_frames, unsigned long info_frame_no);

/* Unregister POOL (it no longer owns its frames; the bitmap is left as is).
 * Returns CFP_OK, CFP_ERR_NOT_REGISTERED, or CFP_ERR_HOLDS_POOL if another
 * registered pool was carved out of it. */
int cfp_fini(struct cont_frame_pool *pool);

/* Name POOL for messages and the monitor (NAME must outlive the pool). */
void cfp_set_name(struct cont_frame_pool *pool, const char *name);

/* Allocate N_FRAMES contiguous frames from POOL: the first becomes Head, the
 * others Used. Returns the frame number of the first, or 0 if no run of that
 * length is free (pool unchanged; not logged, running out is normal).
 * N_FRAMES == 0 or N_FRAMES > the pool's size is a caller bug: logged,
 * returns 0. Searches next-fit, a bitmap word (16 frames) at a time. */
unsigned long cfp_get_frames(struct cont_frame_pool *pool, unsigned int n_frames);

/* Mark frames [BASE_FRAME_NO, BASE_FRAME_NO + N_FRAMES) of POOL Inaccessible
 * (typically reserved E820 ranges, before any allocation). Frames already
 * Inaccessible stay so; N_FRAMES == 0 does nothing. Returns CFP_OK,
 * CFP_ERR_RANGE if the range is not entirely inside the pool, or
 * CFP_ERR_BUSY if it contains allocated (Head or Used) frames; on failure
 * nothing changes and a message is logged. */
int cfp_mark_inaccessible(struct cont_frame_pool *pool,
                          unsigned long base_frame_no, unsigned long n_frames);

/* Release the run that starts at FIRST_FRAME_NO, in whichever registered
 * pool owns that frame (the innermost one if pools are nested). Frees the
 * Head and the Used frames after it, up to the first frame that is not Used.
 * Returns CFP_OK or a negative CFP_ERR_*: NO_POOL, NOT_HEAD (a Used frame),
 * NOT_ALLOCATED (a Free frame: double release?), INACCESSIBLE, INFO_FRAMES
 * (the run holds the bitmap of a registered pool: a pool's own first
 * frames, or another pool's external info frames), HOLDS_POOL (a pool was
 * carved out of the run). On failure nothing changes and a message is
 * logged. */
int cfp_release_frames(unsigned long first_frame_no);

/* Number of frames needed for the bitmap of a pool of N_FRAMES frames:
 * 2 bits each, so ceil(N_FRAMES / 16384). 0 for 0. */
unsigned long cfp_needed_info_frames(unsigned long n_frames);

/* Frames of POOL currently Free. O(1). */
unsigned long cfp_free_count(const struct cont_frame_pool *pool);

/* ---- Inspection (monitor, tests) --------------------------------------- */

/* State of absolute frame FRAME_NO in POOL (CFP_STATE_OUTSIDE if the frame
 * is not in the pool). */
enum cfp_state cfp_frame_state(const struct cont_frame_pool *pool,
                               unsigned long frame_no);

/* Count the frames of POOL in each state: COUNTS[CFP_STATE_USED ..
 * CFP_STATE_INACCESSIBLE]. O(n_frames). */
void cfp_count_states(const struct cont_frame_pool *pool, unsigned long counts[4]);

unsigned long cfp_base_frame(const struct cont_frame_pool *pool);
unsigned long cfp_n_frames(const struct cont_frame_pool *pool);
unsigned long cfp_info_frame(const struct cont_frame_pool *pool);
unsigned long cfp_n_info_frames(const struct cont_frame_pool *pool);
/* Name given with cfp_set_name(), or "(unnamed)". */
const char *cfp_name(const struct cont_frame_pool *pool);

/* The registered pool that owns FRAME_NO (innermost), or NULL. */
struct cont_frame_pool *cfp_find_pool(unsigned long frame_no);

/* Iterate over registered pools, newest first:
 *     for (p = cfp_first_pool(); p; p = cfp_next_pool(p)) ... */
struct cont_frame_pool *cfp_first_pool(void);
struct cont_frame_pool *cfp_next_pool(const struct cont_frame_pool *pool);

/* Short text for a CFP_* return code, e.g. "not the head of a sequence". */
const char *cfp_strerror(int err);

/* Install a guard around pool accesses: ENTER() is called first and its
 * result handed to LEAVE() afterwards (e.g. intr_disable/intr_set_level).
 * NULL, NULL removes it. Call before concurrent use begins. */
void cfp_set_guard(int (*enter)(void), void (*leave)(int));

#endif
