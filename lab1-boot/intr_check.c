/* intr_check.c: boot-time checks of lab 1's interrupt steps, so a half-written kernel names the missing step instead of resetting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "common/format.h"
#include "common/kprintf.h"
#include "common/port_trace.h"
#include "common/x86.h"
#include "gdt.h"
#include "intr.h"
#include "intr_check.h"
#include "pic.h"
#include "pit.h"

#define CHECK_PIC1_CMD    0x20
#define CHECK_PIC1_DATA   0x21
#define CHECK_PIC2_CMD    0xA0
#define CHECK_PIC2_DATA   0xA1
#define CHECK_OCW2_EOI    0x20
#define CHECK_OCW3_READ_IRR 0x0A
#define CHECK_OCW3_READ_ISR 0x0B
#define CHECK_CASCADE_IRQ 2
#define CHECK_MASK_CASCADE_OPEN 0xFB /* every master line masked but IRQ 2 */
#define CHECK_VEC_DOUBLE_FAULT 8
#define CHECK_INTR_GATE   0x8E /* present, DPL 0, 32-bit interrupt gate */
#define CHECK_TASK_GATE   0x85 /* present, DPL 0, task gate */
#define CHECK_TRACE_CAP   48
#define CHECK_IDT_LIMIT   (256 * 8 - 1)
#define CHECK_IRQ_UNUSED_MASTER 3  /* no handler at boot */
#define CHECK_IRQ_UNUSED_SLAVE  11
#define CHECK_MSG_SIZE    224
#define CHECK_STEPS       6

/* Entry stubs, in vector order (isr.asm). */
extern const uint32_t intr_stubs[INTR_EXCEPTIONS + INTR_IRQS];

static struct port_trace_entry check_trace[CHECK_TRACE_CAP];
static char step_msg[CHECK_STEPS + 1][CHECK_MSG_SIZE]; /* "" = done */
static bool pic_ok_seen;  /* intr_check_pic_init() ran */
static bool ready;

static const char *const step_names[CHECK_STEPS + 1] = {
    "", "IDT gates", "PIC remap", "end of interrupt", "spurious IRQs", "PIT",
    "exception dispatch",
};

