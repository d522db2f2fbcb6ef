/* rr_quantum.c: time-slice countdown with seeded, reproducible jitter (pure C, host-tested). */
#include "rr_quantum.h"

static uint32_t clamp(uint32_t quantum)
{
    if (quantum < 1)
        return 1;
    return quantum > RR_QUANTUM_MAX ? RR_QUANTUM_MAX : quantum;
}

/* xorshift32 (Marsaglia): never 0 once seeded with a non-zero value. */
static __attribute__((unused)) uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* Step 2: the end-of-quantum timer's settings and countdown. */

void rr_quantum_init(struct rr_quantum *q, uint32_t quantum, bool has_seed, uint32_t seed)
{
    q->rng = 0;
    /* LAB 5: TODO with a seed, seed the generator from SEED (scramble it:
     * seed * 2654435761 ^ 0x9E3779B9, and never 0, or xorshift stays 0). */
    /* LAB 5: BEGIN SOLUTION full */
    if (has_seed) {
        q->rng = (seed * 2654435761u) ^ 0x9E3779B9u;
        if (q->rng == 0)
            q->rng = 1;
    }
    /* LAB 5: END SOLUTION */
    (void)has_seed, (void)seed;
    rr_quantum_set(q, quantum);
    rr_quantum_reset(q);
}

void rr_quantum_set(struct rr_quantum *q, uint32_t quantum)
{
    q->quantum = clamp(quantum);
    q->jitter = 0;
    /* LAB 5: TODO a seeded generator (rng != 0) gives a jitter of half the
     * quantum, at least 1 tick. */
    /* LAB 5: BEGIN SOLUTION full */
    if (q->rng != 0)
        q->jitter = q->quantum / 2 > 0 ? q->quantum / 2 : 1;
    /* LAB 5: END SOLUTION */
}

uint32_t rr_quantum_draw(struct rr_quantum *q)
{
    uint32_t len = q->quantum;
    /* LAB 5: TODO with jitter (a seed), add r drawn uniformly from
     * 0..jitter (next_random) to LEN. */
    /* LAB 5: BEGIN SOLUTION full */
    if (q->jitter != 0)
        len += next_random(&q->rng) % (q->jitter + 1);
    /* LAB 5: END SOLUTION */
    return len;
}

void rr_quantum_reset(struct rr_quantum *q)
{
    /* LAB 5: TODO a new slice: draw its length; all of it is left. */
    /* LAB 5: BEGIN SOLUTION full */
    q->slice = rr_quantum_draw(q);
    q->left = q->slice;
    /* LAB 5: END SOLUTION */
    (void)q;
}
