/* tests_rr_eoi.c: lab 5 test that round robin never asks for a switch while IRQ 0 is in service at the PIC (EOI before the switch). */
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "lab1-boot/intr.h"
#include "lab1-boot/pic.h"
#include "lab1-boot/pit.h"
#include "rr_queue.h"
#include "tests_rr_util.h"

/*
 * Lab 1's dispatcher acknowledges every IRQ before its handler runs, so in
 * this kernel IRQ 0 is normally out of service by the time rr_on_tick runs.
 * To see what round robin does when it is not (a dispatcher that
 * acknowledges when the handler returns), the test makes it so for real: in
 * the timer hook, at the last tick of a slice with another thread ready, it
 * waits for the next tick's request and lets the CPU take it through a
 * gate whose handler only returns. The PIC then has IRQ 0 in service, no
 * EOI sent, exactly as inside such a dispatcher. rr_on_tick is then asked;
 * if it wants a preemption, IRQ 0 must be out of service when it returns.
 */

#define EOI_TIMER_BIT  0x0001u /* IRQ 0 in pic_read_isr()/pic_read_irr() */
#define EOI_VECTOR     (INTR_IRQ_BASE + 0)
#define EOI_WAIT_MAX   5000000ul /* polls of the PIC for the next tick's request */
#define EOI_HOLDS      4         /* slice ends judged with IRQ 0 held in service */
#define EOI_LIMIT      3000      /* ticks */

/* A handler that only returns: it leaves the IRQ in service at the PIC. */
__asm__(".text\n.globl eoi_swallow_irq\neoi_swallow_irq:\n    iret\n");
void eoi_swallow_irq(void);

struct eoi_gate {
    uint16_t offset_low, selector;
    uint8_t zero, type_attr;
    uint16_t offset_high;
} __attribute__((packed));

static struct eoi_gate *eoi_timer_gate(void)
{
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    return (struct eoi_gate *)(uintptr_t)idtr.base + EOI_VECTOR;
}

/* Interrupts off. Take the next tick through eoi_swallow_irq: IRQ 0 is then
 * in service, unacknowledged. True if it is. */
static bool eoi_hold_irq0(void)
{
    for (unsigned long i = 0; i < EOI_WAIT_MAX && !(pic_read_irr() & EOI_TIMER_BIT); i++)
        ;
    if (!(pic_read_irr() & EOI_TIMER_BIT))
        return false;
    struct eoi_gate *g = eoi_timer_gate(), saved = *g;
    uintptr_t h = (uintptr_t)eoi_swallow_irq;
    g->offset_low = h & 0xFFFF;
    g->offset_high = (uint16_t)(h >> 16);
    __asm__ volatile("sti\n\tnop\n\tcli" ::: "memory"); /* IRQ 0 is taken after the nop */
    *g = saved;
    return (pic_read_isr() & EOI_TIMER_BIT) != 0;
}

/* Written by the timer hook, read by the test's loop: volatile, or the
 * compiler may read a count once and spin on a stale copy. */
static struct eoi_state {
    volatile bool armed;
    struct thread *target;
    volatile unsigned long held, preempted, in_service, kept;
} eoi;

static struct sched_policy eoi_policy; /* rr_policy with an observing on_tick */

/* Timer tick (interrupts off): at the target's last slice tick, with another
 * thread ready, hold IRQ 0 in service and ask round robin. */
static bool eoi_on_tick(struct thread *cur)
{
    if (!eoi.armed || cur != eoi.target || rr_slice_left() != 1 || rr_queue_size() == 0)
        return rr_policy.on_tick(cur);
    eoi.armed = false;
    if (!eoi_hold_irq0())
        return rr_policy.on_tick(cur);
    eoi.held++;
    bool preempt = rr_policy.on_tick(cur);
    bool still = (pic_read_isr() & EOI_TIMER_BIT) != 0;
    if (still)
        pic_send_eoi(0); /* the test's own clean-up: the clock must go on */
    if (!preempt)
        eoi.kept++;
    else if (still)
        eoi.in_service++;
    else
        eoi.preempted++;
    return preempt;
}

static volatile bool eoi_stop;

static void eoi_partner(void *arg)
{
    (void)arg;
    while (!eoi_stop)
        scheduler_yield(); /* always ready again at once */
}

KTEST(rr_eoi_before_switch)
{
    TESTS_REQUIRE_RR();
    const struct scheduler_stats *st = scheduler_stats();
    unsigned long pending = st->preempt_eoi_pending, late = rr_stats()->late_eois;
    bool checked = scheduler_check_eoi(true); /* every preemption reads the PIC */
    eoi = (struct eoi_state){.target = thread_current()};
    const struct sched_policy *prev = scheduler_policy(); /* rr_policy, or lab 6's over it */
    eoi_policy = rr_policy;
    eoi_policy.name = "round-robin (EOI observed)";
    eoi_policy.on_tick = eoi_on_tick;
    scheduler_set_policy(&eoi_policy);
    eoi_stop = false;
    int id = tests_spawn("eoi", eoi_partner, NULL);
    uint32_t t0 = timer_ticks();
    while (eoi.held < EOI_HOLDS && timer_ticks() - t0 < EOI_LIMIT)
        if (!eoi.armed)
            eoi.armed = true; /* never yield: only the timer lets the partner run */
    eoi.armed = false;
    eoi_stop = true;
    thread_wait(id);
    scheduler_set_policy(prev);
    scheduler_check_eoi(checked);
    late = rr_stats()->late_eois - late;
    kprintf("rr: %lu slice ends with IRQ 0 held in service: %lu preempted after the EOI, "
            "%lu with IRQ 0 still in service, %lu not preempted; %lu late EOIs counted\n",
            eoi.held, eoi.preempted, eoi.in_service, eoi.kept, late);
    if (eoi.held == 0)
        KT_FAIL("no slice of main ended with another thread ready in %d ticks: step 3 (end "
                "of quantum) first", EOI_LIMIT);
    if (eoi.in_service > 0)
        KT_FAIL("step 5 (EOI before switch): %lu of %lu preemptions were asked for with IRQ 0 "
                "still in service at the PIC: the next thread would never get a tick; send "
                "the timer's EOI (rr_timer_ack) before returning true", eoi.in_service,
                eoi.held);
    if (eoi.kept > 0)
        KT_FAIL("step 3 (end of quantum): %lu slices of main ended with another thread ready "
                "and main was not preempted", eoi.kept);
    if (late != eoi.preempted)
        KT_FAIL("step 5 (EOI before switch): %lu preemptions found IRQ 0 in service and "
                "acknowledged it, but stats.late_eois grew by %lu: count each one",
                eoi.preempted, late);
    if (st->preempt_eoi_pending != pending)
        KT_FAIL("step 5 (EOI before switch): %lu preemptions switched threads while IRQ 0 "
                "was still in service at the PIC", st->preempt_eoi_pending - pending);
}
