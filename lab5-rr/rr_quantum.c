/* rr_quantum.c: the time slice's settings: quantum, seeded jitter (pure C, host-tested; the countdown is in rr_quantum.h). */
#include "rr_quantum.h"

static uint32_t clamp(uint32_t quantum)
{
    if (quantum < 1)
        return 1;
    return quantum > RR_QUANTUM_MAX ? RR_QUANTUM_MAX : quantum;
}

/* Step 2: the end-of-quantum timer's settings (the countdown is inline in
 * rr_quantum.h). */

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
