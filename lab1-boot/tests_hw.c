/* tests_hw.c: lab 1 in-kernel tests of exact hardware programming: PIT bytes, PIC EOIs, IDT gates, exception dispatch. */
#include <stddef.h>

#include "common/kstring.h"
#include "common/ktest.h"
#include "common/port_trace.h"
#include "common/x86.h"
#include "gdt.h"
#include "intr.h"
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
#define HW_PIC1_CMD     0x20
#define HW_PIC1_DATA    0x21
#define HW_PIC2_CMD     0xA0
#define HW_PIC2_DATA    0xA1
#define HW_OCW2_EOI     0x20
#define HW_OCW3_READ_IRR 0x0A
#define HW_OCW3_READ_ISR 0x0B
#define HW_TRACE_CAP    64

static struct port_trace_entry trace[HW_TRACE_CAP];
static unsigned int trace_n;

/* Keep only the writes to ports [LO, HI] (plus, for the PIC, the data
 * ports), in order, in TRACE; returns how many are left. */
static unsigned int trace_keep(uint16_t lo, uint16_t hi, uint16_t lo2, uint16_t hi2)
{
    unsigned int n = trace_n < HW_TRACE_CAP ? trace_n : HW_TRACE_CAP, k = 0;
    for (unsigned int i = 0; i < n; i++)
        if ((trace[i].port >= lo && trace[i].port <= hi) ||
            (trace[i].port >= lo2 && trace[i].port <= hi2))
            trace[k++] = trace[i];
    return k;
}

/* ---- PIT ------------------------------------------------------------------ */

/* Program the PIT at RATE (interrupts off, writes traced) and check the
 * command byte and both divisor bytes, in order. */
static void check_pit_rate(uint32_t rate)
{
    uint32_t expect = (HW_PIT_INPUT_HZ + rate / 2) / rate;
    enum intr_level old = intr_disable();
    port_trace_start(trace, HW_TRACE_CAP);
    pit_init(rate);
    trace_n = port_trace_stop();
    intr_set_level(old);

    unsigned int n = trace_keep(HW_PIT_CH0, HW_PIT_CMD, 1, 0);
    if (n != 3)
        KT_FAIL("pit_init(%lu) made %u writes to the PIT ports 0x40-0x43, "
                "expected 3: the command byte to 0x43, then the divisor's low "
                "and high byte to channel 0 (0x40)", (unsigned long)rate, n);
    uint8_t cmd = trace[0].value;
    if (trace[0].port != HW_PIT_CMD)
        KT_FAIL("pit_init(%lu): first PIT write went to port 0x%x, expected the "
                "command register 0x43 (before the divisor)",
                (unsigned long)rate, trace[0].port);
    /* Channel 0 (bits 7-6 = 00), access low byte then high byte (bits 5-4
     * = 11), mode 2 rate generator (bits 3-1 = 010, or its alias 110),
     * binary counting (bit 0 = 0). */
    if ((cmd & 0xF1) != 0x30 || ((cmd >> 1) & 3) != 2)
        KT_FAIL("pit_init(%lu): command byte 0x%02x, expected 0x34: channel 0, "
                "access lobyte/hibyte (bits 5-4 = 11), mode 2 (bits 3-1 = 010), "
                "binary", (unsigned long)rate, cmd);
    if (trace[1].port != HW_PIT_CH0 || trace[2].port != HW_PIT_CH0)
        KT_FAIL("pit_init(%lu): divisor written to ports 0x%x, 0x%x; expected "
                "channel 0's data port 0x40 twice", (unsigned long)rate,
                trace[1].port, trace[2].port);
    uint32_t got = trace[1].value | (uint32_t)trace[2].value << 8;
    if (got != expect)
        KT_FAIL("pit_init(%lu): channel 0 reload value is 0x%04lx (low byte "
                "0x%02x first, then high byte 0x%02x), expected %u/%lu rounded "
                "to nearest = %lu (0x%04lx): low byte 0x%02lx, then high byte "
                "0x%02lx", (unsigned long)rate, (unsigned long)got,
                trace[1].value, trace[2].value, HW_PIT_INPUT_HZ,
                (unsigned long)rate, (unsigned long)expect, (unsigned long)expect,
                (unsigned long)(expect & 0xFF), (unsigned long)(expect >> 8));
    KT_ASSERT_EQ(pit_hz(), HW_PIT_INPUT_HZ / expect);
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
    uint32_t start = timer_ticks();
    for (int halts = 0; timer_ticks() - start < 3 && halts < 1000; halts++)
        cpu_hlt();
    KT_ASSERT(timer_ticks() - start >= 3);
}

