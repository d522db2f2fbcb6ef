/* tests_rr.c: lab 5 tests of preemption: EOI order, progress without yields, fairness, quantum length and reset. */
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "lab1-boot/cmdline.h"
#include "lab1-boot/pit.h"
#include "rr_spin.h"
#include "tests_rr_util.h"

/* (Tests run in the reverse of the order they are defined in a file.) */

static struct rr_spin spin; /* one spinner set at a time */

/* ---- the quantum comes from the command line; jitter from the seed ---------- */

KTEST(rr_quantum_settings)
{
    TESTS_REQUIRE_RR();
    unsigned long want_ms = cmdline_get_ulong("quantum", RR_DEFAULT_QUANTUM_MS);
    if (rr_quantum_ms() != want_ms)
        KT_FAIL("step 2 (quantum settings): booted with quantum=%lu, rr_quantum_ms() is %lu: "
                "read it from the command line in rr_init", want_ms, rr_quantum_ms());
    uint32_t want_ticks = rr_quantum_ms() * pit_hz() / 1000 +
                          (rr_quantum_ms() * pit_hz() % 1000 >= 500);
    if (rr_quantum_ticks() != want_ticks)
        KT_FAIL("step 2 (quantum settings): %lu ms at %lu Hz are %lu ticks, the slice has %lu",
                rr_quantum_ms(), (unsigned long)pit_hz(), (unsigned long)want_ticks,
                (unsigned long)rr_quantum_ticks());
    uint32_t seed;
    unsigned long want_seed = 0;
    bool seeded = rr_seed(&seed), want_seeded = cmdline_get_number("seed", &want_seed);
    if (seeded != want_seeded || (seeded && seed != (uint32_t)want_seed))
        KT_FAIL("step 2 (quantum settings): seed= on the command line: %s, rr_seed() says "
                "%d (%lu)", cmdline_get("seed") ? cmdline_get("seed") : "absent", seeded,
                seeded ? (unsigned long)seed : 0ul);
    KT_ASSERT_EQ(rr_jitter_ticks(), seeded ? (rr_quantum_ticks() / 2 ? rr_quantum_ticks() / 2 : 1) : 0);
    /* Settings from the monitor: milliseconds (rounded to ticks) or ticks. */
    uint32_t saved = rr_quantum_ticks();
    static const struct { unsigned long ms; uint32_t ticks; } conv[] = {
        {1, 1}, {12, 12}, {250, 250}, {5000, 5000}, {10000, 10000}};
    for (unsigned i = 0; i < sizeof conv / sizeof conv[0]; i++) {
        bool ok = rr_set_quantum_ms(conv[i].ms);
        enum intr_level a = intr_get_level();
        uint32_t got = rr_quantum_ticks();
        unsigned long got_ms = rr_quantum_ms();
        rr_set_quantum_ticks(saved);
        enum intr_level b = intr_get_level();
        if (!ok || got != conv[i].ticks * pit_hz() / 1000 || got_ms != conv[i].ms)
            KT_FAIL("step 2 (quantum settings): rr_set_quantum_ms(%lu) gave %d, %lu ticks, "
                    "%lu ms", conv[i].ms, ok, (unsigned long)got, got_ms);
        if (a != INTR_ON || b != INTR_ON)
            KT_FAIL("step 2 (quantum settings): rr_set_quantum_ms/ticks called with "
                    "interrupts on returned with them off: restore the caller's level");
    }
    enum intr_level old = intr_disable();
    rr_set_quantum_ms(20);
    enum intr_level a = intr_get_level();
    rr_set_quantum_ticks(saved);
    enum intr_level b = intr_get_level();
    intr_set_level(old);
    if (a != INTR_OFF || b != INTR_OFF)
        KT_FAIL("step 2 (quantum settings): inside a critical section, rr_set_quantum_ms/"
                "ticks turned interrupts on: use intr_set_level(old), not intr_enable()");
    if (rr_set_quantum_ms(0) || rr_set_quantum_ms(10001) || rr_quantum_ticks() != saved)
        KT_FAIL("step 2 (quantum settings): a quantum outside 1..10000 ms must be refused "
                "and change nothing");
    static const uint32_t in_ticks[] = {7, 1000};
    for (unsigned i = 0; i < sizeof in_ticks / sizeof in_ticks[0]; i++) {
        rr_set_quantum_ticks(in_ticks[i]);
        uint32_t got = rr_quantum_ticks();
        unsigned long got_ms = rr_quantum_ms();
        rr_set_quantum_ticks(saved);
        if (got != in_ticks[i] || got_ms != in_ticks[i] * 1000ul / pit_hz())
            KT_FAIL("step 2 (quantum settings): rr_set_quantum_ticks(%lu): %lu ticks, %lu ms",
                    (unsigned long)in_ticks[i], (unsigned long)got, got_ms);
    }
}

