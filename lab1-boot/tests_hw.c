/* tests_hw.c: lab 1 in-kernel tests of exact hardware programming: IDT gates, PIT bytes, exception dispatch and report (steps 1, 5, 6). */
#include <stddef.h>

#include "common/format.h"
#include "common/kstring.h"
#include "common/ktest.h"
#include "common/port_trace.h"
#include "common/x86.h"
#include "gdt.h"
#include "intr.h"
#include "intr_check.h"
#include "pic.h"
#include "pit.h"

/*
 * Most of these registers cannot be read back, so the tests watch the port
 * writes themselves (common/port_trace.h) with interrupts off, and stand in
 * for the PICs' in-service register where a test needs a given value.
 */

#define HW_PIT_INPUT_HZ 1193182u
#define HW_PIT_CH0      0x40
#define HW_PIT_CMD      0x43
#define HW_TRACE_CAP    64

static struct port_trace_entry trace[HW_TRACE_CAP];
static unsigned int trace_n;

/* Keep only the writes to ports [LO, HI], in order, in TRACE; returns how
 * many are left. */
static unsigned int trace_keep(uint16_t lo, uint16_t hi)
{
    unsigned int n = trace_n < HW_TRACE_CAP ? trace_n : HW_TRACE_CAP, k = 0;
    for (unsigned int i = 0; i < n; i++)
        if (trace[i].port >= lo && trace[i].port <= hi)
            trace[k++] = trace[i];
    return k;
}

/* ---- PIT ------------------------------------------------------------------ */

/* Program the PIT at RATE (interrupts off, writes traced) and check the
 * command byte and both divisor bytes, in order. */
/* Fail the test after putting the kernel's own rate back (later tests
 * need the clock at PIT_DEFAULT_HZ). */
#define PIT_FAIL(...)                                                         \
    do {                                                                      \
        pit_init(PIT_DEFAULT_HZ);                                             \
        KT_FAIL(__VA_ARGS__);                                                 \
    } while (0)

static void check_pit_rate(uint32_t rate)
{
    uint32_t expect = (HW_PIT_INPUT_HZ + rate / 2) / rate;
    enum intr_level old = intr_disable();
    port_trace_start(trace, HW_TRACE_CAP);
    pit_init(rate);
    trace_n = port_trace_stop();
    intr_set_level(old);

    unsigned int n = trace_keep(HW_PIT_CH0, HW_PIT_CMD);
    if (n != 3)
        PIT_FAIL("step 5 (PIT): pit_init(%lu) made %u writes to the PIT ports 0x40-0x43, "
                "expected 3: the command byte to 0x43, then the divisor's low "
                "and high byte to channel 0 (0x40)", (unsigned long)rate, n);
    uint8_t cmd = trace[0].value;
    if (trace[0].port != HW_PIT_CMD)
        PIT_FAIL("step 5 (PIT): pit_init(%lu): first PIT write went to port 0x%x, expected the "
                "command register 0x43 (before the divisor)",
                (unsigned long)rate, trace[0].port);
    /* Channel 0 (bits 7-6 = 00), access low byte then high byte (bits 5-4
     * = 11), mode 2 rate generator (bits 3-1 = 010, or its alias 110),
     * binary counting (bit 0 = 0). */
    if ((cmd & 0xF1) != 0x30 || ((cmd >> 1) & 3) != 2)
        PIT_FAIL("step 5 (PIT): pit_init(%lu): command byte 0x%02x, expected 0x34: channel 0, "
                "access lobyte/hibyte (bits 5-4 = 11), mode 2 (bits 3-1 = 010), "
                "binary", (unsigned long)rate, cmd);
    if (trace[1].port != HW_PIT_CH0 || trace[2].port != HW_PIT_CH0)
        PIT_FAIL("step 5 (PIT): pit_init(%lu): divisor written to ports 0x%x, 0x%x; expected "
                "channel 0's data port 0x40 twice", (unsigned long)rate,
                trace[1].port, trace[2].port);
    uint32_t got = trace[1].value | (uint32_t)trace[2].value << 8;
    if (got != expect)
        PIT_FAIL("step 5 (PIT): pit_init(%lu): channel 0 reload value is 0x%04lx (low byte "
                "0x%02x first, then high byte 0x%02x), expected %u/%lu rounded "
                "to nearest = %lu (0x%04lx): low byte 0x%02lx, then high byte "
                "0x%02lx", (unsigned long)rate, (unsigned long)got,
                trace[1].value, trace[2].value, HW_PIT_INPUT_HZ,
                (unsigned long)rate, (unsigned long)expect, (unsigned long)expect,
                (unsigned long)(expect & 0xFF), (unsigned long)(expect >> 8));
    if (pit_hz() != HW_PIT_INPUT_HZ / expect)
        PIT_FAIL("step 5 (PIT): after pit_init(%lu), pit_hz() is %lu, expected %lu "
                "(the input clock over the divisor): DIVISOR must hold the value "
                "programmed", (unsigned long)rate, (unsigned long)pit_hz(),
                (unsigned long)(HW_PIT_INPUT_HZ / expect));
}

