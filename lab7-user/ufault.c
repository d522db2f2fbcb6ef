/* ufault.c: a CPU exception in ring 3 ends only that process, with a one-line report; demand paging of user memory. */
#include <stddef.h>

#include "common/format.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/x86.h"
#include "lab1-boot/intr.h"
#include "lab3-paging/page_table.h"
#include "proc.h"
#include "trap.h"
#include "ufault.h"
#include "usym.h"
#include "uvm.h"


static exception_handler_fn *next_handler[INTR_EXCEPTIONS];
static char last_report[224];
static unsigned long kills;

const char *ufault_last_report(void)
{
    return last_report;
}

unsigned long ufault_kills(void)
{
    return kills;
}

/* The reason a fault in ring 3 ends the process with. */
static __attribute__((unused)) int fault_reason(uint32_t vector)
{
    if (vector == VEC_GP)
        return ABI_KILLED_PRIV;
    if (vector == VEC_PAGE_FAULT)
        return ABI_KILLED_MEMORY;
    return (int)vector;
}

static const char *reason_text(int reason)
{
    switch (reason) {
    case ABI_KILLED_BY_KILL: return "killed by kill()";
    case ABI_KILLED_PRIV: return "privileged instruction or protection violation (#GP)";
    case ABI_KILLED_MEMORY: return "access outside its memory (#PF)";
    case ABI_KILLED_STACK: return "stack grew past its limit";
    default: return exception_name((uint32_t)reason);
    }
}

void proc_report_fault(struct process *p, const struct intr_frame *f, uint32_t cr2, int reason)
{
    char fn[USYM_NAME_MAX + 16]; /* " (main+0x1a)": the program's function at EIP */
    usym_describe(p->name, f->eip, fn, sizeof fn);
    if (reason == ABI_KILLED_BY_KILL)
        ksnprintf(last_report, sizeof last_report, "lab7: process %d (%s) ended: %s", p->pid,
                  p->name, reason_text(reason));
    else if (f->vector == VEC_PAGE_FAULT)
        ksnprintf(last_report, sizeof last_report,
                  "lab7: process %d (%s) ended: %s, eip 0x%08lx%s, cr2 0x%08lx", p->pid,
                  p->name, reason_text(reason), (unsigned long)f->eip, fn, (unsigned long)cr2);
    else
        ksnprintf(last_report, sizeof last_report,
                  "lab7: process %d (%s) ended: %s, eip 0x%08lx%s", p->pid, p->name,
                  reason_text(reason), (unsigned long)f->eip, fn);
    kprintf("%s\n", last_report);
}

/* Every exception vector's handler, in front of the earlier labs'. */
static bool ufault_handler(struct intr_frame *f)
{
    uint32_t vector = f->vector;
    struct process *p = proc_current();
    if (!trap_from_user(f) || p == NULL) {
        exception_handler_fn *next = next_handler[vector];
        return next != NULL && next(f);
    }
    uint32_t cr2 = read_cr2();
    int reason;
    /* LAB 7: TODO a page fault on a legitimate page (uvm_fault) is served
     * and the process resumes; anything else ends it (kill() first: its
     * reason wins), after a report, as if it had called exit */
    /* LAB 7: BEGIN SOLUTION */
    if (p->kill_reason != 0) {
        reason = p->kill_reason;
    } else if (vector == VEC_PAGE_FAULT) {
        reason = uvm_fault(&p->us, cr2);
        if (reason == UVM_MAPPED)
            return true;
    } else {
        reason = fault_reason(vector);
    }
    proc_report_fault(p, f, cr2, reason);
    kills++;
    exception_nesting_reset(); /* this handler never returns */
    proc_exit(ABI_STATUS_KILLED(reason));
    /* LAB 7: END SOLUTION */
    (void)cr2, (void)reason;
    return false;
}

void ufault_init(void)
{
    for (int v = 0; v < INTR_EXCEPTIONS; v++)
        if (v != VEC_NMI && v != VEC_DOUBLE_FAULT)
            next_handler[v] = exception_chain(v, ufault_handler);
}
