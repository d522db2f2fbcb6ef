/* tests_intr.c: lab 1 in-kernel tests of exceptions, IRQ dispatch, the timer and interrupt levels. */
#include "common/kstring.h"
#include "common/ktest.h"
#include "common/port_trace.h"
#include "common/x86.h"
#include "double_fault.h"
#include "intr.h"
#include "intr_check.h"
#include "pic.h"
#include "pit.h"

#define BAD_SELECTOR    0x38 /* index 7: past the end of the 3-entry GDT */

static volatile int divisor_zero; /* volatile: keep the division at run time */

KTEST(exc_divide_error)
{
    INTR_REQUIRE_STEP(INTR_STEP_IDT);
    volatile int r = 0;
    KT_EXPECT_FAULT(VEC_DIVIDE, r = 10 / divisor_zero);
    KT_ASSERT_EQ(ktest_last_fault()->vector, VEC_DIVIDE);
    KT_ASSERT_EQ(r, 0); /* the division never completed */
}

KTEST(exc_invalid_opcode)
{
    INTR_REQUIRE_STEP(INTR_STEP_IDT);
    KT_EXPECT_FAULT(VEC_INVALID_OPCODE, __asm__ volatile("ud2"));
    KT_ASSERT_EQ(ktest_last_fault()->vector, VEC_INVALID_OPCODE);
}

KTEST(exc_gp_bad_selector)
{
    INTR_REQUIRE_STEP(INTR_STEP_IDT);
    KT_EXPECT_FAULT(VEC_GP, __asm__ volatile("movw %0, %%ax; movw %%ax, %%fs"
                                             : : "i"(BAD_SELECTOR) : "eax"));
    KT_ASSERT_EQ_HEX(ktest_last_fault()->error_code, BAD_SELECTOR);
}

static int breakpoints_seen;

/* #BP is a trap: EIP already points past int3, so returning resumes. */
static bool breakpoint_handler(struct intr_frame *frame)
{
    (void)frame;
    breakpoints_seen++;
    return true;
}

KTEST(exc_breakpoint)
{
    INTR_REQUIRE_STEP(INTR_STEP_IDT);
    /* Caught as an expected fault... */
    KT_EXPECT_FAULT(VEC_BREAKPOINT, __asm__ volatile("int3"));
    KT_ASSERT_EQ(ktest_last_fault()->vector, VEC_BREAKPOINT);
    /* ...and recovered by a registered handler that resumes execution. */
    breakpoints_seen = 0;
    exception_handler_fn *prev = exception_chain(VEC_BREAKPOINT, breakpoint_handler);
    __asm__ volatile("int3; int3");
    exception_chain(VEC_BREAKPOINT, prev);
    KT_ASSERT_EQ(breakpoints_seen, 2);
}

KTEST(exc_report_names)
{
    KT_ASSERT_STR_EQ(exception_name(0), "#DE Divide Error");
    KT_ASSERT_STR_EQ(exception_name(13), "#GP General Protection");
    KT_ASSERT_STR_EQ(exception_name(14), "#PF Page Fault");
    KT_ASSERT_STR_EQ(exception_name(99), "unknown");
    INTR_REQUIRE_STEP(INTR_STEP_IDT);
    KT_EXPECT_FAULT(VEC_INVALID_OPCODE, __asm__ volatile("ud2"));
    /* The fault's EIP lies inside this test function. */
    KT_ASSERT(ktest_last_fault()->eip > (uint32_t)ktest_fn_exc_report_names);
    KT_ASSERT(ktest_last_fault()->eip < (uint32_t)ktest_fn_exc_report_names + 4096);
}

/* The steps a test needs for interrupts to be on and the clock to run. */
static void require_interrupts(void)
{
    INTR_REQUIRE_STEP(INTR_STEP_IDT);
    INTR_REQUIRE_STEP(INTR_STEP_PIC);
    INTR_REQUIRE_STEP(INTR_STEP_EOI);
}

