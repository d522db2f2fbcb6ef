/* rr_policy.c: round robin: its queue hooks, the end-of-quantum timer (expiry, renewal, EOI check), yields, the frame-pool guard, settings. */
#include <stddef.h>

#include "common/debug.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "lab1-boot/cmdline.h"
#include "lab1-boot/pic.h"
#include "lab1-boot/pit.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread.h"
#include "rr.h"
#include "rr_quantum.h"
#include "rr_queue.h"

#define RR_MAX_MS 10000ul
CMDLINE_NUM_KEY(quantum, "round-robin time slice in milliseconds (default 5)", 1, RR_MAX_MS);

#define RR_TIMER_IRQ 0 /* the PIT */

static struct rr_quantum slice; /* the running thread's slice; interrupts off */
static struct rr_stats stats;   /* interrupts off to write */
static struct rr_guard_stats guard;
static unsigned long quantum_ms = RR_DEFAULT_QUANTUM_MS;
static bool has_seed;
static uint32_t seed_value;
static const char *not_installed; /* why rr_init kept lab 4's FIFO policy */

/* Step 5: the scheduler switches threads as soon as rr_on_tick returns true,
 * from inside the timer interrupt. The PIC must be able to deliver the next
 * tick to the thread that runs next. Interrupts off. */
static __attribute__((unused)) void rr_timer_ack(void)
{
    /* LAB 5: TODO if IRQ 0 is still in service at the PIC (pic_in_service),
     * send its end-of-interrupt now and count it in stats.late_eois. */
    /* LAB 5: BEGIN SOLUTION */
    if (pic_in_service(RR_TIMER_IRQ)) {
        pic_send_eoi(RR_TIMER_IRQ);
        stats.late_eois++;
    }
    /* LAB 5: END SOLUTION */
}

/* Step 3, the end-of-quantum timer. A timer tick found CUR (not idle)
 * running. Called from the timer interrupt: interrupts off, the tick's own
 * EOI normally already sent. Returns true to preempt CUR (the scheduler
 * then enqueues it at the tail and switches to the head). */
static bool rr_on_tick(struct thread *cur)
{
    bool preempt = false;
    (void)cur;
    /* LAB 5: TODO count the tick (stats.ticks) against the slice
     * (rr_quantum_tick). When it is used up: count an expiry, start a new
     * slice for whoever runs next (rr_quantum_reset); if nobody else is
     * ready (rr_queue_size), CUR goes on with it (count a renewal); else
     * make the EOI safe (rr_timer_ack), count a preemption and preempt. */
    /* LAB 5: BEGIN SOLUTION */
    stats.ticks++;
    if (!rr_quantum_tick(&slice))
        return false;
    stats.expiries++;
    rr_quantum_reset(&slice);
    if (rr_queue_size() == 0) {
        stats.renewals++;
        return false;
    }
    rr_timer_ack();
    stats.preemptions++;
    preempt = true;
    /* LAB 5: END SOLUTION */
    return preempt;
}

/* Step 4. CUR gives up the CPU by itself (yield, block, sleep, exit).
 * Interrupts off. */
static void rr_on_yield(struct thread *cur)
{
    (void)cur;
    /* LAB 5: TODO count the yield (stats.yields); the next thread must get
     * a full slice, not what is left of CUR's: start a new one. */
    /* LAB 5: BEGIN SOLUTION */
    stats.yields++;
    rr_quantum_reset(&slice);
    /* LAB 5: END SOLUTION */
}

/* The ready-queue hooks are round robin's own queue (rr_queue.c, step 1),
 * called directly: no wrapper between the scheduler and the queue. */
static void rr_activate(void)
{
    rr_queue_init();
    rr_quantum_reset(&slice);
}

const struct sched_policy rr_policy = {
    .name = "round-robin",
    .enqueue = rr_queue_push,
    .pick_next = rr_queue_pop,
    .remove = rr_queue_remove,
    .ready_count = rr_queue_size,
    .on_tick = rr_on_tick,
    .on_yield = rr_on_yield,
    .activate = rr_activate,
};

/* Step 6, the frame pools' guard: lab 2's bitmap code is not reentrant. */
int rr_guard_enter(void)
{
    int saved = 0;
    /* LAB 5: TODO disable interrupts; SAVED is the level they had. */
    /* LAB 5: BEGIN SOLUTION */
    saved = (int)intr_disable();
    /* LAB 5: END SOLUTION */
    guard.enters++;
    if (intr_get_level() != INTR_OFF)
        guard.open++; /* the pool's bitmap code would run with interrupts on */
    return saved;
}

void rr_guard_leave(int saved)
{
    (void)saved;
    /* LAB 5: TODO give the caller back the level SAVED (not simply "on"). */
    /* LAB 5: BEGIN SOLUTION */
    intr_set_level((enum intr_level)saved);
    /* LAB 5: END SOLUTION */
}

