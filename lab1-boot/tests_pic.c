/* tests_pic.c: lab 1 in-kernel tests of the 8259A pair's exact programming: ICWs, masks, EOIs, status reads (steps 2-4). */
#include <stddef.h>

#include "common/kstring.h"
#include "common/ktest.h"
#include "common/port_trace.h"
#include "common/x86.h"
#include "intr.h"
#include "intr_check.h"
#include "pic.h"
#include "pit.h"

/*
 * The PICs' initialisation words and masks cannot all be read back, so these
 * tests watch the port writes (common/port_trace.h) with interrupts off, and
 * answer the PICs' register reads with values of their own where a test
 * needs a given in-service register or mask.
 */

#define TP_PIC1_CMD      0x20
#define TP_PIC1_DATA     0x21
#define TP_PIC2_CMD      0xA0
#define TP_PIC2_DATA     0xA1
#define TP_IO_WAIT_PORT  0x80 /* io_wait()'s dummy write */
#define TP_OCW2_EOI      0x20
#define TP_OCW3_READ_IRR 0x0A
#define TP_OCW3_READ_ISR 0x0B
#define TP_TRACE_CAP     64
#define TP_IRR_PERIODS   1000 /* PIT periods to wait for a pending tick */

static struct port_trace_entry trace[TP_TRACE_CAP];
static unsigned int trace_n;

static bool pic_port(uint16_t port)
{
    return port == TP_PIC1_CMD || port == TP_PIC1_DATA || port == TP_PIC2_CMD ||
           port == TP_PIC2_DATA;
}

/* Wait (halting) for the clock to advance 3 ticks; fail naming what is
 * needed if it does not. */
static void expect_clock_running(const char *after)
{
    INTR_REQUIRE_STEP(INTR_STEP_IDT);
    INTR_REQUIRE_STEP(INTR_STEP_PIC);
    INTR_REQUIRE_STEP(INTR_STEP_EOI);
    uint32_t start = timer_ticks();
    for (int halts = 0; timer_ticks() - start < 3 && halts < 1000; halts++)
        cpu_hlt();
    if (timer_ticks() - start < 3)
        KT_FAIL("the clock stopped after %s (%lu ticks in 1000 interrupts)", after,
                (unsigned long)(timer_ticks() - start));
}

/* ---- step 2: remap -------------------------------------------------------- */