/* ---- PIC ------------------------------------------------------------------ */

KTEST(pic_remap_icws)
{
    enum intr_level old = intr_disable();
    uint8_t mask1 = inb(HW_PIC1_DATA), mask2 = inb(HW_PIC2_DATA);
    port_trace_start(trace, HW_TRACE_CAP);
    pic_init();
    trace_n = port_trace_stop();
    outb(HW_PIC1_DATA, mask1); /* the lines the kernel had unmasked */
    outb(HW_PIC2_DATA, mask2);
    intr_set_level(old);

    /* ICW1 to both command ports, then ICW2 (vector offsets 0x20, 0x28),
     * ICW3 (slave on IRQ 2: mask 0x04 / identity 2), ICW4 (8086 mode). */
    static const struct { uint16_t port; uint8_t value; } icw[] = { /* writes, in order */
        {HW_PIC1_CMD, 0x11}, {HW_PIC2_CMD, 0x11}, {HW_PIC1_DATA, 0x20},
        {HW_PIC2_DATA, 0x28}, {HW_PIC1_DATA, 0x04}, {HW_PIC2_DATA, 0x02},
        {HW_PIC1_DATA, 0x01}, {HW_PIC2_DATA, 0x01},
    };
    unsigned int n = trace_keep(HW_PIC1_CMD, HW_PIC1_DATA, HW_PIC2_CMD, HW_PIC2_DATA);
    KT_ASSERT(n >= 8);
    for (unsigned int i = 0; i < 8; i++)
        if (trace[i].port != icw[i].port || trace[i].value != icw[i].value)
            KT_FAIL("pic_init write %u: 0x%02x to port 0x%x, expected 0x%02x to "
                    "0x%x (ICW1 0x11 to both, ICW2 0x20/0x28: IRQ 0-7 on vectors "
                    "32-39, 8-15 on 40-47, ICW3 0x04/0x02: slave on IRQ 2, ICW4 "
                    "0x01: 8086 mode)", i, trace[i].value, trace[i].port,
                    icw[i].value, icw[i].port);
    /* After init: everything masked but the cascade line IRQ 2. */
    uint8_t last1 = 0, last2 = 0;
    for (unsigned int i = 8; i < n; i++) {
        if (trace[i].port == HW_PIC1_DATA)
            last1 = trace[i].value;
        if (trace[i].port == HW_PIC2_DATA)
            last2 = trace[i].value;
    }
    KT_ASSERT_EQ_HEX(last1, 0xFB);
    KT_ASSERT_EQ_HEX(last2, 0xFF);
    /* The masks are back: the timer (IRQ 0) and the cascade are open. */
    KT_ASSERT_EQ(inb(HW_PIC1_DATA) & 0x05, 0);
    uint32_t start = timer_ticks();
    for (int halts = 0; timer_ticks() - start < 3 && halts < 1000; halts++)
        cpu_hlt();
    KT_ASSERT(timer_ticks() - start >= 3);
}

/* A model of the two PICs' status reads: the command port answers with the
 * register the last OCW3 written to it selected (0x0A: IRR, 0x0B: ISR). */
static uint8_t fake_isr[2], fake_irr[2];

static bool pic_status_reader(uint16_t port, uint8_t *value)
{
    if (port != HW_PIC1_CMD && port != HW_PIC2_CMD)
        return false;
    int pic = port == HW_PIC2_CMD;
    unsigned int n;
    const struct port_trace_entry *t = port_trace_get(&n);
    uint8_t ocw3 = HW_OCW3_READ_IRR; /* the PIC's default */
    for (unsigned int i = 0; i < n; i++)
        if (t[i].port == port && (t[i].value & 0x98) == 0x08) /* an OCW3 */
            ocw3 = t[i].value & 3;
    *value = ocw3 == (HW_OCW3_READ_ISR & 3) ? fake_isr[pic] : fake_irr[pic];
    return true;
}