KTEST(pit_divisor_bytes)
{
    /* Rates where rounding to nearest matters (100 Hz: 11931.82 -> 11932,
     * 50 Hz: 23863.64 -> 23864, 60 Hz: 19886.37 -> 19886), both bytes are
     * non-zero and differ, the slowest rate (19 Hz: 62799), then the
     * kernel's own rate again. */
    static const uint32_t rates[] = {100, 50, 60, 3000, 19, 440, PIT_DEFAULT_HZ};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
        check_pit_rate(rates[i]);
    /* Still ticking at the kernel's rate. */
    INTR_REQUIRE_STEP(INTR_STEP_IDT);
    INTR_REQUIRE_STEP(INTR_STEP_PIC);
    INTR_REQUIRE_STEP(INTR_STEP_EOI);
    uint32_t start = timer_ticks();
    for (int halts = 0; timer_ticks() - start < 3 && halts < 1000; halts++)
        cpu_hlt();
    KT_ASSERT(timer_ticks() - start >= 3);
}

/* ---- IDT ------------------------------------------------------------------ */

extern const uint32_t intr_stubs[INTR_EXCEPTIONS + INTR_IRQS];

#define HW_IDT_LIMIT  (256 * 8 - 1) /* the whole table: 256 gates */
#define HW_GATE_INTR  0x8E /* present, DPL 0, 32-bit interrupt gate */
#define HW_GATE_TASK  0x85 /* present, DPL 0, task gate */
#define HW_GATE_PRESENT 0x80

/* Gate V of the loaded IDT as bytes. */
static const uint8_t *idt_gate_bytes(int v)
{
    uint32_t base;
    uint16_t limit;
    (void)idt_loaded(&base, &limit);
    return (const uint8_t *)base + 8 * v;
}

/* idt_set_present(V, false) clears only the present bit; true restores the
 * gate exactly. Interrupts off (the gate is missing for a moment). */
static void check_present_toggle(int v)
{
    uint8_t before[8], absent[8], after[8];
    const uint8_t *g = idt_gate_bytes(v);
    enum intr_level old = intr_disable();
    memcpy(before, g, 8);
    idt_set_present(v, false);
    memcpy(absent, g, 8);
    idt_set_present(v, true);
    memcpy(after, g, 8);
    intr_set_level(old);
    for (int i = 0; i < 8; i++) {
        uint8_t want = i == 5 ? before[i] & ~HW_GATE_PRESENT : before[i];
        if (absent[i] != want)
            KT_FAIL("step 1 (IDT gates): idt_set_present(%d, false) changed byte %d of "
                    "the gate from 0x%02x to 0x%02x, expected 0x%02x (only the present "
                    "bit 0x80 of the type byte cleared)", v, i, before[i], absent[i], want);
        if (after[i] != before[i])
            KT_FAIL("step 1 (IDT gates): idt_set_present(%d, true) left byte %d of the "
                    "gate 0x%02x, expected 0x%02x (the gate as it was)", v, i, after[i],
                    before[i]);
    }
}

