/* monitor_vm.c: monitor commands pt, pools, touch, faults, valloc, vfree (linked into labs 3-6). */
#include <stddef.h>

#include "common/format.h"
#include "common/kprintf.h"
#include "common/kstring.h"
#include "lab1-boot/monitor.h"
#include "vm.h"

/* Parse a number (0x... hex, else decimal); false with a message if bad. */
static bool parse_number(const char *s, unsigned long *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 0);
    if (*s == '\0' || *end != '\0') {
        kprintf("not a number: '%s'\n", s);
        return false;
    }
    *out = v;
    return true;
}

/* "P W S A D" style flags of an entry, into BUF. */
static const char *entry_flags(pte_t e, char *buf, size_t n)
{
    ksnprintf(buf, n, "%s %s %s%s%s%s%s%s", e & PTE_PRESENT ? "P" : "-",
              e & PTE_WRITABLE ? "W" : "R", e & PTE_USER ? "U" : "S",
              e & PTE_ACCESSED ? " A" : "", e & PTE_DIRTY ? " D" : "",
              e & PTE_GLOBAL ? " G" : "", e & PTE_WRITE_THROUGH ? " PWT" : "",
              e & PTE_CACHE_DISABLE ? " PCD" : "");
    return buf;
}

/* Name of the frame pool holding FRAME, or "no pool". */
static const char *frame_owner(unsigned long frame)
{
    struct cont_frame_pool *p = cfp_find_pool(frame);
    return p != NULL ? cfp_name(p) : "no pool";
}

static bool need_paging(void)
{
    if (paging_kernel_pt() != NULL && paging_enabled())
        return true;
    kprintf("paging is not enabled (lab 3 not done yet?)\n");
    return false;
}

/* Print the walk of ADDR in the loaded page table. */
static void print_walk(vaddr_t addr)
{
    struct page_walk w;
    char f[40];

    page_table_walk(paging_current(), addr, &w);
    kprintf("0x%08lx: PDE[%lu] at 0x%08lx = 0x%08lx (%s)", (unsigned long)addr,
            (unsigned long)paging_pd_index(addr),
            (unsigned long)(uintptr_t)paging_pde_ptr(addr), (unsigned long)w.pde,
            entry_flags(w.pde, f, sizeof f));
    if (!pte_present(w.pde)) {
        kprintf(": no page table\n");
        return;
    }
    kprintf(", table in frame 0x%lx (%s)\n", pte_frame(w.pde), frame_owner(pte_frame(w.pde)));
    kprintf("            PTE[%lu] at 0x%08lx = 0x%08lx (%s)",
            (unsigned long)paging_pt_index(addr),
            (unsigned long)(uintptr_t)paging_pte_ptr(addr), (unsigned long)w.pte,
            entry_flags(w.pte, f, sizeof f));
    if (w.present)
        kprintf(" -> frame 0x%lx (%s), physical 0x%08lx\n", w.frame,
                frame_owner(w.frame),
                (unsigned long)((w.frame << PAGE_SHIFT) | (addr & PAGE_MASK)));
    else
        kprintf(": not mapped\n");
}

static int cmd_pt(int argc, char **argv)
{
    unsigned long addr;
    if (argc != 2) {
        kprintf("usage: pt ADDR\n");
        return 1;
    }
    if (!parse_number(argv[1], &addr) || !need_paging())
        return 1;
    print_walk((uint32_t)addr);
    return 0;
}
MONITOR_COMMAND(pt, "ADDR", "walk the page tables for ADDR: PDE, PTE, flags, frame", cmd_pt);

static int cmd_pools(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (vm_heap_pool() == NULL)
        kprintf("heap: not set up (paging is off)\n");
    if (!need_paging())
        return 1;
    for (struct vm_pool *p = paging_current()->pools; p != NULL; p = p->next)
        vm_pool_print(p);
    return 0;
}
MONITOR_COMMAND(pools, "", "list the VM pools (heap, ...) and their regions", cmd_pools);

