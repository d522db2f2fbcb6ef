/* exception.c: names and reports for the 32 CPU exceptions. */
#include <stddef.h>

#include "common/debug.h"
#include "common/format.h"
#include "common/kprintf.h"
#include "common/ksyms.h"
#include "common/kstep.h"
#include "common/ktest.h"
#include "common/power.h"
#include "common/x86.h"
#include "intr.h"

static const char *const exception_names[INTR_EXCEPTIONS] = {
    "#DE Divide Error",         "#DB Debug",
    "NMI Interrupt",            "#BP Breakpoint",
    "#OF Overflow",             "#BR BOUND Range Exceeded",
    "#UD Invalid Opcode",       "#NM Device Not Available",
    "#DF Double Fault",         "Coprocessor Segment Overrun",
    "#TS Invalid TSS",          "#NP Segment Not Present",
    "#SS Stack-Segment Fault",  "#GP General Protection",
    "#PF Page Fault",           "Reserved (15)",
    "#MF x87 Floating-Point",   "#AC Alignment Check",
    "#MC Machine Check",        "#XM SIMD Floating-Point",
    "#VE Virtualization",       "#CP Control Protection",
    "Reserved (22)",            "Reserved (23)",
    "Reserved (24)",            "Reserved (25)",
    "Reserved (26)",            "Reserved (27)",
    "Reserved (28)",            "Reserved (29)",
    "Reserved (30)",            "Reserved (31)",
};

const char *exception_name(uint32_t vector)
{
    return vector < INTR_EXCEPTIONS ? exception_names[vector] : "unknown";
}

void intr_frame_dump(const struct intr_frame *f)
{
    uint32_t off = 0;
    const char *fn = ksyms_lookup(f->eip, &off);

    kprintf("  eip %08lx (%s+0x%lx)  cs %04lx  eflags %08lx\n",
            (unsigned long)f->eip, fn ? fn : "??", (unsigned long)off,
            (unsigned long)f->cs, (unsigned long)f->eflags);
    kprintf("  eax %08lx  ebx %08lx  ecx %08lx  edx %08lx\n",
            (unsigned long)f->eax, (unsigned long)f->ebx,
            (unsigned long)f->ecx, (unsigned long)f->edx);
    kprintf("  esi %08lx  edi %08lx  ebp %08lx  esp %08lx\n",
            (unsigned long)f->esi, (unsigned long)f->edi,
            (unsigned long)f->ebp, (unsigned long)(f->esp_at_pushad + 20));
    kprintf("  ds %04lx  es %04lx  fs %04lx  gs %04lx\n", (unsigned long)f->ds,
            (unsigned long)f->es, (unsigned long)f->fs, (unsigned long)f->gs);
}

void exception_describe(char *buf, size_t size, const struct intr_frame *f,
                        uint32_t cr2)
{
    buf[0] = '\0';
    /* LAB 1: TODO step 6 (exception dispatch): write F's one-line report into
     * BUF: "exception 14 #PF Page Fault, error code 0x2, cr2 0x00400000, at
     * eip 0x00101234 (fn+0x1c)": vector, name, error code, CR2 (page faults
     * only), EIP and the function it lies in (ksyms_lookup; "??" if none). */
    /* LAB 1: BEGIN SOLUTION full */
    uint32_t off = 0;
    const char *fn = ksyms_lookup(f->eip, &off);
    char where[32] = "";

    if (f->vector == VEC_PAGE_FAULT)
        ksnprintf(where, sizeof where, ", cr2 0x%08lx", (unsigned long)cr2);
    ksnprintf(buf, size, "exception %lu %s, error code 0x%lx%s, at eip 0x%08lx (%s+0x%lx)",
              (unsigned long)f->vector, exception_name(f->vector),
              (unsigned long)f->error_code, where, (unsigned long)f->eip, fn ? fn : "??",
              (unsigned long)off);
    /* LAB 1: END SOLUTION */
    (void)cr2;
    if (buf[0] == '\0') /* not written yet: still say which exception */
        ksnprintf(buf, size, "exception %lu at eip 0x%08lx (lab 1 step 6: "
                  "exception_describe() writes nothing yet)",
                  (unsigned long)f->vector, (unsigned long)f->eip);
}

/* "step N (...): ", the handout step that owns the code F faulted in (or
 * its callers), if the lab registered a step table (common/kstep.h); else "". */
