/* main.c: lab 3's kernel: frames, paging, VM pools and the heap, with a short demo. */
#include "common/kprintf.h"
#include "lab1-boot/kernel.h"
#include "setup.h"
#include "vm.h"

void lab_init(int demo)
{
    bool ok = lab3_setup();
    if (!demo)
        return;
    if (!ok) {
        kprintf("lab3: paging is not on yet: the monitor works, pt/pools/touch "
                "will say so\n");
        return;
    }
    kprintf("lab3: paging on; 0-4 MiB identity-mapped; directory in frame 0x%lx, "
            "seen at 0x%08x; page tables at 0x%08x\n",
            paging_kernel_pt()->pd_frame, PAGING_PD_WINDOW, PAGING_PT_WINDOW);

    struct vm_pool *heap = vm_heap_pool();
    unsigned long faults0 = paging_demand_faults();
    unsigned long r = vm_pool_allocate(heap, 3 * PAGE_SIZE);
    if (r != 0) {
        ((volatile int *)r)[0] = 1;
        ((volatile int *)(r + 2 * PAGE_SIZE))[0] = 2;
        kprintf("lab3: region 0x%08lx of 3 pages in the heap pool, 2 touched: "
                "%lu demand faults\n", r, paging_demand_faults() - faults0);
        vm_pool_release(heap, r);
    }
    char *s = kmalloc(32);
    if (s != NULL) {
        kprintf("lab3: kmalloc(32) = %p\n", (void *)s);
        kfree(s);
    }
    kprintf("lab3: try 'pools', 'pt 0x%08x', 'valloc 8192', 'touch ADDR', "
            "'faults'\n", KMALLOC_HEAP_BASE);
}
