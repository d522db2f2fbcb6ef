/* large_page.c: lab 3's challenge: 4 MiB pages, mapped by one directory entry each (PSE). */
#include "large_page.h"

#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/x86.h"
#include "lab1-boot/monitor.h"

bool large_page_supported(void)
{
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (d & CPUID_EDX_PSE) != 0;
}

int large_pages_enable(void)
{
    if (!large_page_supported())
        return LP_ERR_UNSUPPORTED;
    /* LAB 3: TODO (challenge) turn on page size extension in CR4 */
    /* LAB 3: BEGIN SOLUTION challenge */
    write_cr4(read_cr4() | CR4_PSE);
    return LP_OK;
    /* LAB 3: END SOLUTION */
    return LP_ERR_UNIMPLEMENTED;
}

/* LP_OK if VADDR may hold a large page: aligned, and neither in the
 * identity range nor in the recursive window. */
static int lp_check_vaddr(vaddr_t vaddr)
{
    if (vaddr & (LP_SIZE - 1))
        return LP_ERR_ALIGN;
    if (vaddr < paging_shared_size() ||
        paging_pd_index(vaddr) == PAGING_RECURSIVE_SLOT)
        return LP_ERR_RANGE;
    return LP_OK;
}

int large_page_map(vaddr_t vaddr, unsigned long frame_no, uint32_t flags)
{
    int err = lp_check_vaddr(vaddr);
    if (err == LP_OK && (frame_no % LP_FRAMES != 0 || frame_no == 0 ||
                         frame_no >= CFP_MAX_FRAME_NO))
        err = LP_ERR_ALIGN;
    if (err == LP_OK)
        err = large_pages_enable();
    if (err != LP_OK) {
        kprintf("large_page: map 0x%08lx -> frame %lu: %s\n", (unsigned long)vaddr,
                frame_no, large_page_strerror(err));
        return err;
    }
    enum intr_level old = intr_disable();
    volatile pte_t *pde = paging_pde_ptr(vaddr);
    if (pte_present(*pde)) {
        intr_set_level(old);
        kprintf("large_page: map 0x%08lx: directory entry in use (0x%08lx)\n",
                (unsigned long)vaddr, (unsigned long)*pde);
        return LP_ERR_BUSY;
    }
    err = LP_ERR_UNIMPLEMENTED;
    (void)flags;
    /* LAB 3: TODO (challenge) install the directory entry: the block's address, the flags, present and PS */
    /* LAB 3: BEGIN SOLUTION challenge */
    *pde = pte_make_frame(frame_no, (flags & PTE_FLAGS_MASK) | PTE_PRESENT | PDE_LARGE_PAGE);
    err = LP_OK; /* the entry was not present: no TLB entry to drop */
    /* LAB 3: END SOLUTION */
    intr_set_level(old);
    return err;
}

int large_page_unmap(vaddr_t vaddr)
{
    int err = lp_check_vaddr(vaddr);
    if (err == LP_OK && large_page_frame(vaddr) == 0)
        err = LP_ERR_NOT_MAPPED;
    if (err != LP_OK) {
        kprintf("large_page: unmap 0x%08lx: %s\n", (unsigned long)vaddr,
                large_page_strerror(err));
        return err;
    }
    err = LP_ERR_UNIMPLEMENTED;
    enum intr_level old = intr_disable();
    /* LAB 3: TODO (challenge) clear the directory entry and drop the large page's TLB entry */
    /* LAB 3: BEGIN SOLUTION challenge */
    *paging_pde_ptr(vaddr) = 0;
    invlpg(vaddr);
    err = LP_OK;
    /* LAB 3: END SOLUTION */
    intr_set_level(old);
    return err;
}

unsigned long large_page_frame(vaddr_t vaddr)
{
    pte_t pde = *paging_pde_ptr(vaddr);
    if ((pde & (PTE_PRESENT | PDE_LARGE_PAGE)) != (PTE_PRESENT | PDE_LARGE_PAGE))
        return 0;
    return ((pde & LP_FRAME_MASK) >> PAGE_SHIFT) + paging_pt_index(vaddr);
}

const char *large_page_strerror(int err)
{
    switch (err) {
    case LP_OK: return "ok";
    case LP_ERR_ALIGN: return "not 4 MiB aligned";
    case LP_ERR_RANGE: return "in the identity range or the recursive window";
    case LP_ERR_BUSY: return "directory entry in use";
    case LP_ERR_NOT_MAPPED: return "no large page there";
    case LP_ERR_UNSUPPORTED: return "the CPU has no PSE";
    case LP_ERR_UNIMPLEMENTED: return "not implemented (lab 3 challenge)";
    default: return "unknown error";
    }
}

static int cmd_lpages(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (!paging_enabled()) {
        kprintf("lpages: paging is off\n");
        return 1;
    }
    unsigned int n = 0;
    for (unsigned long i = 0; i < PAGING_RECURSIVE_SLOT; i++) {
        vaddr_t va = i << PAGING_PDE_SHIFT;
        if (large_page_frame(va) != 0) {
            kprintf("0x%08lx-0x%08lx -> frames %lu-%lu (PDE 0x%08lx)\n", (unsigned long)va,
                    (unsigned long)(va + LP_SIZE - 1), large_page_frame(va),
                    large_page_frame(va) + LP_FRAMES - 1, (unsigned long)*paging_pde_ptr(va));
            n++;
        }
    }
    kprintf("lpages: %u large page%s; CR4.PSE %s; PSE %ssupported\n", n, n == 1 ? "" : "s",
            read_cr4() & CR4_PSE ? "on" : "off", large_page_supported() ? "" : "not ");
    return 0;
}
MONITOR_COMMAND(lpages, "", "4 MiB pages of the loaded directory (lab 3 challenge)",
                cmd_lpages);