KTEST(pic_remap_icws)
{
    enum intr_level old = intr_disable();
    uint8_t mask1 = inb(TP_PIC1_DATA), mask2 = inb(TP_PIC2_DATA);
    port_trace_start(trace, TP_TRACE_CAP);
    pic_init();
    trace_n = port_trace_stop();
    outb(TP_PIC1_DATA, mask1); /* the lines the kernel had unmasked */
    outb(TP_PIC2_DATA, mask2);
    intr_set_level(old);

    /* ICW1 to both command ports, then ICW2 (vector offsets 0x20, 0x28),
     * ICW3 (slave on IRQ 2: mask 0x04 / identity 2), ICW4 (8086 mode), each
     * followed by an io_wait() before the next PIC write. */
    static const struct { uint16_t port; uint8_t value; } icw[] = { /* writes, in order */
        {TP_PIC1_CMD, 0x11}, {TP_PIC2_CMD, 0x11}, {TP_PIC1_DATA, 0x20},
        {TP_PIC2_DATA, 0x28}, {TP_PIC1_DATA, 0x04}, {TP_PIC2_DATA, 0x02},
        {TP_PIC1_DATA, 0x01}, {TP_PIC2_DATA, 0x01},
    };
    unsigned int n = trace_n < TP_TRACE_CAP ? trace_n : TP_TRACE_CAP, k = 0;
    bool waited = true; /* an io_wait() since the previous ICW */
    uint8_t last1 = 0, last2 = 0;
    for (unsigned int i = 0; i < n; i++) {
        uint16_t port = trace[i].port;
        uint8_t value = trace[i].value;
        if (port == TP_IO_WAIT_PORT) {
            waited = true;
            continue;
        }
        if (!pic_port(port))
            continue;
        if (k == 8) { /* after the ICWs: the masks */
            if (port == TP_PIC1_DATA)
                last1 = value;
            if (port == TP_PIC2_DATA)
                last2 = value;
            continue;
        }
        if (k == 0 && (port != icw[0].port || value != icw[0].value))
            KT_FAIL("step 2 (PIC remap): pic_init's first PIC write is 0x%02x to port "
                    "0x%x, not ICW1 (0x11 to 0x20): the PICs keep the BIOS's mapping, "
                    "so IRQ 0 arrives at vector 8 (the double fault's), expected 32",
                    value, port);
        if ((k == 2 || k == 3) && port == icw[k].port && value != icw[k].value)
            KT_FAIL("step 2 (PIC remap): ICW2 of the %s is 0x%02x: IRQ %d arrives at "
                    "vector %u, expected %u", k == 2 ? "master" : "slave", value,
                    k == 2 ? 0 : 8, value, icw[k].value);
        if (port != icw[k].port || value != icw[k].value)
            KT_FAIL("step 2 (PIC remap): pic_init write %u: 0x%02x to port 0x%x, "
                    "expected 0x%02x to 0x%x (ICW1 0x11 to both, ICW2 0x20/0x28: IRQ "
                    "0-7 on vectors 32-39, 8-15 on 40-47, ICW3 0x04/0x02: slave on "
                    "IRQ 2, ICW4 0x01: 8086 mode)", k, value, port, icw[k].value,
                    icw[k].port);
        if (!waited)
            KT_FAIL("step 2 (PIC remap): no io_wait() between the initialisation "
                    "words %u and %u (a real 8259A needs the delay)", k - 1, k);
        waited = false;
        k++;
    }
    if (k < 8)
        KT_FAIL("step 2 (PIC remap): pic_init wrote only %u of the 8 initialisation "
                "words (ICW1-ICW4 to each PIC); the next expected is 0x%02x to port "
                "0x%x", k, icw[k].value, icw[k].port);
    if (!waited)
        KT_FAIL("step 2 (PIC remap): no io_wait() after the last ICW4");
    /* After init: everything masked but the cascade line IRQ 2. */
    if (last1 != 0xFB || last2 != 0xFF)
        KT_FAIL("step 2 (PIC remap): after pic_init the masks are 0x%02x (master) and "
                "0x%02x (slave), expected 0xFB and 0xFF: every line masked but the "
                "cascade (IRQ 2)", last1, last2);
    /* The masks are back: the timer (IRQ 0) and the cascade are open. */
    KT_ASSERT_EQ(inb(TP_PIC1_DATA) & 0x05, 0);
    expect_clock_running("pic_init ran again");
}

/* Fake interrupt mask registers, answered to reads of the data ports. */
static uint8_t fake_mask[2];

static bool pic_mask_reader(uint16_t port, uint8_t *value)
{
    if (port != TP_PIC1_DATA && port != TP_PIC2_DATA)
        return false;
    *value = fake_mask[port == TP_PIC2_DATA];
    return true;
}

/* Run pic_mask(IRQ) or pic_unmask(IRQ) with the masks reading MASKS and
 * check it made exactly one write: MASKS[pic] with IRQ's bit set/cleared. */
static void check_mask_write(int irq, bool mask)
{
    static const uint8_t masks[2] = {0x5A, 0xA5}; /* bits differ between PICs */
    enum intr_level old = intr_disable();
    fake_mask[0] = masks[0];
    fake_mask[1] = masks[1];
    port_trace_start(trace, TP_TRACE_CAP);
    port_trace_set_reader(pic_mask_reader);
    if (mask)
        pic_mask(irq);
    else
        pic_unmask(irq);
    trace_n = port_trace_stop();
    intr_set_level(old);

    int pic = irq >= 8;
    uint8_t bit = (uint8_t)(1u << (irq & 7));
    uint8_t want = mask ? masks[pic] | bit : masks[pic] & ~bit;
    uint16_t port = pic ? TP_PIC2_DATA : TP_PIC1_DATA;
    if (trace_n != 1 || trace[0].port != port || trace[0].value != want)
        KT_FAIL("step 2 (PIC remap): pic_%s(%d) with the masks reading 0x%02x "
                "(master) / 0x%02x (slave) made %u write(s), the first 0x%02x to port "
                "0x%x; expected one: 0x%02x to port 0x%x (only bit %d of that PIC's "
                "mask %s, the other lines kept)", mask ? "mask" : "unmask", irq,
                masks[0], masks[1], trace_n, trace_n ? trace[0].value : 0,
                trace_n ? trace[0].port : 0, want, port, irq & 7,
                mask ? "set" : "cleared");
}