/* What dispatching IRQ IRQ did, with the PICs' in-service registers
 * reading MASTER_ISR and SLAVE_ISR: EOIs to each PIC, in order, and whether
 * it was counted as spurious. */
struct eoi_result {
    int master, slave;   /* EOIs sent to each */
    bool slave_first;    /* the slave's EOI came before the master's */
    unsigned long spurious;
};

static void dispatch_irq(int irq, uint8_t master_isr, uint8_t slave_isr,
                         struct eoi_result *r)
{
    struct intr_frame frame;
    memset(&frame, 0, sizeof frame);
    frame.vector = (uint32_t)(INTR_IRQ_BASE + irq);
    unsigned long before = intr_spurious_count();
    enum intr_level old = intr_disable();
    port_trace_start(trace, HW_TRACE_CAP);
    fake_isr[0] = master_isr;
    fake_isr[1] = slave_isr;
    fake_irr[0] = 0x01; /* only a timer tick pending: nothing else requested */
    fake_irr[1] = 0x00;
    port_trace_set_reader(pic_status_reader);
    intr_dispatch(&frame);
    trace_n = port_trace_stop();
    intr_set_level(old);

    memset(r, 0, sizeof *r);
    r->spurious = intr_spurious_count() - before;
    unsigned int n = trace_keep(HW_PIC1_CMD, HW_PIC1_CMD, HW_PIC2_CMD, HW_PIC2_CMD);
    for (unsigned int i = 0; i < n; i++) {
        if (trace[i].value != HW_OCW2_EOI)
            continue; /* OCW3 register reads */
        if (trace[i].port == HW_PIC1_CMD)
            r->master++;
        else {
            r->slave++;
            if (r->master == 0)
                r->slave_first = true;
        }
    }
}

static void expect_eoi(int irq, uint8_t master_isr, uint8_t slave_isr, int master,
                       int slave, unsigned long spurious, const char *why)
{
    struct eoi_result r;
    dispatch_irq(irq, master_isr, slave_isr, &r);
    if (r.master != master || r.slave != slave || r.spurious != spurious)
        KT_FAIL("IRQ %d with in-service registers master 0x%02x slave 0x%02x: "
                "%d EOI(s) to the master, %d to the slave, counted %lu spurious; "
                "expected %d, %d, %lu (%s)", irq, master_isr, slave_isr, r.master,
                r.slave, r.spurious, master, slave, spurious, why);
    if (slave > 0 && master > 0 && !r.slave_first)
        KT_FAIL("IRQ %d: EOI to the master before the slave; the slave must be "
                "acknowledged first", irq);
}

KTEST(pic_eoi_every_path)
{
    expect_eoi(7, 0x00, 0x00, 0, 0, 1,
               "spurious IRQ 7: its in-service bit is clear, no EOI at all");
    expect_eoi(15, 0x04, 0x00, 1, 0, 1,
               "spurious IRQ 15: no EOI to the slave, but one to the master, "
               "which really had IRQ 2 in service");
    expect_eoi(7, 0x80, 0x00, 1, 0, 0,
               "a real IRQ 7: in service, one EOI to the master, not spurious");
    expect_eoi(15, 0x04, 0x80, 1, 1, 0,
               "a real IRQ 15: EOI to the slave, then to the master");
    expect_eoi(3, 0x00, 0x00, 1, 0, 0,
               "only IRQ 7 and 15 can be spurious: IRQ 3 gets its EOI");
    expect_eoi(11, 0x04, 0x00, 1, 1, 0,
               "only IRQ 7 and 15 can be spurious: IRQ 11 gets EOIs to both");
}

/* ---- IDT ------------------------------------------------------------------ */

#define HW_VEC_DOUBLE_FAULT 8
extern const uint32_t intr_stubs[INTR_EXCEPTIONS + INTR_IRQS];

