/* rr_policy.c: round robin: FIFO queue plus the end-of-quantum timer hook, quantum reset on voluntary yields. */
#include <stddef.h>

#include "common/debug.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "lab1-boot/cmdline.h"
#include "lab1-boot/pit.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab4-threads/fifo_policy.h"
#include "lab4-threads/scheduler.h"
#include "rr.h"
#include "rr_quantum.h"


#define RR_MAX_MS 10000ul
CMDLINE_NUM_KEY(quantum, "round-robin time slice in milliseconds (default 5)", 1, RR_MAX_MS);

static struct rr_quantum slice; /* the running thread's slice; interrupts off */
static unsigned long quantum_ms = RR_DEFAULT_QUANTUM_MS;
static unsigned long expiries;
static bool has_seed;
static uint32_t seed_value;

/* Timer tick hook: CUR (not idle) was running. Interrupts off, EOI sent. */
static bool rr_on_tick(struct thread *cur)
{
    (void)cur;
    /* LAB 5: TODO count this tick against the slice (rr_quantum_tick). When
     * the slice is used up: count it in `expiries`, start a new slice for
     * whoever runs next (rr_quantum_reset), and return true (preempt) if
     * another thread is ready (fifo_ready_count() > 0); if none is, CUR just
     * goes on with the new slice. */
    /* LAB 5: BEGIN SOLUTION */
    if (!rr_quantum_tick(&slice))
        return false;
    expiries++;
    rr_quantum_reset(&slice);
    return fifo_ready_count() > 0;
    /* LAB 5: END SOLUTION */
    return false;
}

/* CUR gives up the CPU by itself. Interrupts off. */
static void rr_on_yield(struct thread *cur)
{
    (void)cur;
    /* LAB 5: TODO the next thread must get a full slice, not what is left of
     * CUR's: start a new one. */
    /* LAB 5: BEGIN SOLUTION */
    rr_quantum_reset(&slice);
    /* LAB 5: END SOLUTION */
}

static void rr_activate(void)
{
    fifo_reset();
    rr_quantum_reset(&slice);
}

const struct sched_policy rr_policy = {
    .name = "round-robin",
    .enqueue = fifo_enqueue,
    .pick_next = fifo_pick_next,
    .remove = fifo_remove,
    .ready_count = fifo_ready_count,
    .on_tick = rr_on_tick,
    .on_yield = rr_on_yield,
    .activate = rr_activate,
};

int rr_guard_enter(void)
{
    return (int)intr_disable();
}

void rr_guard_leave(int saved)
{
    intr_set_level((enum intr_level)saved);
}

/* Make the frame pools safe under preemption. */
static void rr_install_guards(void)
{
    /* LAB 5: TODO with preemption, two threads may be inside the frame
     * pool's bitmap code at once. Install rr_guard_enter/rr_guard_leave
     * (nesting-safe: intr_disable / intr_set_level) with cfp_set_guard. */
    /* LAB 5: BEGIN SOLUTION */
    cfp_set_guard(rr_guard_enter, rr_guard_leave);
    /* LAB 5: END SOLUTION */
}

/* Ticks in MS milliseconds at the PIT's rate (rounded, at least 1). */
static uint32_t ms_to_ticks(unsigned long ms)
{
    uint32_t hz = pit_hz() ? pit_hz() : PIT_DEFAULT_HZ;
    uint32_t t = (uint32_t)((ms * hz + 500) / 1000);
    return t ? t : 1;
}

bool rr_set_quantum_ms(unsigned long ms)
{
    if (ms < 1 || ms > RR_MAX_MS)
        return false;
    enum intr_level old = intr_disable();
    quantum_ms = ms;
    rr_quantum_set(&slice, ms_to_ticks(ms));
    intr_set_level(old);
    return true;
}

void rr_set_quantum_ticks(uint32_t ticks)
{
    enum intr_level old = intr_disable();
    rr_quantum_set(&slice, ticks);
    quantum_ms = (slice.quantum * 1000ul + 500) / (pit_hz() ? pit_hz() : PIT_DEFAULT_HZ);
    intr_set_level(old);
}

void rr_init(void)
{
    static bool done;
    if (done)
        return;
    KASSERT(scheduler_running());
    done = true;
    unsigned long ms = cmdline_get_ulong("quantum", RR_DEFAULT_QUANTUM_MS);
    if (ms < 1 || ms > RR_MAX_MS) {
        kprintf("rr: quantum=%lu out of range 1..%lu ms: using %d\n", ms, RR_MAX_MS,
                RR_DEFAULT_QUANTUM_MS);
        ms = RR_DEFAULT_QUANTUM_MS;
    }
    has_seed = cmdline_get("seed") != NULL;
    seed_value = (uint32_t)cmdline_get_ulong("seed", 0);
    enum intr_level old = intr_disable();
    quantum_ms = ms;
    rr_quantum_init(&slice, ms_to_ticks(ms), has_seed, seed_value);
    intr_set_level(old);
    rr_install_guards();
    scheduler_set_policy(&rr_policy);
    rr_demos_init();
}

unsigned long rr_quantum_ms(void)
{
    return quantum_ms;
}

uint32_t rr_quantum_ticks(void)
{
    return slice.quantum;
}

uint32_t rr_jitter_ticks(void)
{
    return slice.jitter;
}

bool rr_seed(uint32_t *seed)
{
    if (has_seed && seed != NULL)
        *seed = seed_value;
    return has_seed;
}

uint32_t rr_slice_left(void)
{
    return slice.left;
}

uint32_t rr_slice_length(void)
{
    return slice.slice;
}

unsigned long rr_expiries(void)
{
    return expiries;
}