KTEST(pic_mask_bits)
{
    for (int irq = 0; irq < INTR_IRQS; irq++) {
        check_mask_write(irq, true);
        check_mask_write(irq, false);
    }
    /* And on the real PICs: IRQ 5 and 13 (unused) masked, then open, then
     * masked again as the kernel had them. */
    static const int lines[] = {5, 13};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        uint16_t port = lines[i] < 8 ? TP_PIC1_DATA : TP_PIC2_DATA;
        uint8_t bit = (uint8_t)(1u << (lines[i] & 7));
        enum intr_level old = intr_disable();
        uint8_t before = inb(port);
        pic_unmask(lines[i]);
        uint8_t open = inb(port);
        pic_mask(lines[i]);
        uint8_t closed = inb(port);
        outb(port, before);
        intr_set_level(old);
        if (open != (before & ~bit) || closed != (before | bit))
            KT_FAIL("step 2 (PIC remap): IRQ %d on the real PIC: mask 0x%02x, after "
                    "pic_unmask 0x%02x (expected 0x%02x), after pic_mask 0x%02x "
                    "(expected 0x%02x)", lines[i], before, open, before & ~bit,
                    closed, before | bit);
    }
}

/* ---- steps 3 and 4: EOI, spurious IRQs, status reads ----------------------- */

/* A model of the two PICs' status reads: the command port answers with the
 * register the last OCW3 written to it selected (0x0A: IRR, 0x0B: ISR). */
static uint8_t fake_isr[2], fake_irr[2];

static bool pic_status_reader(uint16_t port, uint8_t *value)
{
    if (port != TP_PIC1_CMD && port != TP_PIC2_CMD)
        return false;
    int pic = port == TP_PIC2_CMD;
    unsigned int n;
    const struct port_trace_entry *t = port_trace_get(&n);
    uint8_t ocw3 = TP_OCW3_READ_IRR; /* the PIC's default */
    for (unsigned int i = 0; i < n; i++)
        if (t[i].port == port && (t[i].value & 0x98) == 0x08) /* an OCW3 */
            ocw3 = t[i].value & 3;
    *value = ocw3 == (TP_OCW3_READ_ISR & 3) ? fake_isr[pic] : fake_irr[pic];
    return true;
}

/* What dispatching IRQ did, with the PICs' in-service registers reading
 * MASTER_ISR and SLAVE_ISR: EOIs to each PIC, in order, and whether it was
 * counted as spurious. */