KTEST(timer_ticks_advance)
{
    require_interrupts();
    uint32_t start = timer_ticks();
    int halts = 0;

    KT_ASSERT_EQ(intr_get_level(), INTR_ON);
    /* Each hlt ends at the next interrupt; the clock is one of them. */
    while (timer_ticks() - start < 5 && halts < 1000) {
        cpu_hlt();
        halts++;
    }
    if (timer_ticks() - start < 5)
        KT_FAIL("the clock advanced %lu ticks in 1000 interrupts: IRQ 0 stops "
                "(step 3, end of interrupt?)", (unsigned long)(timer_ticks() - start));
    INTR_REQUIRE_STEP(INTR_STEP_PIT);
    start = timer_ticks();
    timer_sleep_busy(20); /* and a sleep lasts its ticks at pit_hz() */
    KT_ASSERT(timer_ticks() - start >= 20 * pit_hz() / 1000);
}

#define SPIN_LIMIT 100000000u

KTEST(timer_stops_when_disabled)
{
    require_interrupts();
    enum intr_level old = intr_disable();
    uint32_t before = timer_ticks();
    uint32_t spins = 0;

    /* Wait for two PIT periods to end (the counter reloads): the PIC then
     * holds a timer request it cannot deliver. */
    uint16_t last = pit_read_counter();
    int wraps = 0;
    for (; wraps < 2 && spins < SPIN_LIMIT; spins++) {
        uint16_t c = pit_read_counter();
        wraps += c > last;
        last = c;
    }
    KT_ASSERT_EQ(wraps, 2);
    KT_ASSERT_EQ(timer_ticks(), before); /* nothing delivered while off */
    intr_set_level(old);
    for (spins = 0; timer_ticks() == before && spins < SPIN_LIMIT; spins++)
        ;
    KT_ASSERT(timer_ticks() != before); /* the pending tick arrives */
}

KTEST(intr_nesting)
{
    require_interrupts();
    KT_ASSERT_EQ(intr_get_level(), INTR_ON);
    enum intr_level outer = intr_disable();
    enum intr_level inner = intr_disable();
    KT_ASSERT_EQ(outer, INTR_ON);
    KT_ASSERT_EQ(inner, INTR_OFF);
    intr_set_level(inner); /* the inner restore must keep them off */
    KT_ASSERT_EQ(intr_get_level(), INTR_OFF);
    KT_ASSERT_EQ(read_eflags() & EFLAGS_IF, 0);
    intr_set_level(outer);
    KT_ASSERT_EQ(intr_get_level(), INTR_ON);
}

KTEST(pic_spurious_ignored)
{
    struct intr_frame frame;
    unsigned long before = intr_spurious_count();
    uint32_t ticks = timer_ticks();

    INTR_REQUIRE_STEP(INTR_STEP_EOI); /* irq_dispatch() asks irq_is_spurious() */
    memset(&frame, 0, sizeof frame);
    enum intr_level old = intr_disable();
    frame.vector = INTR_IRQ_BASE + 7; /* IRQ 7 with no in-service bit */
    intr_dispatch(&frame);
    frame.vector = INTR_IRQ_BASE + 15;
    intr_dispatch(&frame);
    intr_set_level(old);
    if (intr_spurious_count() - before != 2)
        KT_FAIL("step 4 (spurious IRQs): IRQ 7 and IRQ 15 with nothing in service "
                "were counted as %lu spurious, expected 2",
                intr_spurious_count() - before);
    KT_ASSERT(timer_ticks() - ticks < 1000); /* and nothing else broke */
}

KTEST(timer_rate_programmed)
{
    /* The channel-0 counter counts down from the divisor we programmed: it
     * must never be seen above it (the power-on divisor is 65536). */
    uint32_t divisor = (1193182u + PIT_DEFAULT_HZ / 2) / PIT_DEFAULT_HZ;
    uint16_t highest = 0;

    INTR_REQUIRE_STEP(INTR_STEP_PIT);
    KT_ASSERT_EQ(pit_hz(), PIT_DEFAULT_HZ);
    for (int i = 0; i < 2000; i++) {
        uint16_t c = pit_read_counter();
        if (c > highest)
            highest = c;
    }
    KT_ASSERT(highest <= divisor);
    KT_ASSERT(highest > 0);
}

#define GATE_PRESENT     0x80 /* in a gate's type byte (byte 5) */