KTEST(idt_gates_valid)
{
    uint32_t base;
    uint16_t limit;
    if (!idt_loaded(&base, &limit))
        KT_FAIL("step 1 (IDT gates): the IDT register holds base 0x%08lx limit 0x%x, "
                "expected the kernel's table with limit 0x%x (all 256 gates): "
                "idt_init() must load it with lidt", (unsigned long)base, limit,
                HW_IDT_LIMIT);
    for (int v = 0; v < INTR_EXCEPTIONS + INTR_IRQS; v++) {
        const uint8_t *g = idt_gate_bytes(v);
        uint32_t offset = g[0] | g[1] << 8 | (uint32_t)g[6] << 16 | (uint32_t)g[7] << 24;
        uint16_t sel = (uint16_t)(g[2] | g[3] << 8);
        uint8_t attr = g[5];
        if (v == VEC_DOUBLE_FAULT) { /* a task gate: present, ring 0, type 5 */
            if (attr != HW_GATE_TASK || sel != GDT_DF_TSS || g[4] != 0 || offset != 0)
                KT_FAIL("step 1 (IDT gates): vector 8: selector 0x%x, attributes "
                        "0x%02x, offset 0x%08lx; expected a present ring-0 task gate "
                        "(0x85) to the double-fault TSS 0x%x, offset 0", sel, attr,
                        (unsigned long)offset, GDT_DF_TSS);
            continue;
        }
        if (attr != HW_GATE_INTR || sel != GDT_KERNEL_CODE || g[4] != 0 ||
            offset != intr_stubs[v])
            KT_FAIL("step 1 (IDT gates): vector %d: selector 0x%x, attributes 0x%02x, "
                    "offset 0x%08lx; expected selector 0x%x (kernel code), 0x8E "
                    "(present, DPL 0, 32-bit interrupt gate) and the stub at 0x%08lx",
                    v, sel, attr, (unsigned long)offset, GDT_KERNEL_CODE,
                    (unsigned long)intr_stubs[v]);
    }
    /* Vectors past the IRQs have no stub: their gates stay empty (not
     * present), so a stray interrupt there is a clear #NP. */
    for (int v = INTR_EXCEPTIONS + INTR_IRQS; v < (HW_IDT_LIMIT + 1) / 8; v++) {
        const uint8_t *g = idt_gate_bytes(v);
        for (int i = 0; i < 8; i++)
            if (g[i] != 0)
                KT_FAIL("step 1 (IDT gates): vector %d (no stub) has byte %d = 0x%02x; "
                        "expected an empty gate: only vectors 0-%d get one", v, i, g[i],
                        INTR_EXCEPTIONS + INTR_IRQS - 1);
    }
    check_present_toggle(VEC_DEBUG);
    check_present_toggle(VEC_DOUBLE_FAULT);
}

/* ---- Exception dispatch --------------------------------------------------- */

#define HW_BAD_SELECTOR   0x38
#define HW_UD2_LEN        2 /* 0F 0B */
#define HW_MOV_FS_LEN     2 /* 8E E0: mov %ax, %fs */

static int handler_calls;
static uint32_t seen_vector, seen_error;
static bool decline; /* the handler answers false: not mine */
static exception_handler_fn *decline_prev; /* what the declining case replaced */

/* Record what arrived; either decline it or skip the faulting instruction. */
static bool recording_handler(struct intr_frame *frame)
{
    handler_calls++;
    seen_vector = frame->vector;
    seen_error = frame->error_code;
    if (decline && handler_calls < 3)
        return false;
    if (decline) /* declined too often: the test fails; leave no hook behind */
        exception_chain((int)frame->vector, decline_prev);
    /* Accepted (or declined too often: never loop on the same fault). */
    frame->eip += frame->vector == VEC_GP ? HW_MOV_FS_LEN : HW_UD2_LEN;
    return true;
}