/* Make the frame pools safe under preemption. */
static void rr_install_guards(void)
{
    /* LAB 5: TODO have the frame pools call rr_guard_enter/rr_guard_leave
     * around every operation (cfp_set_guard). */
    /* LAB 5: BEGIN SOLUTION */
    cfp_set_guard(rr_guard_enter, rr_guard_leave);
    /* LAB 5: END SOLUTION */
}

/* Can round robin keep threads? NULL if its queue hands back what it was
 * given, in order; else what is wrong (step 1 is not done). Boot only. */
static const char *rr_queue_works(void)
{
    static struct thread probe[2];
    for (int i = 0; i < 2; i++) {
        probe[i].magic = THREAD_MAGIC;
        probe[i].state = THREAD_READY;
        list_elem_init(&probe[i].sched_elem);
    }
    const char *why = NULL;
    rr_queue_init();
    rr_queue_push(&probe[0]);
    rr_queue_push(&probe[1]);
    if (rr_queue_size() != 2)
        why = "step 1 (ready queue): two threads pushed, rr_queue_size() is not 2";
    else if (rr_queue_pop() != &probe[0] || rr_queue_pop() != &probe[1])
        why = "step 1 (ready queue): rr_queue_pop() does not hand the threads back oldest first";
    rr_queue_init();
    return why;
}
/* Step 2: the quantum's settings. Ticks in MS milliseconds at the PIT's
 * rate (rounded to the nearest tick, at least 1). */
static uint32_t ms_to_ticks(unsigned long ms)
{
    uint32_t hz = pit_hz() ? pit_hz() : PIT_DEFAULT_HZ;
    uint32_t t = 0;
    /* LAB 5: TODO MS * HZ / 1000, rounded to the nearest tick. */
    /* LAB 5: BEGIN SOLUTION full */
    t = (uint32_t)((ms * hz + 500) / 1000);
    /* LAB 5: END SOLUTION */
    (void)ms, (void)hz;
    return t ? t : 1; /* a slow PIT: still at least one tick */
}

bool rr_set_quantum_ms(unsigned long ms)
{
    if (ms < 1 || ms > RR_MAX_MS)
        return false;
    /* LAB 5: TODO set quantum_ms and the slice's base length (rr_quantum_set)
     * together: the timer reads the slice, so nothing may interrupt the
     * update (a nesting-safe critical section). */
    /* LAB 5: BEGIN SOLUTION full */
    enum intr_level old = intr_disable();
    quantum_ms = ms;
    rr_quantum_set(&slice, ms_to_ticks(ms));
    intr_set_level(old);
    /* LAB 5: END SOLUTION */
    return true;
}

void rr_set_quantum_ticks(uint32_t ticks)
{
    /* LAB 5: TODO the same in ticks; quantum_ms follows (rounded). */
    /* LAB 5: BEGIN SOLUTION full */
    enum intr_level old = intr_disable();
    rr_quantum_set(&slice, ticks);
    quantum_ms = (slice.quantum * 1000ul + 500) / (pit_hz() ? pit_hz() : PIT_DEFAULT_HZ);
    intr_set_level(old);
    /* LAB 5: END SOLUTION */
    (void)ticks;
}

void rr_init(void)
{
    static bool done;
    if (done)
        return;
    KASSERT(scheduler_running());
    done = true;
    unsigned long ms = RR_DEFAULT_QUANTUM_MS, seed = 0;
    /* LAB 5: TODO read quantum= (cmdline_get_ulong: lab 1 already refuses
     * a value outside the range registered above) and seed= (has_seed: a
     * valid number is there, cmdline_get_number; seed_value: that number). */
    /* LAB 5: BEGIN SOLUTION full */
    ms = cmdline_get_ulong("quantum", RR_DEFAULT_QUANTUM_MS);
    has_seed = cmdline_get_number("seed", &seed);
    seed_value = (uint32_t)seed;
    /* LAB 5: END SOLUTION */
    (void)seed;
    enum intr_level old = intr_disable();
    quantum_ms = ms;
    rr_quantum_init(&slice, ms_to_ticks(ms), has_seed, seed_value);
    intr_set_level(old);
    rr_install_guards();
    not_installed = rr_queue_works();
    if (not_installed != NULL)
        kprintf("rr: round robin not installed, the scheduler stays cooperative: %s\n",
                not_installed);
    else
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
    return stats.expiries;
}

const struct rr_stats *rr_stats(void)
{
    return &stats;
}

const struct rr_guard_stats *rr_guard_stats(void)
{
    return &guard;
}

const char *rr_not_installed(void)
{
    return not_installed;
}