static const char *exception_step(const struct intr_frame *f, char *buf, size_t size)
{
    const char *step = kstep_panic_note(NULL, ksyms_lookup(f->eip, NULL), f->ebp);
    if (step == NULL)
        return "";
    ksnprintf(buf, size, "%s: ", step);
    return buf;
}

void exception_unhandled(struct intr_frame *f)
{
    uint32_t cr2 = read_cr2();
    char what[160], step[160];

    if (ktest_fault_expected(f->vector)) {
        struct ktest_fault fault = {f->vector, f->error_code, cr2, f->eip};
        exception_nesting_reset(); /* klongjmp leaves every handler */
        ktest_deliver_fault(&fault);
    }
    if (ktest_current() != NULL) {
        /* The test fails; the runner moves on to the next one. */
        exception_describe(what, sizeof what, f, cr2);
        ktest_report_fail("%sunexpected %s", exception_step(f, step, sizeof step), what);
        intr_frame_dump(f);
        backtrace_print(f->ebp);
        exception_nesting_reset();
        ktest_abandon_current();
    }
    exception_describe(what, sizeof what, f, cr2);
    kprintf("KPANIC %s%s\n", exception_step(f, step, sizeof step), what);
    intr_frame_dump(f);
    kprintf("  backtrace:\n");
    backtrace_print(f->ebp);
    power_off(POWER_PANIC);
}

void exception_not_dispatched(struct intr_frame *f)
{
    char what[160];

    ksnprintf(what, sizeof what, "lab 1 step 6 (exception dispatch): exception %lu "
              "(%s) at eip 0x%08lx came back from exception_dispatch() neither "
              "handled nor reported", (unsigned long)f->vector,
              exception_name(f->vector), (unsigned long)f->eip);
    if (ktest_current() != NULL) {
        ktest_report_fail("%s", what);
        exception_nesting_reset();
        ktest_abandon_current();
    }
    kprintf("KPANIC %s\n", what);
    intr_frame_dump(f);
    power_off(POWER_PANIC);
}

static exception_describe_addr_fn *describe_hook;
static bool nested_reporting; /* a fault while reporting stops at once */

void exception_set_describe_hook(exception_describe_addr_fn *hook)
{
    if (hook != NULL && describe_hook != NULL && describe_hook != hook)
        PANIC("exception_set_describe_hook: a hook is already installed: a second "
              "one would silently replace it");
    describe_hook = hook;
}

/* "14 #PF Page Fault at eip 0x... (fn+0x..), cr2 0x..." for one level. */
static void nested_level_print(const char *label, uint32_t vector, uint32_t eip,
                               uint32_t cr2)
{
    uint32_t off = 0;
    const char *fn = ksyms_lookup(eip, &off);

    kprintf("  %s: exception %lu %s at eip 0x%08lx (%s+0x%lx)", label,
            (unsigned long)vector, exception_name(vector), (unsigned long)eip,
            fn ? fn : "??", (unsigned long)off);
    if (vector == VEC_PAGE_FAULT)
        kprintf(", address 0x%08lx", (unsigned long)cr2);
    kprintf("\n");
}

void exception_nested_fatal(const struct intr_frame *frame,
                            const struct exception_level *levels, int depth)
{
    char what[160];
    uint32_t cr2 = read_cr2();

    if (nested_reporting) {
        kprintf("KPANIC exception %lu while reporting nested exceptions\n",
                (unsigned long)frame->vector);
        power_off(POWER_PANIC);
    }
    nested_reporting = true;
    exception_describe(what, sizeof what, frame, cr2);
    kprintf("KPANIC exceptions nested %d deep (a fault inside an exception "
            "handler): %s\n", depth + 1, what);
    kprintf("  serving, outermost first:\n");
    for (int i = 0; i < depth; i++) {
        char label[16];
        ksnprintf(label, sizeof label, "level %d", i + 1);
        nested_level_print(label, levels[i].vector, levels[i].eip, levels[i].cr2);
    }
    if (levels[0].vector == VEC_PAGE_FAULT && (read_cr0() & CR0_PG) &&
        describe_hook != NULL) {
        kprintf("  page tables for the outer fault's address 0x%08lx:\n",
                (unsigned long)levels[0].cr2);
        describe_hook(levels[0].cr2);
    }
    kprintf("  backtrace:\n");
    backtrace_print(frame->ebp);
    power_off(POWER_PANIC);
}