KTEST(idt_gates_valid)
{
    struct __attribute__((packed)) {
        uint16_t limit;
        uint32_t base;
    } idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    KT_ASSERT(idtr.limit + 1u >= (INTR_EXCEPTIONS + INTR_IRQS) * 8u);
    const uint8_t *g = (const uint8_t *)idtr.base;
    for (int v = 0; v < INTR_EXCEPTIONS + INTR_IRQS; v++, g += 8) {
        uint32_t offset = g[0] | g[1] << 8 | (uint32_t)g[6] << 16 | (uint32_t)g[7] << 24;
        uint16_t sel = (uint16_t)(g[2] | g[3] << 8);
        uint8_t attr = g[5];
        if (v == HW_VEC_DOUBLE_FAULT) { /* a task gate: present, ring 0, type 5 */
            if (attr != 0x85)
                KT_FAIL("IDT vector 8: type/attributes 0x%02x, expected 0x85 (a "
                        "present ring-0 task gate)", attr);
            continue;
        }
        if (attr != 0x8E || sel != GDT_KERNEL_CODE || g[4] != 0 || offset != intr_stubs[v])
            KT_FAIL("IDT vector %d: selector 0x%x, attributes 0x%02x, offset "
                    "0x%08lx; expected selector 0x%x (kernel code), 0x8E (present, "
                    "DPL 0, 32-bit interrupt gate) and the stub at 0x%08lx", v, sel,
                    attr, (unsigned long)offset, GDT_KERNEL_CODE,
                    (unsigned long)intr_stubs[v]);
    }
}

/* ---- Exception dispatch --------------------------------------------------- */

#define HW_VEC_INVALID_OP 6
#define HW_VEC_GP         13
#define HW_BAD_SELECTOR   0x38
#define HW_UD2_LEN        2 /* 0F 0B */
#define HW_MOV_FS_LEN     2 /* 8E E0: mov %ax, %fs */

static int handler_calls;
static uint32_t seen_vector, seen_error;
static bool decline; /* the handler answers false: not mine */

/* Record what arrived; either decline it or skip the faulting instruction. */
static bool recording_handler(struct intr_frame *frame)
{
    handler_calls++;
    seen_vector = frame->vector;
    seen_error = frame->error_code;
    if (decline && handler_calls < 3)
        return false;
    /* Accepted (or declined too often: never loop on the same fault). */
    frame->eip += frame->vector == HW_VEC_GP ? HW_MOV_FS_LEN : HW_UD2_LEN;
    return true;
}

KTEST(exc_handler_dispatch)
{
    exception_handler_fn *prev; /* whatever was installed: put back after */

    /* A handler that takes the exception: called once with the right vector
     * and error code, execution resumes after the instruction. */
    handler_calls = 0;
    decline = false;
    prev = exception_chain(HW_VEC_GP, recording_handler);
    __asm__ volatile("movw %0, %%ax; movw %%ax, %%fs" : : "i"(HW_BAD_SELECTOR) : "eax");
    exception_chain(HW_VEC_GP, prev);
    KT_ASSERT_EQ(handler_calls, 1);
    KT_ASSERT_EQ(seen_vector, HW_VEC_GP);
    KT_ASSERT_EQ_HEX(seen_error, HW_BAD_SELECTOR);

    /* A handler that declines (returns false): the default report runs,
     * which hands the fault to this test; the handler was asked once. */
    handler_calls = 0;
    decline = true;
    prev = exception_chain(HW_VEC_INVALID_OP, recording_handler);
    KT_EXPECT_FAULT(HW_VEC_INVALID_OP, __asm__ volatile("ud2"));
    exception_chain(HW_VEC_INVALID_OP, prev);
    if (handler_calls != 1)
        KT_FAIL("a handler that returned false was called %d times; expected "
                "once, then the default report (exception_unhandled)", handler_calls);
    KT_ASSERT_EQ(seen_vector, HW_VEC_INVALID_OP);
    KT_ASSERT_EQ(seen_error, 0); /* #UD pushes no error code */

    /* A handler for another vector is not asked about this one. */
    handler_calls = 0;
    decline = false;
    prev = exception_chain(HW_VEC_GP, recording_handler);
    KT_EXPECT_FAULT(HW_VEC_INVALID_OP, __asm__ volatile("ud2"));
    exception_chain(HW_VEC_GP, prev);
    KT_ASSERT_EQ(handler_calls, 0);
}
