/* intr.c: intr_dispatch(): route exceptions and IRQs, EOI, spurious IRQs. */
#include <stddef.h>

#include "common/debug.h"
#include "common/ktest.h"
#include "common/sched_trace.h"
#include "common/x86.h"
#include "intr.h"
#include "pic.h"

#define SPURIOUS_MASTER_IRQ 7
#define SPURIOUS_SLAVE_IRQ  15
#define PIC_CASCADE_IRQ     2  /* the master line the slave hangs on */

static irq_handler_fn *irq_handlers[INTR_IRQS];
static exception_handler_fn *exception_handlers[INTR_EXCEPTIONS];
static unsigned long spurious_count;
static int irq_depth; /* > 0 inside an IRQ handler */

/* Exceptions being served, outermost first: a fault inside a handler nests.
 * Past EXCEPTION_NEST_MAX the kernel stops with one report instead of
 * recursing until the stack is gone. */
static struct exception_level exception_levels[EXCEPTION_NEST_MAX];
static int exception_depth;

void irq_register(int irq, irq_handler_fn *handler)
{
    KASSERT(irq >= 0 && irq < INTR_IRQS);
    KASSERT(handler != NULL);
    if (irq_handlers[irq] != NULL && irq_handlers[irq] != handler)
        PANIC("IRQ %d already has a handler", irq);
    irq_handlers[irq] = handler;
    pic_unmask(irq);
}

void exception_register(int vector, exception_handler_fn *handler)
{
    KASSERT(vector >= 0 && vector < INTR_EXCEPTIONS);
    KASSERT(handler != NULL);
    if (exception_handlers[vector] != NULL && exception_handlers[vector] != handler)
        PANIC("exception %d already has a handler: extend it with exception_chain()",
              vector);
    exception_handlers[vector] = handler;
}

exception_handler_fn *exception_chain(int vector, exception_handler_fn *handler)
{
    KASSERT(vector >= 0 && vector < INTR_EXCEPTIONS);
    enum intr_level old = intr_disable();
    exception_handler_fn *prev = exception_handlers[vector];
    exception_handlers[vector] = handler;
    intr_set_level(old);
    return prev;
}

bool intr_in_irq(void)
{
    return irq_depth > 0;
}

unsigned long intr_spurious_count(void)
{
    return spurious_count;
}

/* A spurious IRQ 7/15 is raised by the PIC when a request vanished before it
 * was acknowledged: its in-service bit is not set. It must not get an EOI
 * (IRQ 15 still needs one for the master, which did see IRQ 2). Returns
 * true if IRQ was spurious (and has been dealt with). (Unused until
 * irq_dispatch calls it.) */
static __attribute__((unused)) bool irq_is_spurious(int irq)
{
    /* LAB 1: TODO step 4 (spurious IRQs): only IRQ 7 and 15 can be spurious:
     * one whose bit is clear in the PICs' in-service register is. Count it,
     * acknowledge only the PIC that really had an interrupt in service, and
     * return true. */
    /* LAB 1: BEGIN SOLUTION full */
    if (irq != SPURIOUS_MASTER_IRQ && irq != SPURIOUS_SLAVE_IRQ)
        return false;
    if (pic_read_isr() & (1u << irq))
        return false;
    if (irq == SPURIOUS_SLAVE_IRQ)
        pic_send_eoi(PIC_CASCADE_IRQ); /* the master's IRQ 2 was real */
    spurious_count++;
    return true;
    /* LAB 1: END SOLUTION */
    (void)irq;
    return false;
}

/* Serve the IRQ of FRAME: spurious ones are dropped, real ones acknowledged
 * and handed to their handler. */
void irq_dispatch(struct intr_frame *frame)
{
    sched_trace_irq((int)frame->vector - INTR_IRQ_BASE); /* the timelines' IRQ lane */
    /* LAB 1: TODO step 3 (end of interrupt): find the IRQ number from the
     * frame's vector; leave it alone if irq_is_spurious() says so; otherwise
     * acknowledge it first (a handler that switches threads leaves this frame
     * for a long time, and the PIC must be free to deliver the next tick),
     * then run its registered handler, if any, with irq_depth counting it. */
    /* LAB 1: BEGIN SOLUTION */
    int irq = (int)frame->vector - INTR_IRQ_BASE;

    if (irq_is_spurious(irq))
        return;
    pic_send_eoi(irq);
    irq_depth++;
    if (irq_handlers[irq])
        irq_handlers[irq](frame);
    irq_depth--;
    /* LAB 1: END SOLUTION */
    (void)frame;
}

/* Hand exception FRAME to its registered handler, else report it. */
static void exception_dispatch(struct intr_frame *frame)
{
    /* LAB 1: TODO step 6 (exception dispatch): give the handler registered
     * for this vector the first chance; if there is none or it declines
     * (returns false), report the exception as unhandled. */
    /* LAB 1: BEGIN SOLUTION full */
    exception_handler_fn *h = exception_handlers[frame->vector];

    if (h != NULL && h(frame))
        return;
    exception_unhandled(frame);
    /* LAB 1: END SOLUTION */
    exception_not_dispatched(frame);
}

void exception_nesting_reset(void)
{
    exception_depth = 0;
}

int exception_nesting_depth(void)
{
    return exception_depth;
}

/* Serve exception FRAME, counting how deep exceptions nest. */
static void exception_enter(struct intr_frame *frame)
{
    /* A level whose frame is not above FRAME was left without returning
     * (klongjmp out of a handler): it no longer encloses this one. */
    while (exception_depth > 0 &&
           (uintptr_t)exception_levels[exception_depth - 1].frame <= (uintptr_t)frame)
        exception_depth--;
    if (exception_depth == EXCEPTION_NEST_MAX)
        exception_nested_fatal(frame, exception_levels, exception_depth);
    exception_levels[exception_depth].frame = frame;
    exception_levels[exception_depth].vector = frame->vector;
    exception_levels[exception_depth].eip = frame->eip;
    exception_levels[exception_depth].cr2 = read_cr2();
    exception_depth++;
    exception_dispatch(frame);
    if (exception_depth > 0)
        exception_depth--;
}

void intr_dispatch(struct intr_frame *frame)
{
    if (frame->vector < INTR_EXCEPTIONS)
        exception_enter(frame);
    else if (frame->vector < INTR_IRQ_BASE + INTR_IRQS)
        irq_dispatch(frame);
    else
        PANIC("interrupt on unexpected vector %lu",
              (unsigned long)frame->vector);
}