/* Record STEP as not done, with the reason (printf format). */
static void step_fail(enum intr_step step, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void step_fail(enum intr_step step, const char *fmt, ...)
{
    char why[CHECK_MSG_SIZE];
    va_list ap;

    if (step_msg[step][0] != '\0')
        return; /* the first reason is the one to fix first */
    va_start(ap, fmt);
    kvsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    ksnprintf(step_msg[step], sizeof step_msg[step], "step %d (%s): %s", (int)step,
              step_names[step], why);
}

const char *intr_step_missing(enum intr_step step)
{
    if (step < 1 || step > CHECK_STEPS || step_msg[step][0] == '\0')
        return NULL;
    return step_msg[step];
}

bool intr_check_ready(void)
{
    return ready;
}

/* ---- step 2: the ICW sequence --------------------------------------------- */

static const struct {
    uint16_t port;
    uint8_t value;
    const char *what;
} icw_expected[] = {
    {CHECK_PIC1_CMD, 0x11, "ICW1 (0x11: initialise, ICW4 follows) to the master"},
    {CHECK_PIC2_CMD, 0x11, "ICW1 (0x11) to the slave"},
    {CHECK_PIC1_DATA, INTR_IRQ_BASE, "ICW2 (the master's vector offset)"},
    {CHECK_PIC2_DATA, INTR_IRQ_BASE + 8, "ICW2 (the slave's vector offset)"},
    {CHECK_PIC1_DATA, 0x04, "ICW3 to the master (0x04: a slave on IRQ 2)"},
    {CHECK_PIC2_DATA, 0x02, "ICW3 to the slave (0x02: its cascade identity)"},
    {CHECK_PIC1_DATA, 0x01, "ICW4 (0x01: 8086 mode) to the master"},
    {CHECK_PIC2_DATA, 0x01, "ICW4 (0x01) to the slave"},
};
#define ICW_COUNT (sizeof icw_expected / sizeof icw_expected[0])

static bool pic_port(uint16_t port)
{
    return port == CHECK_PIC1_CMD || port == CHECK_PIC1_DATA ||
           port == CHECK_PIC2_CMD || port == CHECK_PIC2_DATA;
}

/* Judge the PIC writes in check_trace[0..N): the ICWs come first, in order. */
static void check_icws(unsigned int n)
{
    unsigned int k = 0;

    for (unsigned int i = 0; i < n && k < ICW_COUNT; i++) {
        if (!pic_port(check_trace[i].port))
            continue; /* io_wait() and the like */
        uint16_t port = check_trace[i].port;
        uint8_t value = check_trace[i].value;
        if (port == icw_expected[k].port && value == icw_expected[k].value) {
            k++;
            continue;
        }
        if (k == 0)
            break; /* no initialisation at all: said below */
        if ((k == 2 || k == 3) && port == icw_expected[k].port) {
            int irq = k == 2 ? 0 : 8; /* an offset: say where the IRQs would land */
            step_fail(INTR_STEP_PIC, "pic_init() wrote 0x%02x to port 0x%x where %s "
                      "belongs (0x%02x): IRQ %d would arrive at vector %u, expected %u",
                      value, port, icw_expected[k].what, icw_expected[k].value, irq,
                      value, INTR_IRQ_BASE + irq);
        } else {
            step_fail(INTR_STEP_PIC, "pic_init() wrote 0x%02x to port 0x%x where %s "
                      "belongs (0x%02x to port 0x%x)", value, port, icw_expected[k].what,
                      icw_expected[k].value, icw_expected[k].port);
        }
        return;
    }
    if (k == 0)
        step_fail(INTR_STEP_PIC, "pic_init() sent no ICW1 (0x11) to the master (port "
                  "0x20): the PICs keep the BIOS's mapping, so IRQ 0 would arrive at "
                  "vector 8 (the double fault's), expected %u", INTR_IRQ_BASE);
    else if (k < ICW_COUNT)
        step_fail(INTR_STEP_PIC, "pic_init() stopped after %u of the 8 initialisation "
                  "words; the next one is %s", k, icw_expected[k].what);
}

void intr_check_pic_init(void)
{
    enum intr_level old = intr_disable();
    port_trace_start(check_trace, CHECK_TRACE_CAP);
    pic_init();
    unsigned int n = port_trace_stop();
    intr_set_level(old);
    pic_ok_seen = true;
    check_icws(n < CHECK_TRACE_CAP ? n : CHECK_TRACE_CAP);
    uint8_t mask = inb(CHECK_PIC1_DATA);
    if (step_msg[INTR_STEP_PIC][0] == '\0' && mask != CHECK_MASK_CASCADE_OPEN)
        step_fail(INTR_STEP_PIC, "after pic_init() the master's interrupt mask reads "
                  "0x%02x, expected 0x%02x (all lines masked but the cascade, IRQ 2): "
                  "check pic_unmask()", mask, CHECK_MASK_CASCADE_OPEN);
}

/* ---- step 1: the IDT ------------------------------------------------------ */

static void check_idt(void)
{
    uint32_t base;
    uint16_t limit;

    if (!idt_loaded(&base, &limit)) {
        if (base == idt_address())
            step_fail(INTR_STEP_IDT, "the IDT register holds the kernel's table with "
                      "limit 0x%x, expected 0x%x (the last byte of all 256 gates)",
                      limit, CHECK_IDT_LIMIT);
        else
            step_fail(INTR_STEP_IDT, "the IDT register holds base 0x%08lx limit 0x%x, "
                      "not the kernel's table: idt_init() did not load it (lidt), so "
                      "the first exception or IRQ would reset the machine",
                      (unsigned long)base, limit);
        return;
    }
    const uint8_t *g = (const uint8_t *)base;
    for (int v = 0; v < INTR_EXCEPTIONS + INTR_IRQS; v++, g += 8) {
        uint32_t offset = g[0] | g[1] << 8 | (uint32_t)g[6] << 16 | (uint32_t)g[7] << 24;
        uint16_t sel = (uint16_t)(g[2] | g[3] << 8);
        uint8_t attr = g[5];
        if (v == CHECK_VEC_DOUBLE_FAULT) {
            if (attr != CHECK_TASK_GATE || sel != GDT_DF_TSS)
                step_fail(INTR_STEP_IDT, "vector 8's gate has attributes 0x%02x and "
                          "selector 0x%x, expected a task gate (0x%02x) to the "
                          "double-fault TSS (0x%x): idt_set_task_gate()", attr, sel,
                          CHECK_TASK_GATE, GDT_DF_TSS);
        } else if (attr != CHECK_INTR_GATE || sel != GDT_KERNEL_CODE || g[4] != 0 ||
                   offset != intr_stubs[v]) {
            step_fail(INTR_STEP_IDT, "vector %d's gate has selector 0x%x, attributes "
                      "0x%02x, offset 0x%08lx; expected 0x%x, 0x%02x (present, DPL 0, "
                      "32-bit interrupt gate) and its stub at 0x%08lx", v, sel, attr,
                      (unsigned long)offset, GDT_KERNEL_CODE, CHECK_INTR_GATE,
                      (unsigned long)intr_stubs[v]);
        }
        if (step_msg[INTR_STEP_IDT][0] != '\0')
            return;
    }
}

/* ---- step 3: EOI ---------------------------------------------------------- */

static int check_irq; /* the IRQ check_eoi() pretends is in service */

/* Answer the PICs' status reads as during a real CHECK_IRQ: its bit (and,
 * for the slave's, the master's cascade bit) in service, nothing else. */
static bool check_status_reader(uint16_t port, uint8_t *value)
{
    if (port != CHECK_PIC1_CMD && port != CHECK_PIC2_CMD)
        return false;
    uint16_t isr = (uint16_t)(1u << check_irq);
    if (check_irq >= 8)
        isr |= 1u << CHECK_CASCADE_IRQ;
    *value = port == CHECK_PIC1_CMD ? (uint8_t)isr : (uint8_t)(isr >> 8);
    return true;
}

/* Trace FN(IRQ) as if IRQ were in service (the real PICs have nothing in
 * service: a non-specific EOI then changes nothing) and compare with the
 * EOIs IRQ needs, slave first. WHO names FN. */
static void check_eoi(void (*fn)(int irq), const char *who, int irq)
{
    enum intr_level old = intr_disable();
    check_irq = irq;
    port_trace_start(check_trace, CHECK_TRACE_CAP);
    port_trace_set_reader(check_status_reader);
    fn(irq);
    unsigned int n = port_trace_stop();
    intr_set_level(old);

    bool slave = irq >= 8;
    unsigned int want = slave ? 2 : 1, k = 0;
    bool ok = true;
    for (unsigned int i = 0; ok && i < n && i < CHECK_TRACE_CAP; i++) {
        if (check_trace[i].port != CHECK_PIC1_CMD && check_trace[i].port != CHECK_PIC2_CMD)
            continue;
        if (check_trace[i].value == CHECK_OCW3_READ_IRR ||
            check_trace[i].value == CHECK_OCW3_READ_ISR)
            continue; /* a status read, not an acknowledgement */
        uint16_t port = slave && k == 0 ? CHECK_PIC2_CMD : CHECK_PIC1_CMD;
        ok = k < want && check_trace[i].port == port &&
             check_trace[i].value == CHECK_OCW2_EOI;
        k++;
    }
    if (ok && k == want)
        return;
    step_fail(INTR_STEP_EOI, "%s(IRQ %d) (in service) made %u write(s) to the PICs' "
              "command ports besides status reads; "
              "expected %s: without it the PIC delivers nothing after the first "
              "tick", who, irq, k,
              slave ? "an EOI (0x20) to the slave (0xA0), then one to the master (0x20)"
                    : "one EOI (0x20) to the master's port 0x20");
}

static void eoi_direct(int irq)
{
    pic_send_eoi(irq);
}

/* IRQ as the CPU would deliver it, to intr_dispatch(). */
static void eoi_dispatched(int irq)
{
    struct intr_frame frame = {0};
    frame.vector = (uint32_t)(INTR_IRQ_BASE + irq);
    intr_dispatch(&frame);
}

bool intr_check_boot(void)
{
    check_idt();
    if (!pic_ok_seen)
        step_fail(INTR_STEP_PIC, "pic_init() was not run");
    check_eoi(eoi_direct, "pic_send_eoi", 0);
    check_eoi(eoi_direct, "pic_send_eoi", 8);
    /* IRQ 3 and 11 have no handler at boot: only the EOI is seen. */
    check_eoi(eoi_dispatched, "irq_dispatch", CHECK_IRQ_UNUSED_MASTER);
    check_eoi(eoi_dispatched, "irq_dispatch", CHECK_IRQ_UNUSED_SLAVE);
    if (pit_hz() == 0)
        step_fail(INTR_STEP_PIT, "pit_init() programmed no divisor: channel 0 still "
                  "runs at the BIOS's 18.2 Hz");
    ready = step_msg[INTR_STEP_IDT][0] == '\0' && step_msg[INTR_STEP_PIC][0] == '\0' &&
            step_msg[INTR_STEP_EOI][0] == '\0';
    for (int s = 1; s <= CHECK_STEPS; s++)
        if (step_msg[s][0] != '\0')
            kprintf("lab 1: %s\n", step_msg[s]);
    if (!ready)
        kprintf("lab 1: interrupts not set up yet: they stay off (no clock, no "
                "exceptions); the monitor polls COM1 and the keyboard\n");
    return ready;
}
