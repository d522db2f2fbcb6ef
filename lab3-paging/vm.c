/* vm.c: vm_setup(): the kernel page table, paging on, the heap (on lab 2's frame pools). */
#include <stddef.h>

#include "common/debug.h"
#include "common/kprintf.h"
#include "common/x86.h"
#include "lab2-frames/frames.h"
#include "vm.h"

static struct page_table *kernel_pt;
static bool setup_done, ready;

/* True if the MMU really translates through KERNEL_PT: CR0.PG is set, CR3
 * holds its directory, and the recursive entry shows the directory. */
static bool paging_works(void)
{
    if (!(read_cr0() & CR0_PG))
        return false;
    uint32_t pd = (uint32_t)(kernel_pt->pd_frame << PAGE_SHIFT);
    if ((read_cr3() & PTE_FRAME_MASK) != pd)
        return false;
    const volatile pte_t *window = (const volatile pte_t *)PAGING_PD_WINDOW;
    return pte_addr(window[PAGING_RECURSIVE_SLOT]) == pd && pte_present(window[0]);
}

/* The steps of the handout the heap needs that can be checked without a
 * fault (README, "What to implement"): step 2's window formulas, step 3's
 * rule that a pool's first page is always legitimate and its page tables on
 * demand (the heap's first one). Prints the first one
 * not done ("lab 3: step N (...): ...") and returns false; the kernel then
 * runs without pools and heap instead of faulting at the first heap page. */
static bool vm_steps_done(void)
{
    const uint32_t va = 0x00403000u; /* directory entry 1, page-table entry 3 */
    uint32_t pde = (uint32_t)paging_pde_ptr(va), pte = (uint32_t)paging_pte_ptr(va);
    uint32_t table = (uint32_t)paging_table_window(va);
    if (pde != PAGING_PD_WINDOW + 4u || pte != PAGING_PT_WINDOW + 4u * 0x403u ||
        table != PAGING_PT_WINDOW + PAGE_SIZE) {
        kprintf("lab 3: step 2 (window helpers): for 0x%08x paging_pde_ptr, paging_pte_ptr "
                "and paging_table_window give 0x%08x, 0x%08x, 0x%08x; expected 0x%08x, "
                "0x%08x, 0x%08x: no VM pools, no heap\n", (unsigned)va, (unsigned)pde,
                (unsigned)pte, (unsigned)table, PAGING_PD_WINDOW + 4u,
                PAGING_PT_WINDOW + 4u * 0x403u, PAGING_PT_WINDOW + PAGE_SIZE);
        return false;
    }
    struct vm_pool probe = {.base = 0xC0000000u, .size = 2 * PAGE_SIZE};
    if (!vm_pool_is_legitimate(&probe, probe.base + 8u)) {
        kprintf("lab 3: step 3 (legitimate addresses): vm_pool_is_legitimate says no to a "
                "pool's first page, its bookkeeping, which vm_pool_init writes before any "
                "region exists: no VM pools, no heap\n");
        return false;
    }
    /* The heap's first page needs this table anyway: make it now. */
    if (!paging_ensure_table(KMALLOC_HEAP_BASE)) {
        kprintf("lab 3: step 3 (tables on demand): paging_ensure_table(0x%08x), the "
                "heap's first page table, failed (see above): no VM pools, no heap\n",
                KMALLOC_HEAP_BASE);
        return false;
    }
    return true;
}

bool vm_setup(void)
{
    if (setup_done)
        return ready;
    setup_done = true;
    if (!frames_available()) {     /* lab2_setup() runs first (lab3_setup) */
        kprintf("vm: no frame pools (see above): no paging, no heap.\n");
        return false;
    }
    paging_init(frames_kernel_pool(), frames_process_pool(), VM_SHARED_SIZE);
    kernel_pt = page_table_create();
    if (kernel_pt == NULL)
        PANIC("vm_setup: cannot create the kernel page table");
    page_table_load(kernel_pt);
    paging_enable();
    if (!paging_works()) {
        kprintf("vm: paging is not working yet (CR0.PG, CR3 or the recursive "
                "entry is wrong): no VM pools, no heap. See lab3-paging/README.md.\n");
        return false;
    }
    if (!vm_steps_done())
        return false;
    if (!kmalloc_init(kernel_pt, frames_process_pool()))
        return false;
    ready = true;
    return true;
}

bool vm_ready(void)
{
    return ready;
}

struct page_table *paging_kernel_pt(void)
{
    return kernel_pt;
}

struct vm_pool *vm_heap_pool(void)
{
    return kmalloc_pool();
}
