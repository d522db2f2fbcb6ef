/* vm_dump.c: the monitor's `vmdump`: the address space (directory, tables, VM pools, regions) as VMAP lines, for tools/memory_map.py's picture. */
#include <stddef.h>

#include "common/kprintf.h"
#include "lab1-boot/monitor.h"
#include "lab2-frames/cont_frame_pool.h"
#include "page_table.h"
#include "vm_pool.h"
#include "vm_regions.h"

#define VMAP_RUNS_PER_LINE 16

/* VMAP PTES lines: table PDI's entries as runs of p (present) and - (not). */
static void vmap_table(uint32_t pdi)
{
    const volatile pte_t *pt = paging_table_window(pdi << PAGING_PDE_SHIFT);
    uint32_t i = 0;
    int on_line = 0;

    while (i < PAGING_ENTRIES) {
        bool present = pte_present(pt[i]);
        uint32_t run = 1;
        while (i + run < PAGING_ENTRIES && pte_present(pt[i + run]) == present)
            run++;
        if (on_line == 0)
            kprintf("VMAP PTES %lu", (unsigned long)pdi);
        kprintf(" %c:%lu", present ? 'p' : '-', (unsigned long)run);
        if (++on_line == VMAP_RUNS_PER_LINE) {
            kprintf("\n");
            on_line = 0;
        }
        i += run;
    }
    if (on_line != 0)
        kprintf("\n");
}

static void vmap_pool(const struct vm_pool *p)
{
    const char *name = p->name != NULL && p->name[0] != '\0' ? p->name : "-";
    kprintf("VMAP POOL %s 0x%08lx 0x%08lx %s\n", name, p->base, p->size,
            cfp_name(p->frame_pool));
    if (!vm_pool_is_live(p))
        return;
    for (int i = 0; i < vm_regions_count(p->regions); i++) {
        const struct vm_region *r = vm_regions_get(p->regions, i);
        kprintf("VMAP REGION %s 0x%08lx 0x%08lx %lu\n", name, r->start, r->size, r->flags);
    }
}

static int cmd_vmdump(int argc, char **argv)
{
    (void)argc, (void)argv;
    struct page_table *pt = paging_current();
    if (!paging_enabled() || pt == NULL) {
        kprintf("vmdump: paging is off: no address space to show\n");
        return 1;
    }
    kprintf("VMAP BEGIN 0x%08lx\n", pt->pd_frame << PAGE_SHIFT);
    for (const struct vm_pool *p = pt->pools; p != NULL; p = p->next)
        vmap_pool(p);
    for (uint32_t pdi = 0; pdi < PAGING_ENTRIES; pdi++) {
        pte_t pde = *paging_pde_ptr(pdi << PAGING_PDE_SHIFT);
        if (!pte_present(pde))
            continue;
        kprintf("VMAP PDE %lu 0x%08lx\n", (unsigned long)pdi, (unsigned long)pde);
        if (pdi != PAGING_RECURSIVE_SLOT)
            vmap_table(pdi);
    }
    kprintf("VMAP END\n");
    return 0;
}
MONITOR_COMMAND(vmdump, "", "the address space: directory, tables, VM pools and regions as VMAP lines "
                "(tools/memory_map.py)", cmd_vmdump);
