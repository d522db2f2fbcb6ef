/* tests_intr.c: lab 1 in-kernel tests of exceptions, the PIC, the timer and interrupt levels. */
#include "common/kstring.h"
#include "common/ktest.h"
#include "common/x86.h"
#include "double_fault.h"
#include "intr.h"
#include "pic.h"
#include "pit.h"

#define VEC_DIVIDE      0
#define VEC_BREAKPOINT  3
#define VEC_INVALID_OP  6
#define VEC_GP          13
#define BAD_SELECTOR    0x38 /* index 7: past the end of the 3-entry GDT */

static volatile int divisor_zero; /* volatile: keep the division at run time */

KTEST(exc_divide_error)
{
    volatile int r = 0;
    KT_EXPECT_FAULT(VEC_DIVIDE, r = 10 / divisor_zero);
    KT_ASSERT_EQ(ktest_last_fault()->vector, VEC_DIVIDE);
    KT_ASSERT_EQ(r, 0); /* the division never completed */
}

KTEST(exc_invalid_opcode)
{
    KT_EXPECT_FAULT(VEC_INVALID_OP, __asm__ volatile("ud2"));
    KT_ASSERT_EQ(ktest_last_fault()->vector, VEC_INVALID_OP);
}

KTEST(exc_gp_bad_selector)
{
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
    KT_EXPECT_FAULT(VEC_INVALID_OP, __asm__ volatile("ud2"));
    /* The fault's EIP lies inside this test function. */
    KT_ASSERT(ktest_last_fault()->eip > (uint32_t)ktest_fn_exc_report_names);
    KT_ASSERT(ktest_last_fault()->eip < (uint32_t)ktest_fn_exc_report_names + 4096);
}

KTEST(timer_ticks_advance)
{
    uint32_t start = timer_ticks();
    int halts = 0;

    KT_ASSERT_EQ(intr_get_level(), INTR_ON);
    /* Each hlt ends at the next interrupt; the clock is one of them. */
    while (timer_ticks() - start < 5 && halts < 1000) {
        cpu_hlt();
        halts++;
    }
    KT_ASSERT(timer_ticks() - start >= 5);
    start = timer_ticks();
    timer_sleep_busy(20); /* and a sleep lasts its ticks at pit_hz() */
    KT_ASSERT(pit_hz() > 0);
    KT_ASSERT(timer_ticks() - start >= 20 * pit_hz() / 1000);
}

#define IRQ_TIMER_BIT 0x0001
#define SPIN_LIMIT 100000000u

KTEST(timer_stops_when_disabled)
{
    enum intr_level old = intr_disable();
    uint32_t before = timer_ticks();
    uint32_t spins = 0;

    /* Wait until the PIC holds a timer request it cannot deliver. */
    while (!(pic_read_irr() & IRQ_TIMER_BIT) && spins < SPIN_LIMIT)
        spins++;
    KT_ASSERT(spins < SPIN_LIMIT);
    for (volatile int i = 0; i < 100000; i++)
        ;
    KT_ASSERT_EQ(timer_ticks(), before); /* nothing delivered while off */
    intr_set_level(old);
    for (spins = 0; timer_ticks() == before && spins < SPIN_LIMIT; spins++)
        ;
    KT_ASSERT(timer_ticks() != before); /* the pending tick arrives */
}

KTEST(intr_nesting)
{
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

    memset(&frame, 0, sizeof frame);
    enum intr_level old = intr_disable();
    frame.vector = INTR_IRQ_BASE + 7; /* IRQ 7 with no in-service bit */
    intr_dispatch(&frame);
    frame.vector = INTR_IRQ_BASE + 15;
    intr_dispatch(&frame);
    intr_set_level(old);
    KT_ASSERT_EQ(intr_spurious_count() - before, 2);
    KT_ASSERT(timer_ticks() - ticks < 1000); /* and nothing else broke */
}

KTEST(timer_rate_programmed)
{
    /* The channel-0 counter counts down from the divisor we programmed: it
     * must never be seen above it (the power-on divisor is 65536). */
    uint32_t divisor = (1193182u + PIT_DEFAULT_HZ / 2) / PIT_DEFAULT_HZ;
    uint16_t highest = 0;

    KT_ASSERT_EQ(pit_hz(), PIT_DEFAULT_HZ);
    for (int i = 0; i < 2000; i++) {
        uint16_t c = pit_read_counter();
        if (c > highest)
            highest = c;
    }
    KT_ASSERT(highest <= divisor);
    KT_ASSERT(highest > 0);
}

#define VEC_DOUBLE_FAULT 8

KTEST(exc_double_fault_task)
{
    /* #DE with its gate missing raises #NP while delivering #DE: two
     * contributory exceptions make a double fault, which must reach the
     * double-fault task (its own TSS and stack) instead of resetting. */
    unsigned long before = double_fault_count();
    volatile int r = 0;
    enum intr_level old = intr_disable();

    idt_set_present(VEC_DIVIDE, false);
    KT_EXPECT_FAULT(VEC_DOUBLE_FAULT, r = 10 / divisor_zero);
    idt_set_present(VEC_DIVIDE, true);
    intr_set_level(old);
    KT_ASSERT_EQ(double_fault_count() - before, 1);
    KT_ASSERT_EQ(r, 0);
    /* The kernel keeps working afterwards: an ordinary fault still arrives. */
    KT_EXPECT_FAULT(VEC_INVALID_OP, __asm__ volatile("ud2"));
}
