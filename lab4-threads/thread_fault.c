/* thread_fault.c: stack overflows (guard page, via the double-fault task) and fatal exceptions end the thread, not the kernel. */
#include <stddef.h>

#include "common/debug.h"
#include "common/format.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/ksyms.h"
#include "common/x86.h"
#include "lab1-boot/double_fault.h"
#include "lab1-boot/intr.h"
#include "lab1-boot/pic.h"
#include "lab3-paging/page_table.h"
#include "thread.h"
#include "thread_fault.h"
#include "thread_stack.h"

#define REPORT_MAX 200
#define OVERFLOW_SLACK 64u /* ESP this far above the guard page still means overflow */
#define EFLAGS_RESERVED 0x00000002u

extern void thread_abort_entry(void); /* switch.asm */

static char last_report[REPORT_MAX];
static unsigned long overflows, exceptions;
static thread_abort_hook_fn *abort_hook;

void thread_fault_set_abort_hook(thread_abort_hook_fn *hook)
{
    if (hook != NULL && abort_hook != NULL && abort_hook != hook)
        PANIC("thread_fault_set_abort_hook: a different abort hook is installed");
    abort_hook = hook;
}

const char *thread_fault_last_report(void)
{
    return last_report;
}

unsigned long thread_fault_overflows(void)
{
    return overflows;
}

unsigned long thread_fault_exceptions(void)
{
    return exceptions;
}

/* True if T is a thread we may end (not main, not idle, has a guarded stack). */
static bool thread_fault_endable(const struct thread *t)
{
    return t != NULL && t->magic == THREAD_MAGIC && t->id != THREAD_BOOT_ID &&
           t != thread_idle() && t->stack_region != 0;
}

/* If the double fault hit while an IRQ was being delivered (a tick arriving
 * just as the stack ran out: the CPU could not push the interrupt frame),
 * that IRQ is in service at the PIC but its handler, which sends the EOI
 * first thing (lab1-boot/intr.c), never ran: acknowledge it here, or that
 * IRQ and all below it stay blocked for good. Interrupts off. */
static void thread_fault_release_irq(void)
{
    uint16_t isr = pic_read_isr();
    if (isr & 0xFF00u) { /* a slave IRQ: its EOI goes to both chips */
        for (int irq = 8; irq < 16; irq++)
            if (isr & (1u << irq)) {
                pic_send_eoi(irq);
                return;
            }
    }
    for (int irq = 0; irq < 8; irq++)
        if (irq != 2 && (isr & (1u << irq))) {
            pic_send_eoi(irq);
            return;
        }
}

/* Double-fault hook: runs in the double-fault task, interrupts off. If the
 * interrupted ESP (or CR2) is in the running thread's guard page, resume
 * that context at thread_abort_entry instead. */
static bool thread_double_fault(struct tss *prev)
{
    struct thread *t = thread_running;
    uint32_t cr2 = read_cr2();
    if (!thread_fault_endable(t))
        return false;
    bool esp_in_guard = prev->esp >= t->stack_region &&
                        prev->esp < t->stack_region + PAGE_SIZE + OVERFLOW_SLACK;
    if (!esp_in_guard && !thread_stack_in_guard(t->stack_region, cr2))
        return false; /* not this thread's overflow: lab 1 reports and panics */
    thread_fault_release_irq();
    t->end = THREAD_END_STACK_OVERFLOW;
    t->fault_vector = VEC_DOUBLE_FAULT;
    t->fault_addr = thread_stack_in_guard(t->stack_region, cr2) ? cr2 : prev->esp;
    t->fault_eip = prev->eip;
    prev->eip = (uint32_t)thread_abort_entry;
    prev->eflags = EFLAGS_RESERVED; /* interrupts stay off until the switch */
    /* A task switch saves the general registers into the old TSS but NOT
     * CR3, and going back loads CR3 from it: give it the address space we
     * run in (the double-fault task's CR3 is kept current by write_cr3). */
    prev->cr3 = read_cr3();
    return true;
}

/* Point the interrupted context of F at thread_abort_entry, interrupts off. */
static bool thread_fault_redirect(struct intr_frame *f, struct thread *t, enum thread_end end,
                                  uint32_t addr)
{
    t->end = end;
    t->fault_vector = f->vector;
    t->fault_addr = addr;
    t->fault_eip = f->eip;
    f->eip = (uint32_t)thread_abort_entry;
    f->eflags &= ~EFLAGS_IF;
    return true;
}

/* The page-fault handler before ours (lab 3's demand paging), chained. */
static exception_handler_fn *next_page_fault;

/* Page faults: the handler before ours first (lab 3's); what it refuses ends
 * a thread. */
static bool thread_page_fault(struct intr_frame *f)
{
    if (next_page_fault != NULL && next_page_fault(f))
        return true;
    struct thread *t = thread_running;
    if (!thread_fault_endable(t))
        return false; /* main: the test fails or the kernel panics, as before */
    uint32_t cr2 = read_cr2();
    bool overflow = thread_stack_in_guard(t->stack_region, cr2);
    return thread_fault_redirect(f, t, overflow ? THREAD_END_STACK_OVERFLOW
                                                : THREAD_END_EXCEPTION, cr2);
}

/* Other fatal exceptions in a thread: end it. */
static bool thread_exception(struct intr_frame *f)
{
    struct thread *t = thread_running;
    if (!thread_fault_endable(t))
        return false;
    return thread_fault_redirect(f, t, THREAD_END_EXCEPTION, 0);
}

/* For page-fault reports: "7 (deep)". */
static const char *thread_context_name(void)
{
    static char buf[THREAD_NAME_MAX + 16];
    struct thread *t = thread_running;
    if (t == NULL)
        return NULL;
    ksnprintf(buf, sizeof buf, "%d (%s)", t->id, t->name);
    return buf;
}

void thread_abort(struct thread *t)
{
    uint32_t off = 0;
    const char *fn = ksyms_lookup(t->fault_eip, &off);

    KASSERT(t == thread_running);
    if (t->end == THREAD_END_STACK_OVERFLOW) {
        overflows++;
        ksnprintf(last_report, sizeof last_report,
                  "thread: stack overflow in thread %d (%s): fault at 0x%08lx, guard page "
                  "0x%08lx-0x%08lx, eip 0x%08lx (%s+0x%lx); thread ended",
                  t->id, t->name, (unsigned long)t->fault_addr, t->stack_region,
                  t->stack_region + PAGE_SIZE - 1, (unsigned long)t->fault_eip,
                  fn ? fn : "??", (unsigned long)off);
    } else {
        exceptions++;
        ksnprintf(last_report, sizeof last_report,
                  "thread: exception %lu %s in thread %d (%s) at eip 0x%08lx (%s+0x%lx); "
                  "thread ended", (unsigned long)t->fault_vector,
                  exception_name(t->fault_vector), t->id, t->name,
                  (unsigned long)t->fault_eip, fn ? fn : "??", (unsigned long)off);
    }
    kprintf("%s\n", last_report);
    if (abort_hook != NULL)
        abort_hook(t); /* may end T itself */
    thread_exit_with(t->end);
}

void thread_fault_init(void)
{
    double_fault_set_hook(thread_double_fault);
    next_page_fault = exception_chain(VEC_PAGE_FAULT, thread_page_fault);
    exception_register(VEC_DIVIDE, thread_exception);
    exception_register(VEC_BOUND, thread_exception);
    exception_register(VEC_INVALID_OPCODE, thread_exception);
    exception_register(VEC_GP, thread_exception);
    paging_set_context_hook(thread_context_name);
}
