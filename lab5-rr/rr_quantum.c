/* rr_quantum.c: time-slice countdown with seeded, reproducible jitter (pure C, host-tested). */
#include "rr_quantum.h"

static uint32_t clamp(uint32_t quantum)
{
    if (quantum < 1)
        return 1;
    return quantum > RR_QUANTUM_MAX ? RR_QUANTUM_MAX : quantum;
}

/* xorshift32 (Marsaglia): never 0 once seeded with a non-zero value. */
static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

void rr_quantum_init(struct rr_quantum *q, uint32_t quantum, bool has_seed, uint32_t seed)
{
    q->quantum = clamp(quantum);
    q->rng = has_seed ? (seed * 2654435761u) ^ 0x9E3779B9u : 0;
    if (has_seed && q->rng == 0)
        q->rng = 1;
    q->jitter = 0;
    rr_quantum_set(q, q->quantum);
    rr_quantum_reset(q);
}

void rr_quantum_set(struct rr_quantum *q, uint32_t quantum)
{
    q->quantum = clamp(quantum);
    q->jitter = q->rng == 0 ? 0 : (q->quantum / 2 > 0 ? q->quantum / 2 : 1);
}

/* Step 2: the end-of-quantum timer's countdown. */

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

bool rr_quantum_tick(struct rr_quantum *q)
{
    bool used_up = false;
    /* LAB 5: TODO one tick of the slice is gone (never below 0); USED_UP
     * once none is left: a slice of N ticks is used up by its Nth tick. */
    /* LAB 5: BEGIN SOLUTION full */
    if (q->left > 0)
        q->left--;
    used_up = q->left == 0;
    /* LAB 5: END SOLUTION */
    return used_up;
}