/* ---- slices are as long as the quantum says -------------------------------- */

KTEST(rr_slices_follow_quantum)
{
    TESTS_REQUIRE_RR();
    uint32_t q = rr_quantum_ticks(), j = rr_jitter_ticks();
    kprintf("rr: quantum %lu ticks, jitter 0..%lu\n", (unsigned long)q, (unsigned long)j);
    spin = (struct rr_spin){.n = 2, .max_ticks = 20 * (q + j) + 200, .verbose = true};
    KT_ASSERT_EQ(rr_spin_start(&spin), 2);
    bool ok = TESTS_RR_SLEEP_UNTIL(rr_spin_min_runs(&spin) >= 8, 16 * (q + j) + 500);
    rr_spin_stop(&spin);
    if (!ok)
        KT_FAIL("step 3 (end of quantum): spinners had %lu and %lu runs: not preempted?", spin.runs[0], spin.runs[1]);
    kprintf("rr: slices:");
    for (int i = 1; i < spin.logged; i++)
        kprintf(" %lu", (unsigned long)(spin.run_tick[i] - spin.run_tick[i - 1]));
    kprintf("\n");
    /* Skip the first run (it started mid-slice of main) and the last one, and
     * judge only runs handed straight to the other spinner (one switch): when
     * main ran in between (to check its wake-up condition), the ticks the
     * emulator delivered meanwhile belong to main, and how many that is
     * depends on how busy the host is. */
    int judged = 0;
    for (int i = 2; i < spin.logged - 1; i++) {
        uint32_t d = spin.run_tick[i] - spin.run_tick[i - 1];
        if (spin.run_switch[i] - spin.run_switch[i - 1] != 1)
            continue;
        judged++;
        if (d + 1 < q || d > q + j + 2)
            KT_FAIL("step 3 (end of quantum): run %d lasted %lu ticks; the quantum is %lu (+0..%lu)", i - 1,
                    (unsigned long)d, (unsigned long)q, (unsigned long)j);
    }
    if (judged < 3)
        KT_FAIL("only %d of %d runs went straight from one spinner to the other: "
                "something else ran between nearly all slices", judged, spin.logged - 3);
}

/* ---- a voluntary yield gives the next thread a full slice -------------------- */

static volatile uint32_t qb_first, qb_last;
static volatile bool qb_stop;

static void measure_body(void *arg)
{
    (void)arg;
    qb_first = timer_ticks();
    while (!qb_stop)
        qb_last = timer_ticks();
}

