/* tests_challenge_mlfq.h: what the lab 5 challenge tests share: test settings, MLFQ set-up, waiting by sleeping. */
#ifndef LAB5_TESTS_CHALLENGE_MLFQ_H
#define LAB5_TESTS_CHALLENGE_MLFQ_H

#include <stdint.h>

#include "challenge_mlfq.h"
#include "tests_rr_util.h"

/*
 * Every measure in these tests is in timer ticks or in a thread's cpu_ticks
 * (the scheduler counts one for each tick that finds the thread running),
 * never in wall time. Every worker ends by itself after a bounded number of
 * ticks, so a broken policy (one that never preempts, say) fails with a
 * message instead of hanging.
 */

#define MQ_Q 4              /* level-0 slice in the tests: 4, 8, 16 ticks */
#define MQ_BOTTOM (MLFQ_LEVELS - 1)
#define MQ_CPU_LIMIT 400    /* ticks of CPU after which a spinner gives up */

/* Fail the test unless MLFQ is the policy (a boot with sched=mlfq); then
 * configure it: level-0 slice MQ_Q, a boost every BOOST ticks (0: never),
 * every thread back at level 0. Main, in a test. */
void mq_begin(uint32_t boost);

/* Put back the settings mq_begin found. Main, in a test. */
void mq_end(void);

/* A thread for mq_start_together. */
struct mq_worker {
    const char *name;
    thread_fn *fn;
    void *arg;
};

#define MQ_WORKERS_MAX 8

/* Create the N (<= MQ_WORKERS_MAX) threads of W first (the slow part: main's
 * own slice may run out meanwhile, and a thread that started early would
 * run alone), then make them all ready in W's order in one critical
 * section. IDS[i] gets W[i]'s id; *T0, if not NULL, the tick they became
 * ready at. Fails the test if a thread cannot be created. Main, in a test. */
void mq_start_together(const struct mq_worker *w, int n, int *ids, volatile uint32_t *t0);

/* Sleep until every thread in IDS[0..N) has ended. Never yields: a yielding
 * main would stay at the top level and starve the threads it waits for. */
void mq_wait_all(const int *ids, int n);

#endif
