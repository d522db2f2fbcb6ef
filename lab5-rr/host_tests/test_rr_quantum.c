/* test_rr_quantum.c: host unit tests of rr_quantum.c, and round robin simulated tick by tick over the FIFO hooks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/host_tests/host_support.h"
#include "lab4-threads/fifo_policy.h"
#include "lab4-threads/thread.h"
#include "lab5-rr/rr_quantum.h"

bool sched_host_interrupts_off(void)
{
    return true; /* the simulation is the only "CPU" */
}

static void test_no_seed_is_exact(void **state)
{
    (void)state;
    struct rr_quantum q;
    rr_quantum_init(&q, 5, false, 0);
    assert_int_equal(q.jitter, 0);
    assert_int_equal(q.slice, 5);
    for (int round = 0; round < 10; round++) {
        for (int t = 1; t < 5; t++)
            assert_false(rr_quantum_tick(&q));
        assert_true(rr_quantum_tick(&q));
        assert_true(rr_quantum_tick(&q)); /* stays expired until a reset */
        rr_quantum_reset(&q);
        assert_int_equal(q.left, 5);
    }
}

static void test_clamped(void **state)
{
    (void)state;
    struct rr_quantum q;
    rr_quantum_init(&q, 0, false, 0);
    assert_int_equal(q.quantum, 1);
    assert_true(rr_quantum_tick(&q));
    rr_quantum_set(&q, RR_QUANTUM_MAX + 5);
    assert_int_equal(q.quantum, RR_QUANTUM_MAX);
}

static void test_jitter_range_and_replay(void **state)
{
    (void)state;
    struct rr_quantum a, b, c;
    int seen[4] = {0}, differ = 0;
    rr_quantum_init(&a, 6, true, 42);
    rr_quantum_init(&b, 6, true, 42);
    rr_quantum_init(&c, 6, true, 43);
    assert_int_equal(a.jitter, 3);
    for (int i = 0; i < 1000; i++) {
        uint32_t x = rr_quantum_draw(&a), y = rr_quantum_draw(&b), z = rr_quantum_draw(&c);
        assert_int_equal(x, y); /* same seed, same sequence */
        assert_in_range(x, 6, 9);
        seen[x - 6]++;
        differ += x != z;
    }
    for (int i = 0; i < 4; i++)
        assert_true(seen[i] > 150); /* roughly uniform */
    assert_true(differ > 500);
}

static void test_seed_zero_and_tiny_quantum(void **state)
{
    (void)state;
    struct rr_quantum q;
    rr_quantum_init(&q, 1, true, 0);
    assert_int_not_equal(q.rng, 0);
    assert_int_equal(q.jitter, 1); /* at least one tick of jitter */
    for (int i = 0; i < 100; i++)
        assert_in_range(rr_quantum_draw(&q), 1, 2);
}

static void test_set_keeps_slice(void **state)
{
    (void)state;
    struct rr_quantum q;
    rr_quantum_init(&q, 10, false, 0);
    assert_false(rr_quantum_tick(&q));
    rr_quantum_set(&q, 3);
    assert_int_equal(q.left, 9); /* the running slice goes on */
    rr_quantum_reset(&q);
    assert_int_equal(q.left, 3);
}

/* ---- round robin simulated: FIFO queue + quantum, tick by tick -------------- */

#define SIM_THREADS 4
static struct thread sim[SIM_THREADS];

/* Run SIM_THREADS CPU-bound threads for TICKS ticks with quantum Q (and a
 * seed, if HAS_SEED); YIELD_EVERY > 0 makes thread 0 yield every that many
 * of its own ticks. Returns the number of switches; counts each thread's
 * ticks in sim[i].cpu_ticks. */
static int simulate(uint32_t q, bool has_seed, uint32_t seed, int ticks, int yield_every,
                    int *order, int order_max)
{
    struct rr_quantum slice;
    int switches = 0, n_order = 0;
    memset(sim, 0, sizeof sim);
    fifo_reset();
    for (int i = 0; i < SIM_THREADS; i++) {
        sim[i].id = i;
        sim[i].state = THREAD_READY;
        list_elem_init(&sim[i].sched_elem);
        fifo_enqueue(&sim[i]);
    }
    rr_quantum_init(&slice, q, has_seed, seed);
    struct thread *cur = fifo_pick_next();
    cur->state = THREAD_RUNNING;
    for (int t = 0; t < ticks; t++) {
        cur->cpu_ticks++;
        bool yield = yield_every > 0 && cur->id == 0 && cur->cpu_ticks % (unsigned)yield_every == 0;
        bool expired = rr_quantum_tick(&slice);
        if (!yield && !expired)
            continue;
        rr_quantum_reset(&slice); /* expiry or voluntary yield: a full slice next */
        cur->state = THREAD_READY;
        fifo_enqueue(cur);
        cur = fifo_pick_next();
        cur->state = THREAD_RUNNING;
        switches++;
        if (order != NULL && n_order < order_max)
            order[n_order++] = cur->id;
    }
    return switches;
}

static void test_rr_rotation_and_fairness(void **state)
{
    (void)state;
    int order[64];
    int switches = simulate(5, false, 0, 400, 0, order, 64);
    assert_int_equal(switches, 80); /* one every 5 ticks */
    for (int i = 0; i < 64; i++)
        assert_int_equal(order[i], (i + 1) % SIM_THREADS);
    for (int i = 0; i < SIM_THREADS; i++)
        assert_int_equal(sim[i].cpu_ticks, 100);
}

static void test_rr_fair_with_jitter(void **state)
{
    (void)state;
    for (uint32_t seed = 1; seed <= 50; seed++) {
        simulate(5, true, seed, 400, 0, NULL, 0);
        unsigned long lo = ~0ul, hi = 0;
        for (int i = 0; i < SIM_THREADS; i++) {
            lo = sim[i].cpu_ticks < lo ? sim[i].cpu_ticks : lo;
            hi = sim[i].cpu_ticks > hi ? sim[i].cpu_ticks : hi;
        }
        /* the kernel's rr_fairness bound: 3 slices of at most 7 ticks, + 4 */
        assert_true(hi - lo <= 3 * 7 + 4);
    }
}

static void test_rr_yielder_gets_less(void **state)
{
    (void)state;
    simulate(5, false, 0, 400, 1, NULL, 0); /* thread 0 yields after every tick */
    assert_true(sim[0].cpu_ticks < sim[1].cpu_ticks);
    /* and the others still share evenly: each yield handed over a full slice */
    assert_int_equal(sim[1].cpu_ticks, sim[2].cpu_ticks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_seed_is_exact),
        cmocka_unit_test(test_clamped),
        cmocka_unit_test(test_jitter_range_and_replay),
        cmocka_unit_test(test_seed_zero_and_tiny_quantum),
        cmocka_unit_test(test_set_keeps_slice),
        cmocka_unit_test(test_rr_rotation_and_fairness),
        cmocka_unit_test(test_rr_fair_with_jitter),
        cmocka_unit_test(test_rr_yielder_gets_less),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
