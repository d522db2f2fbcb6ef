/* tests_uvm.c: lab 7's address-space tests without user code: the directory's shared kernel part, mem_alloc regions, the TSS stack, the gate, teardown. */
#include "common/x86.h"
#include "lab3-paging/page_table.h"
#include "lab3-paging/vm.h"
#include "lab2-frames/phys_mem.h"
#include "lab4-threads/scheduler.h"
#include "setup.h"
#include "tests_user_util.h"
#include "trap.h"
#include "uvm.h"

KTEST(user_directory_shares_kernel_part)
{
    USER_REQUIRE();
    struct user_baseline b;
    struct uspace us;
    user_baseline_take(&b);
    KT_ASSERT_EQ(uvm_create(&us), 0);
    const uint32_t *kpd = phys_to_ptr(paging_kernel_pt()->pd_frame << PAGE_SHIFT);
    for (uint32_t i = 0; i < PAGING_RECURSIVE_SLOT; i++) {
        uint32_t va = i << PAGING_PDE_SHIFT;
        bool kernel = va < USER_LO || va >= USER_HI;
        if (kernel && us.pd[i] != kpd[i])
            KT_FAIL("PDE %lu (0x%08lx) is the kernel's: it must equal the kernel directory's "
                    "(0x%08lx), got 0x%08lx", (unsigned long)i, (unsigned long)va,
                    (unsigned long)kpd[i], (unsigned long)us.pd[i]);
        if (kernel && (us.pd[i] & PTE_USER))
            KT_FAIL("kernel PDE %lu must be supervisor-only (no PTE_USER)", (unsigned long)i);
        if (!kernel && us.pd[i] != 0)
            KT_FAIL("user PDE %lu of a new address space must be empty, got 0x%08lx",
                    (unsigned long)i, (unsigned long)us.pd[i]);
    }
    KT_ASSERT_EQ_HEX(us.pd[PAGING_RECURSIVE_SLOT] & PTE_FRAME_MASK, uvm_cr3(&us));
    /* the heap's and the thread stacks' tables exist up front: shared, not copied late */
    KT_ASSERT(kpd[0xC0000000u >> PAGING_PDE_SHIFT] & PTE_PRESENT);
    KT_ASSERT(kpd[0xD0000000u >> PAGING_PDE_SHIFT] & PTE_PRESENT);
    /* a user page: user-accessible, counted, given back */
    KT_ASSERT_EQ(uvm_map_zero(&us, USER_LOAD_BASE, false), 0);
    uint32_t pte = uvm_pte(&us, USER_LOAD_BASE);
    KT_ASSERT((pte & (PTE_PRESENT | PTE_USER)) == (PTE_PRESENT | PTE_USER));
    KT_ASSERT(!(pte & PTE_WRITABLE));
    KT_ASSERT(us.pd[USER_LOAD_BASE >> PAGING_PDE_SHIFT] & PTE_USER);
    KT_ASSERT_EQ(us.pages, 1);
    uvm_destroy(&us);
    USER_ASSERT_NO_LEAK(&b, "an address space with one page");
}

KTEST(user_heap_regions_first_fit)
{
    USER_REQUIRE();
    struct uspace us;
    KT_ASSERT_EQ(uvm_create(&us), 0);
    int32_t a = uvm_heap_alloc(&us, 1);
    int32_t c = uvm_heap_alloc(&us, 3 * 4096);
    int32_t d = uvm_heap_alloc(&us, 4096);
    KT_ASSERT_EQ_HEX((uint32_t)a, UHEAP_BASE);
    KT_ASSERT_EQ_HEX((uint32_t)c, UHEAP_BASE + 4096);
    KT_ASSERT_EQ_HEX((uint32_t)d, UHEAP_BASE + 4 * 4096);
    KT_ASSERT(uvm_legitimate(&us, (uint32_t)c + 3 * 4096 - 1));
    KT_ASSERT(!uvm_legitimate(&us, UHEAP_BASE + 5 * 4096));
    KT_ASSERT_EQ(uvm_heap_free(&us, (uint32_t)c + 4096), -E_INVAL); /* not a start */
    KT_ASSERT_EQ(uvm_heap_free(&us, (uint32_t)c), 0);
    KT_ASSERT(!uvm_legitimate(&us, (uint32_t)c));
    KT_ASSERT_EQ(uvm_heap_free(&us, (uint32_t)c), -E_INVAL); /* twice */
    /* first fit: a 2-page region goes into the 3-page hole */
    KT_ASSERT_EQ_HEX((uint32_t)uvm_heap_alloc(&us, 2 * 4096), (uint32_t)c);
    KT_ASSERT_EQ(uvm_heap_alloc(&us, 0), -E_INVAL);
    KT_ASSERT_EQ(uvm_heap_alloc(&us, UHEAP_QUOTA), -E_NOMEM); /* over the quota with the rest */
    KT_ASSERT_EQ(uvm_heap_alloc(&us, 0xFFFFF000u), -E_NOMEM);
    /* faults: the guard page and kernel addresses are never legitimate */
    KT_ASSERT_EQ(uvm_fault(&us, USTACK_GUARD + 8), ABI_KILLED_STACK);
    KT_ASSERT_EQ(uvm_fault(&us, USER_HI), ABI_KILLED_MEMORY);
    KT_ASSERT_EQ(uvm_fault(&us, 0x30000000u), ABI_KILLED_MEMORY);
    uvm_destroy(&us);
}

static volatile uint32_t seen_esp0, seen_top;

/* A kernel thread: what the TSS says while it runs. */
static void note_tss(void *arg)
{
    (void)arg;
    seen_esp0 = ring3_kernel_stack();
    seen_top = thread_current()->stack_top;
}

KTEST(user_tss_stack_follows_thread)
{
    USER_REQUIRE();
    seen_esp0 = seen_top = 0;
    int id = tests_spawn("tss", note_tss, NULL);
    thread_wait(id);
    if (seen_top == 0 || seen_esp0 != seen_top)
        KT_FAIL("while a thread runs, the TSS's esp0 must be its stack top 0x%08lx, got 0x%08lx",
                (unsigned long)seen_top, (unsigned long)seen_esp0);
    /* after every switch the TSS's esp0 is the running thread's stack top */
    for (int i = 0; i < 3; i++) {
        scheduler_yield();
        KT_ASSERT_EQ_HEX(ring3_kernel_stack(), thread_current()->stack_top);
        KT_ASSERT_EQ_HEX(read_cr3() & PTE_FRAME_MASK, uvm_cr3(NULL));
    }
    /* the gate: int 0x80 present, DPL 3, 32-bit interrupt gate, in the kernel code segment */
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idt;
    __asm__ volatile("sidt %0" : "=m"(idt));
    const uint8_t *g = (const uint8_t *)idt.base + SYSCALL_VECTOR * 8;
    KT_ASSERT_EQ_HEX(g[5], 0xEE);
    KT_ASSERT_EQ_HEX(g[2] | (g[3] << 8), 0x08);
    KT_ASSERT_EQ_HEX((uint32_t)(g[0] | (g[1] << 8) | (g[6] << 16) | ((uint32_t)g[7] << 24)),
                     (uint32_t)syscall_entry);
}