KTEST(exc_handler_dispatch)
{
    exception_handler_fn *prev; /* whatever was installed: put back after */

    INTR_REQUIRE_STEP(INTR_STEP_IDT);
    /* A handler that takes the exception: called once with the right vector
     * and error code, execution resumes after the instruction. */
    handler_calls = 0;
    decline = false;
    prev = exception_chain(VEC_GP, recording_handler);
    __asm__ volatile("movw %0, %%ax; movw %%ax, %%fs" : : "i"(HW_BAD_SELECTOR) : "eax");
    exception_chain(VEC_GP, prev);
    if (handler_calls != 1 || seen_vector != VEC_GP || seen_error != HW_BAD_SELECTOR)
        KT_FAIL("step 6 (exception dispatch): the handler registered for #GP was "
                "called %d time(s), last with vector %lu error code 0x%lx; expected "
                "once, with vector 13 and error code 0x%x", handler_calls,
                (unsigned long)seen_vector, (unsigned long)seen_error, HW_BAD_SELECTOR);

    /* A handler that declines (returns false): the default report runs,
     * which hands the fault to this test; the handler was asked once. */
    handler_calls = 0;
    decline = true;
    prev = exception_chain(VEC_INVALID_OPCODE, recording_handler);
    decline_prev = prev;
    KT_EXPECT_FAULT(VEC_INVALID_OPCODE, __asm__ volatile("ud2"));
    exception_chain(VEC_INVALID_OPCODE, prev);
    if (handler_calls != 1)
        KT_FAIL("step 6 (exception dispatch): a handler that returned false was "
                "called %d times; expected once, then the default report "
                "(exception_unhandled)", handler_calls);
    KT_ASSERT_EQ(seen_vector, VEC_INVALID_OPCODE);
    KT_ASSERT_EQ(seen_error, 0); /* #UD pushes no error code */

    /* A handler for another vector is not asked about this one. */
    handler_calls = 0;
    decline = false;
    prev = exception_chain(VEC_GP, recording_handler);
    KT_EXPECT_FAULT(VEC_INVALID_OPCODE, __asm__ volatile("ud2"));
    exception_chain(VEC_GP, prev);
    if (handler_calls != 0)
        KT_FAIL("step 6 (exception dispatch): #UD was handed to the handler "
                "registered for #GP (%d call(s)): look the handler up by the "
                "frame's vector", handler_calls);
}

/* ---- The unhandled-exception report ---------------------------------------- */

#define HW_PF_ERROR        0x2
#define HW_PF_CR2          0x00400000u
#define HW_REPORT_SIZE     160
#define HW_EIP_OFFSET      0x1c

/* exception_describe() on FRAME must write exactly WANT. */
static void expect_report(const struct intr_frame *frame, uint32_t cr2, const char *want)
{
    char got[HW_REPORT_SIZE];
    memset(got, 0x55, sizeof got);
    exception_describe(got, sizeof got, frame, cr2);
    got[sizeof got - 1] = '\0';
    if (strcmp(got, want) != 0)
        KT_FAIL("step 6 (exception dispatch): the report line of exception %lu is "
                "\"%s\", expected \"%s\"", (unsigned long)frame->vector, got, want);
}

KTEST(exc_report_line)
{
    struct intr_frame f;
    char want[HW_REPORT_SIZE];

    /* A page fault inside this function: CR2 and the symbol are named. */
    memset(&f, 0, sizeof f);
    f.vector = VEC_PAGE_FAULT;
    f.error_code = HW_PF_ERROR;
    f.eip = (uint32_t)ktest_fn_exc_report_line + HW_EIP_OFFSET;
    ksnprintf(want, sizeof want, "exception 14 #PF Page Fault, error code 0x2, cr2 "
              "0x00400000, at eip 0x%08lx (ktest_fn_exc_report_line+0x1c)",
              (unsigned long)f.eip);
    expect_report(&f, HW_PF_CR2, want);

    /* Not a page fault: no CR2, even if it is set; an address without a
     * symbol is "??". */
    f.vector = VEC_GP;
    f.error_code = HW_BAD_SELECTOR;
    f.eip = 0x10;
    expect_report(&f, HW_PF_CR2, "exception 13 #GP General Protection, error code "
                  "0x38, at eip 0x00000010 (??+0x0)");
    f.vector = VEC_INVALID_OPCODE;
    f.error_code = 0;
    f.eip = (uint32_t)ktest_fn_exc_report_line;
    ksnprintf(want, sizeof want, "exception 6 #UD Invalid Opcode, error code 0x0, at "
              "eip 0x%08lx (ktest_fn_exc_report_line+0x0)", (unsigned long)f.eip);
    expect_report(&f, 0, want);
}
