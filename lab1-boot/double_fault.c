/* double_fault.c: exception 8 through a task gate, so a kernel stack overflow is reported, not a triple fault.
 *
 * A double fault usually means the CPU could not push an exception frame:
 * the stack itself is bad. An ordinary interrupt gate would push onto that
 * same stack and fault a third time (the CPU resets). A task gate instead
 * makes the CPU save every register into the kernel's TSS and load a fresh
 * task with its own stack, where we can report, repair or panic.
 */
#include "common/debug.h"
#include "common/kprintf.h"
#include "common/ksyms.h"
#include "common/ktest.h"
#include "common/power.h"
#include "common/x86.h"
#include "double_fault.h"
#include "gdt.h"
#include "intr.h"

#define DF_STACK_SIZE 8192
#define EFLAGS_RESERVED 0x00000002u /* bit 1 always reads 1 */

static struct tss kernel_tss; /* where the CPU saves the interrupted kernel */
static struct tss df_tss;     /* the double-fault task */
static uint8_t df_stack[DF_STACK_SIZE] __attribute__((aligned(16)));
static double_fault_hook_fn *df_hook;
static unsigned long df_count;
static struct ktest_fault df_fault; /* for a test that expects the fault */

/* Defined by idt.c: make VECTOR a task gate to the TSS at SELECTOR. */
void idt_set_task_gate(int vector, uint16_t selector);

void double_fault_set_hook(double_fault_hook_fn *hook)
{
    if (hook != NULL && df_hook != NULL && df_hook != hook)
        PANIC("double_fault_set_hook: a hook is already installed: a second one "
              "would silently replace it");
    df_hook = hook;
}

unsigned long double_fault_count(void)
{
    return df_count;
}

/* Back in the interrupted task: hand the fault to the waiting test. */
static void double_fault_deliver(void)
{
    ktest_deliver_fault(&df_fault);
}

static void double_fault_report(const struct tss *p)
{
    uint32_t off = 0;
    const char *fn = ksyms_lookup(p->eip, &off);

    kprintf("KPANIC double fault (kernel stack overflow?) at eip 0x%08lx "
            "(%s+0x%lx), esp 0x%08lx\n", (unsigned long)p->eip,
            fn ? fn : "??", (unsigned long)off, (unsigned long)p->esp);
    kprintf("  eax %08lx  ebx %08lx  ecx %08lx  edx %08lx\n",
            (unsigned long)p->eax, (unsigned long)p->ebx,
            (unsigned long)p->ecx, (unsigned long)p->edx);
    kprintf("  esi %08lx  edi %08lx  ebp %08lx  cr2 %08lx\n",
            (unsigned long)p->esi, (unsigned long)p->edi,
            (unsigned long)p->ebp, (unsigned long)read_cr2());
    kprintf("  backtrace:\n");
    backtrace_print(p->ebp);
}

/* Decide what happens to the interrupted task P. Returns only to resume it. */
static void double_fault_handle(struct tss *p)
{
    df_count++;
    /* A task switch saves every register of the task it leaves except CR3,
     * but the iret back loads CR3 from that TSS: give it the page directory
     * in use (ours is kept equal to it by write_cr3). */
    p->cr3 = read_cr3();
    if (df_hook != NULL && df_hook(p))
        return;
    if (ktest_fault_expected(VEC_DOUBLE_FAULT)) {
        df_fault = (struct ktest_fault){VEC_DOUBLE_FAULT, 0, read_cr2(), p->eip};
        p->eip = (uint32_t)double_fault_deliver;
        p->eflags = EFLAGS_RESERVED; /* interrupts stay off until the longjmp */
        return;
    }
    if (ktest_current() != NULL)
        ktest_report_fail("double fault");
    double_fault_report(p);
    power_off(POWER_PANIC);
}

/* The double-fault task's body. Each double fault enters it where the
 * previous one left it, after the iret. */
static void double_fault_task(void)
{
    for (;;) {
        double_fault_handle(&kernel_tss);
        __asm__ volatile("iret"); /* NT is set: back to the interrupted task */
    }
}

void double_fault_init(void)
{
    df_tss.eip = (uint32_t)double_fault_task;
    df_tss.esp = (uint32_t)(df_stack + DF_STACK_SIZE);
    df_tss.eflags = EFLAGS_RESERVED;
    df_tss.cs = GDT_KERNEL_CODE;
    df_tss.ds = df_tss.es = df_tss.fs = df_tss.gs = df_tss.ss = GDT_KERNEL_DATA;
    df_tss.cr3 = read_cr3();
    df_tss.iomap_base = sizeof df_tss;
    kernel_tss.iomap_base = sizeof kernel_tss;
    x86_cr3_mirror = &df_tss.cr3; /* write_cr3 keeps the task's CR3 current */

    gdt_set_tss(GDT_MAIN_TSS, (uint32_t)&kernel_tss, sizeof kernel_tss - 1);
    gdt_set_tss(GDT_DF_TSS, (uint32_t)&df_tss, sizeof df_tss - 1);
    __asm__ volatile("ltr %w0" : : "r"((uint16_t)GDT_MAIN_TSS));
    idt_set_task_gate(VEC_DOUBLE_FAULT, GDT_DF_TSS);
}