KTEST(rr_yield_resets_quantum)
{
    TESTS_REQUIRE_RR();
    KT_ASSERT_EQ(scheduler_ready_count(), 0);
    uint32_t saved = rr_quantum_ticks();
    rr_set_quantum_ticks(20);
    qb_first = qb_last = 0;
    qb_stop = false;
    struct thread *b = thread_create_named("measure", measure_body, NULL, 0);
    KT_ASSERT(b != NULL);
    int id = thread_id(b);
    scheduler_yield();       /* nobody else is ready: main just gets a fresh slice */
    scheduler_add(b);
    uint32_t t0 = timer_ticks();
    while (rr_slice_left() > 3 && timer_ticks() - t0 < 100)
        ; /* use up all but 3 ticks of our slice */
    uint32_t left = rr_slice_left();
    if (left > 3) {
        scheduler_terminate(b);
        rr_set_quantum_ticks(saved);
        KT_FAIL("step 3 (end of quantum): the slice still has %lu ticks left after 100 "
                "ticks: on_tick does not count ticks down", (unsigned long)left);
    }
    scheduler_yield();       /* B runs: with a full slice, or only our 3 ticks? */
    uint32_t got = qb_last - qb_first + 1;
    uint32_t slice = rr_slice_length();
    qb_stop = true;
    thread_wait(id);
    rr_set_quantum_ticks(saved);
    kprintf("rr: main yielded with %lu ticks left; the next thread then ran %lu ticks\n",
            (unsigned long)left, (unsigned long)got);
    KT_ASSERT(qb_first != 0);
    if (got + 2 < 20)
        KT_FAIL("step 4 (yield): the thread after a yield ran %lu ticks, not a full "
                "quantum of 20: start a fresh slice on a voluntary yield", (unsigned long)got);
    KT_ASSERT(got <= 20 + 10 + 2);
    (void)slice;
}

/* ---- fairness: CPU-bound threads get equal shares within a bound ------------- */

KTEST(rr_fairness)
{
    TESTS_REQUIRE_RR();
    uint32_t qmax = rr_quantum_ticks() + rr_jitter_ticks();
    spin = (struct rr_spin){.n = 4, .max_ticks = 600};
    KT_ASSERT_EQ(rr_spin_start(&spin), 4);
    scheduler_sleep(400);
    rr_spin_stop(&spin);
    unsigned long all = spin.cpu[0] + spin.cpu[1] + spin.cpu[2] + spin.cpu[3];
    if (all > 400 + 5 * qmax + 20)
        KT_FAIL("step 3 (end of quantum): the spinners used %lu ticks in a 400-tick "
                "window: main was not woken in time (no preemption?)", all);
    unsigned long lo = spin.cpu[0], hi = spin.cpu[0], total = 0;
    for (int k = 0; k < 4; k++) {
        lo = spin.cpu[k] < lo ? spin.cpu[k] : lo;
        hi = spin.cpu[k] > hi ? spin.cpu[k] : hi;
        total += spin.cpu[k];
    }
    kprintf("rr: CPU ticks of 4 spinners over 400 ticks: %lu %lu %lu %lu\n", spin.cpu[0],
            spin.cpu[1], spin.cpu[2], spin.cpu[3]);
    ktest_metric("rr_fairness_spread", hi - lo, "ticks");
    KT_ASSERT(total >= 300);
    if (lo * 10 < total / 4 * 6 || hi * 10 > total / 4 * 14)
        KT_FAIL("step 3 (end of quantum): shares %lu..%lu of %lu ticks: not within "
                "60-140%% of a fair share", lo, hi,
                total);
    if (hi - lo > 3 * qmax + 4)
        KT_FAIL("step 3 (end of quantum): spread %lu ticks is above 3 slices (%lu)", hi - lo, (unsigned long)qmax);
}

/* ---- threads that never yield all make progress ------------------------------ */

KTEST(rr_cpu_bound_progress)
{
    TESTS_REQUIRE_RR();
    unsigned long pre = scheduler_stats()->preemptions;
    spin = (struct rr_spin){.n = 3, .max_ticks = 1000, .verbose = true};
    KT_ASSERT_EQ(rr_spin_start(&spin), 3);
    bool ok = TESTS_RR_SLEEP_UNTIL(rr_spin_min_runs(&spin) >= 6, 1500);
    rr_spin_stop(&spin);
    for (int k = 0; k < 3; k++)
        KT_ASSERT(spin.count[k] > 0);
    if (!ok)
        KT_FAIL("step 3 (end of quantum): runs %lu/%lu/%lu: threads that never yield "
                "were not preempted",
                spin.runs[0], spin.runs[1], spin.runs[2]);
    KT_ASSERT(scheduler_stats()->preemptions - pre >= 15);
    for (int i = 3; i < spin.logged; i++) /* round robin: the same cyclic order */
        KT_ASSERT_EQ(spin.run_who[i], spin.run_who[i - 3]);
}