KTEST(exc_double_fault_task)
{
    INTR_REQUIRE_STEP(INTR_STEP_IDT);
    /* #DE with its gate missing raises #NP while delivering #DE: two
     * contributory exceptions make a double fault, which must reach the
     * double-fault task (its own TSS and stack) instead of resetting. */
    unsigned long before = double_fault_count();
    volatile int r = 0;
    enum intr_level old = intr_disable();

    idt_set_present(VEC_DIVIDE, false);
    uint32_t base;
    uint16_t limit;
    (void)idt_loaded(&base, &limit);
    if (((const uint8_t *)base)[8 * VEC_DIVIDE + 5] & GATE_PRESENT) {
        idt_set_present(VEC_DIVIDE, true);
        intr_set_level(old);
        KT_FAIL("needs lab 1 step 1 (IDT gates): idt_set_present(0, false) left "
                "vector 0's gate present");
    }
    KT_EXPECT_FAULT(VEC_DOUBLE_FAULT, r = 10 / divisor_zero);
    idt_set_present(VEC_DIVIDE, true);
    intr_set_level(old);
    KT_ASSERT_EQ(double_fault_count() - before, 1);
    KT_ASSERT_EQ(r, 0);
    /* The kernel keeps working afterwards: an ordinary fault still arrives. */
    KT_EXPECT_FAULT(VEC_INVALID_OPCODE, __asm__ volatile("ud2"));
}

/* ---- step 3: the order inside irq_dispatch --------------------------------- */

#define IDO_PIC1_CMD  0x20
#define IDO_PIC2_CMD  0xA0
#define IDO_OCW2_EOI  0x20
#define IDO_TRACE_CAP 16

static struct port_trace_entry ido_trace[IDO_TRACE_CAP];

static int hook_calls;
static bool hook_in_irq;
static int hook_eois_before; /* EOIs already written when the handler ran */
static const struct intr_frame *hook_frame;

static void recording_tick_hook(const struct intr_frame *frame)
{
    unsigned int n;
    const struct port_trace_entry *t = port_trace_get(&n);
    hook_calls++;
    hook_in_irq = intr_in_irq();
    hook_frame = frame;
    hook_eois_before = 0;
    for (unsigned int i = 0; i < n && i < IDO_TRACE_CAP; i++)
        hook_eois_before += t[i].port == IDO_PIC1_CMD && t[i].value == IDO_OCW2_EOI;
}

/* The PICs' status reads as during a real tick: IRQ 0 in service. */
static bool ido_timer_in_service(uint16_t port, uint8_t *value)
{
    if (port != IDO_PIC1_CMD && port != IDO_PIC2_CMD)
        return false;
    *value = port == IDO_PIC1_CMD ? 0x01 : 0x00;
    return true;
}

KTEST(irq_dispatch_order)
{
    struct intr_frame frame;
    memset(&frame, 0, sizeof frame);
    frame.vector = INTR_IRQ_BASE; /* IRQ 0: the timer, whose handler calls the hook */
    hook_calls = 0;
    enum intr_level old = intr_disable();
    uint32_t ticks = timer_ticks();
    pit_tick_hook_fn *prev_hook = pit_chain_tick_hook(recording_tick_hook);
    port_trace_start(ido_trace, IDO_TRACE_CAP);
    port_trace_set_reader(ido_timer_in_service);
    intr_dispatch(&frame);
    port_trace_stop();
    pit_chain_tick_hook(prev_hook); /* the scheduler's, in later labs */
    bool in_irq_after = intr_in_irq();
    uint32_t ticked = timer_ticks() - ticks;
    intr_set_level(old);

    if (hook_calls != 1 || ticked != 1 || hook_frame != &frame)
        KT_FAIL("step 3 (end of interrupt): IRQ 0 dispatched once ran the timer's "
                "handler %d time(s) (%lu tick(s)), %s its frame; expected once, with "
                "the frame", hook_calls, (unsigned long)ticked,
                hook_frame == &frame ? "with" : "not with");
    if (hook_eois_before != 1)
        KT_FAIL("step 3 (end of interrupt): the timer's handler ran after %d EOI(s) "
                "to the master; expected 1: acknowledge before running the handler "
                "(it may switch threads and not come back for a while)",
                hook_eois_before);
    if (!hook_in_irq || in_irq_after)
        KT_FAIL("step 3 (end of interrupt): intr_in_irq() was %s inside the handler "
                "and %s after it; expected true inside, false after (irq_depth)",
                hook_in_irq ? "true" : "false", in_irq_after ? "true" : "false");
}
