/* rr_quantum.h: the round-robin time slice: length, jitter from a seed, countdown (pure: host-testable). */
#ifndef LAB5_RR_QUANTUM_H
#define LAB5_RR_QUANTUM_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One slice counts timer ticks down from its length. Without a seed every
 * slice is exactly QUANTUM ticks. With a seed (the kernel's `seed=N`), each
 * new slice is QUANTUM + r ticks, r drawn from [0, jitter] by a xorshift32
 * generator seeded from N (jitter = QUANTUM / 2, at least 1): the same seed
 * gives the same sequence of lengths, so a failing interleaving can be
 * replayed, and different seeds explore different ones.
 */
struct rr_quantum {
    uint32_t quantum; /* ticks per slice before jitter, >= 1 */
    uint32_t jitter;  /* most extra ticks a slice gets; 0 without a seed */
    uint32_t rng;     /* generator state; 0 without a seed */
    uint32_t slice;   /* length of the current slice */
    uint32_t left;    /* ticks left in it */
};

#define RR_QUANTUM_MAX 10000u /* ticks */

/* Set Q up: QUANTUM ticks (clamped to 1..RR_QUANTUM_MAX); jitter iff
 * HAS_SEED, from SEED. Starts a first slice. */
void rr_quantum_init(struct rr_quantum *q, uint32_t quantum, bool has_seed, uint32_t seed);

/* Change the base length (clamped), keeping the generator; the current
 * slice is unchanged until the next reset. */
void rr_quantum_set(struct rr_quantum *q, uint32_t quantum);

/*
 * The countdown: inline, because the timer interrupt runs it (a tick on
 * every tick, a reset at the end of every slice).
 */

/* xorshift32 (Marsaglia): never 0 once seeded with a non-zero value. */
static inline uint32_t rr_quantum_next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* The length the next slice will get (draws from the generator). */
static inline uint32_t rr_quantum_draw(struct rr_quantum *q)
{
    uint32_t len = q->quantum;
    /* LAB 5: TODO with jitter (a seed), add r drawn uniformly from
     * 0..jitter (rr_quantum_next_random) to LEN. */
    /* LAB 5: BEGIN SOLUTION full */
    if (q->jitter != 0)
        len += rr_quantum_next_random(&q->rng) % (q->jitter + 1);
    /* LAB 5: END SOLUTION */
    return len;
}

/* Start a new slice (a thread starts running with a full slice). */
static inline void rr_quantum_reset(struct rr_quantum *q)
{
    /* LAB 5: TODO a new slice: draw its length; all of it is left. */
    /* LAB 5: BEGIN SOLUTION full */
    q->slice = rr_quantum_draw(q);
    q->left = q->slice;
    /* LAB 5: END SOLUTION */
    (void)q;
}

/* Count one tick against the current slice. Returns true when it is used up
 * (left reaches 0; further ticks keep returning true until a reset). */
static inline bool rr_quantum_tick(struct rr_quantum *q)
{
    bool used_up = false;
    /* LAB 5: TODO one tick of the slice is gone (never below 0); USED_UP
     * once none is left: a slice of N ticks is used up by its Nth tick. */
    /* LAB 5: BEGIN SOLUTION full */
    if (q->left > 0)
        q->left--;
    used_up = q->left == 0;
    /* LAB 5: END SOLUTION */
    (void)q;
    return used_up;
}

#endif