struct eoi_result {
    int master, slave;   /* EOIs sent to each */
    bool slave_first;    /* the slave's EOI came before the master's */
    int other;           /* writes to a command port that are neither EOI nor OCW3 */
    uint8_t other_value;
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
    port_trace_start(trace, TP_TRACE_CAP);
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
    unsigned int n = trace_n < TP_TRACE_CAP ? trace_n : TP_TRACE_CAP;
    for (unsigned int i = 0; i < n; i++) {
        if (trace[i].port != TP_PIC1_CMD && trace[i].port != TP_PIC2_CMD)
            continue;
        if (trace[i].value == TP_OCW3_READ_ISR || trace[i].value == TP_OCW3_READ_IRR)
            continue; /* register reads */
        if (trace[i].value != TP_OCW2_EOI) {
            r->other++;
            r->other_value = trace[i].value;
        } else if (trace[i].port == TP_PIC1_CMD) {
            r->master++;
        } else {
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
    const char *step = irq == 7 || irq == 15 ? "step 4 (spurious IRQs)"
                                             : "step 3 (end of interrupt)";
    if (r.master != master || r.slave != slave || r.spurious != spurious)
        KT_FAIL("%s: IRQ %d with in-service registers master 0x%02x slave 0x%02x: "
                "%d EOI(s) to the master, %d to the slave, counted %lu spurious; "
                "expected %d, %d, %lu (%s)", step, irq, master_isr, slave_isr,
                r.master, r.slave, r.spurious, master, slave, spurious, why);
    if (slave > 0 && master > 0 && !r.slave_first)
        KT_FAIL("step 3 (end of interrupt): IRQ %d: EOI to the master before the "
                "slave; the slave must be acknowledged first", irq);
    if (r.other)
        KT_FAIL("%s: IRQ %d: wrote 0x%02x to a PIC command port: only the EOI (0x20) "
                "and the register reads (0x0A, 0x0B) belong there", step, irq,
                r.other_value);
}

KTEST(pic_eoi_every_path)
{
    /* Every real IRQ: its bit in service (for 8-15 also the master's IRQ 2). */
    for (int irq = 0; irq < INTR_IRQS; irq++) {
        uint8_t bit = (uint8_t)(1u << (irq & 7));
        if (irq < 8)
            expect_eoi(irq, bit, 0x00, 1, 0, 0, "a real IRQ of the master: one EOI "
                       "to the master");
        else
            expect_eoi(irq, 0x04, bit, 1, 1, 0, "a real IRQ of the slave: EOI to the "
                       "slave, then to the master");
    }
    expect_eoi(7, 0x00, 0x00, 0, 0, 1,
               "spurious IRQ 7: its in-service bit is clear, no EOI at all");
    expect_eoi(7, 0x7F, 0xFF, 0, 0, 1,
               "spurious IRQ 7: only bit 7 of the master counts");
    expect_eoi(15, 0x04, 0x00, 1, 0, 1,
               "spurious IRQ 15: no EOI to the slave, but one to the master, "
               "which really had IRQ 2 in service");
    expect_eoi(15, 0x84, 0x7F, 1, 0, 1,
               "spurious IRQ 15: only bit 7 of the slave counts");
    expect_eoi(3, 0x00, 0x00, 1, 0, 0,
               "only IRQ 7 and 15 can be spurious: IRQ 3 gets its EOI");
    expect_eoi(11, 0x04, 0x00, 1, 1, 0,
               "only IRQ 7 and 15 can be spurious: IRQ 11 gets EOIs to both");
}

KTEST(pic_status_registers)
{
    /* Both PICs answer with the register their last OCW3 selected. */
    enum intr_level old = intr_disable();
    fake_isr[0] = 0x12;
    fake_isr[1] = 0x34;
    fake_irr[0] = 0x56;
    fake_irr[1] = 0x78;
    port_trace_start(trace, TP_TRACE_CAP);
    port_trace_set_reader(pic_status_reader);
    uint16_t isr = pic_read_isr();
    uint16_t irr = pic_read_irr();
    uint16_t isr2 = pic_read_isr();
    port_trace_stop();
    intr_set_level(old);
    if (isr != 0x3412 || irr != 0x7856 || isr2 != 0x3412)
        KT_FAIL("step 4 (spurious IRQs): with in-service registers 0x12 (master) / "
                "0x34 (slave) and request registers 0x56 / 0x78, pic_read_isr() gave "
                "0x%04x then 0x%04x and pic_read_irr() 0x%04x; expected 0x3412 and "
                "0x7856 (OCW3 0x0B or 0x0A to both command ports, the slave's byte "
                "high)", isr, isr2, irr);

    /* pic_in_service (given; round robin's preemption check) asks one PIC:
     * it must select the in-service register itself, whatever was read
     * last, and find IRQ's bit there. */
    uint16_t in_service = 0;
    old = intr_disable();
    port_trace_start(trace, TP_TRACE_CAP);
    port_trace_set_reader(pic_status_reader);
    for (int irq = 0; irq < INTR_IRQS; irq++) {
        pic_read_irr();
        in_service |= (uint16_t)(pic_in_service(irq) << irq);
    }
    port_trace_stop();
    intr_set_level(old);
    if (in_service != 0x3412)
        KT_FAIL("pic_in_service(irq) for IRQ 0-15 gave the bits 0x%04x with in-service "
                "registers 0x12 (master) / 0x34 (slave); expected 0x3412: OCW3 0x0B to "
                "the PIC of IRQ, then IRQ's bit in that PIC's byte", in_service);

    /* The real PICs: while interrupts are off, the timer's request (IRQ 0)
     * shows up in the master's request register and stays there. Bounded
     * by PIT periods (virtual time), not by the host's speed. */
    INTR_REQUIRE_STEP(INTR_STEP_PIC);
    INTR_REQUIRE_STEP(INTR_STEP_PIT);
    old = intr_disable();
    uint16_t last = pit_read_counter();
    int periods = 0;
    while (!((irr = pic_read_irr()) & 0x0001) && periods < TP_IRR_PERIODS) {
        uint16_t c = pit_read_counter();
        periods += c > last; /* the counter reloaded: a period ended */
        last = c;
    }
    intr_set_level(old);
    if (!(irr & 0x0001))
        KT_FAIL("step 4 (spurious IRQs): for %d PIT periods with interrupts off, "
                "pic_read_irr() gave 0x%04x: the timer's request (bit 0) never showed",
                periods, irr);
}
