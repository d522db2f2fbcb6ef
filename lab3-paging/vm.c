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
    const volatile uint32_t *window = (const volatile uint32_t *)PAGING_PD_WINDOW;
    return (window[PAGING_RECURSIVE_SLOT] & PTE_FRAME_MASK) == pd &&
           (window[0] & PTE_PRESENT);
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