static int cmd_touch(int argc, char **argv)
{
    unsigned long addr;
    if (argc != 2) {
        kprintf("usage: touch ADDR\n");
        return 1;
    }
    if (!parse_number(argv[1], &addr) || !need_paging())
        return 1;
    struct page_table *pt = paging_current();
    if (page_table_is_mapped(pt, addr >> PAGE_SHIFT)) {
        kprintf("0x%08lx is already mapped\n", addr);
        print_walk((uint32_t)addr);
        return 0;
    }
    /* Refuse rather than fault: outside a test, an illegitimate fault panics. */
    struct vm_pool *pool = addr < PAGING_PT_WINDOW ? page_table_pool_at(pt, (uint32_t)addr) : NULL;
    if (pool == NULL || !vm_pool_is_legitimate(pool, addr)) {
        char why[160];
        if (pool != NULL)
            vm_pool_explain(pool, addr, why, sizeof why);
        else
            strlcpy(why, "not inside any VM pool", sizeof why);
        kprintf("refusing to touch 0x%08lx: %s; it would be an illegitimate page "
                "fault\n", addr, why);
        return 1;
    }
    unsigned long before = paging_demand_faults();
    (void)*(volatile const char *)addr; /* the demand fault happens here */
    kprintf("touched 0x%08lx: %lu demand fault(s)\n", addr,
            paging_demand_faults() - before);
    print_walk((uint32_t)addr);
    return 0;
}
MONITOR_COMMAND(touch, "ADDR", "read ADDR to fault its page in (legitimate addresses only)", cmd_touch);

static int cmd_faults(int argc, char **argv)
{
    (void)argc, (void)argv;
    const struct paging_stats *s = paging_get_stats();
    kprintf("demand faults: %lu\n", s->demand_faults);
    kprintf("page tables created: %lu, freed: %lu; pages freed: %lu\n",
            s->tables_created, s->tables_freed, s->pages_freed);
    kprintf("illegitimate faults reported: %lu\n", s->bad_faults);
    if (paging_last_report()[0])
        kprintf("last report: %s\n", paging_last_report());
    return 0;
}
MONITOR_COMMAND(faults, "", "count demand page faults and page-table activity", cmd_faults);

/* Regions made by valloc: vfree releases only these (never a kmalloc arena). */
#define VALLOC_MAX 16
static unsigned long valloc_regions[VALLOC_MAX];

static int cmd_valloc(int argc, char **argv)
{
    unsigned long size;
    int slot = 0;
    if (argc != 2) {
        kprintf("usage: valloc SIZE\n");
        return 1;
    }
    if (!parse_number(argv[1], &size) || !need_paging() || vm_heap_pool() == NULL)
        return 1;
    while (slot < VALLOC_MAX && valloc_regions[slot] != 0)
        slot++;
    if (slot == VALLOC_MAX) {
        kprintf("valloc: %d regions already; vfree one first\n", VALLOC_MAX);
        return 1;
    }
    unsigned long a = vm_pool_allocate(vm_heap_pool(), size);
    if (a == 0)
        return 1;
    valloc_regions[slot] = a;
    kprintf("region at 0x%08lx (nothing mapped until touched)\n", a);
    return 0;
}
MONITOR_COMMAND(valloc, "SIZE", "allocate a region of the heap pool (lazy)", cmd_valloc);

static int cmd_vfree(int argc, char **argv)
{
    unsigned long addr;
    if (argc != 2) {
        kprintf("usage: vfree ADDR\n");
        return 1;
    }
    if (!parse_number(argv[1], &addr) || !need_paging() || vm_heap_pool() == NULL)
        return 1;
    for (int i = 0; i < VALLOC_MAX; i++) {
        if (valloc_regions[i] == addr && addr != 0) {
            valloc_regions[i] = 0;
            return vm_pool_release(vm_heap_pool(), addr) == VM_POOL_OK ? 0 : 1;
        }
    }
    kprintf("vfree: 0x%08lx is not a region made by valloc\n", addr);
    return 1;
}
MONITOR_COMMAND(vfree, "ADDR", "release a region made by valloc", cmd_vfree);
