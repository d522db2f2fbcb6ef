/* page_table.c: page directories, the identity tables, the recursive window, mapping and freeing pages. */
#include <stddef.h>

#include "common/debug.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/kstring.h"
#include "common/x86.h"
#include "lab1-boot/intr.h"
#include "lab2-frames/phys_mem.h"
#include "page_table.h"
#include "vm_pool.h"

#define PAGING_MAX_SHARED_TABLES 4 /* identity range of at most 16 MiB */

static struct cont_frame_pool *kernel_pool;  /* directories, identity tables */
static struct cont_frame_pool *process_pool; /* every other page table */
static unsigned long shared_size;            /* bytes identity-mapped */
static unsigned long shared_tables[PAGING_MAX_SHARED_TABLES]; /* their frames */
static unsigned long n_shared_tables;

static struct page_table tables[PAGING_MAX_TABLES];
static struct { uint32_t start, end; } pinned[PAGING_MAX_PINNED]; /* never reclaimed */
static unsigned n_pinned;
static struct page_table *current_pt;
static bool paging_on;
static struct paging_stats stats;

struct paging_stats *paging_stats_mut(void) { return &stats; }
const struct paging_stats *paging_get_stats(void) { return &stats; }
unsigned long paging_demand_faults(void) { return stats.demand_faults; }
bool paging_enabled(void) { return paging_on && (read_cr0() & CR0_PG); }
struct page_table *paging_current(void) { return current_pt; }
struct cont_frame_pool *paging_kernel_pool(void) { return kernel_pool; }
struct cont_frame_pool *paging_process_pool(void) { return process_pool; }
unsigned long paging_shared_size(void) { return shared_size; }

/* A frame from the kernel pool that the identity mapping covers. */
static unsigned long kernel_frame(void)
{
    unsigned long f = cfp_get_frames(kernel_pool, 1);
    if (f != 0)
        KASSERT((f << PAGE_SHIFT) + PAGE_SIZE <= shared_size);
    return f;
}

void paging_init(struct cont_frame_pool *kpool, struct cont_frame_pool *ppool,
                 unsigned long shared)
{
    KASSERT(kpool != NULL && ppool != NULL && kpool != ppool);
    KASSERT(shared > 0 && shared % PAGING_TABLE_SPAN == 0);
    KASSERT(shared / PAGING_TABLE_SPAN <= PAGING_MAX_SHARED_TABLES);
    KASSERT(!paging_on && kernel_pool == NULL);

    kernel_pool = kpool;
    process_pool = ppool;
    shared_size = shared;
    n_shared_tables = shared / PAGING_TABLE_SPAN;
    for (unsigned long i = 0; i < n_shared_tables; i++) {
        unsigned long frame = kernel_frame();
        if (frame == 0)
            PANIC("paging_init: kernel frame pool empty");
        pte_t *table = phys_to_ptr(frame << PAGE_SHIFT);
        memset(table, 0, PAGE_SIZE);
        /* LAB 3: TODO fill identity table I: entry J maps virtual
         * I*4MiB + J*4KiB to the same physical address, present, writable,
         * supervisor only (no PTE_USER). */
        /* LAB 3: BEGIN SOLUTION */
        for (uint32_t j = 0; j < PAGING_ENTRIES; j++)
            table[j] = pte_make(i * PAGING_TABLE_SPAN + j * PAGE_SIZE, PTE_PRESENT | PTE_WRITABLE);
        /* LAB 3: END SOLUTION */
        shared_tables[i] = frame;
    }
    exception_register(VEC_PAGE_FAULT, paging_fault_handler);
    exception_set_describe_hook(paging_describe_address);
}

struct page_table *page_table_create(void)
{
    struct page_table *pt = NULL;

    KASSERT(kernel_pool != NULL);
    enum intr_level old = intr_disable();
    for (int i = 0; i < PAGING_MAX_TABLES && pt == NULL; i++)
        if (!tables[i].in_use)
            pt = &tables[i];
    if (pt == NULL) {
        intr_set_level(old);
        kprintf("paging: page_table_create: all %d page tables in use\n",
                PAGING_MAX_TABLES);
        return NULL;
    }
    unsigned long pd_frame = kernel_frame();
    if (pd_frame == 0) {
        intr_set_level(old);
        kprintf("paging: page_table_create: kernel frame pool empty\n");
        return NULL;
    }
    pt->in_use = true;
    pt->pd_frame = pd_frame;
    pt->pools = NULL;
    page_table_forget_fault_range(pt);
    intr_set_level(old);

    pte_t *pd = phys_to_ptr(pd_frame << PAGE_SHIFT); /* identity-mapped */
    memset(pd, 0, PAGE_SIZE);
    /* LAB 3: TODO point the first n_shared_tables entries at the shared
     * identity tables (shared_tables[i] are frame numbers), and entry
     * PAGING_RECURSIVE_SLOT at the directory itself. Flags: present,
     * writable, supervisor. */
    /* LAB 3: BEGIN SOLUTION */
    for (unsigned long i = 0; i < n_shared_tables; i++)
        pd[i] = pte_make_frame(shared_tables[i], PTE_PRESENT | PTE_WRITABLE);
    pd[PAGING_RECURSIVE_SLOT] = pte_make_frame(pd_frame, PTE_PRESENT | PTE_WRITABLE);
    /* LAB 3: END SOLUTION */
    return pt;
}

void page_table_load(struct page_table *pt)
{
    KASSERT(pt != NULL && pt->in_use);
    current_pt = pt;
    /* LAB 3: TODO load the directory's physical address into CR3. */
    /* LAB 3: BEGIN SOLUTION */
    write_cr3((uint32_t)(pt->pd_frame << PAGE_SHIFT));
    /* LAB 3: END SOLUTION */
}

void paging_enable(void)
{
    KASSERT(current_pt != NULL && !paging_on);
    /* LAB 3: TODO set CR0.PG (and CR0.WP, so that the kernel honours
     * read-only pages too). */
    /* LAB 3: BEGIN SOLUTION */
    write_cr0(read_cr0() | CR0_PG | CR0_WP);
    /* LAB 3: END SOLUTION */
    paging_on = true;
}

void page_table_register_pool(struct page_table *pt, struct vm_pool *pool)
{
    KASSERT(pt != NULL && pool != NULL);
    enum intr_level old = intr_disable();
    for (struct vm_pool *p = pt->pools; p != NULL; p = p->next)
        KASSERT(p != pool);
    pool->next = pt->pools;
    pt->pools = pool;
    intr_set_level(old);
}

void page_table_unregister_pool(struct page_table *pt, struct vm_pool *pool)
{
    KASSERT(pt != NULL && pool != NULL);
    enum intr_level old = intr_disable();
    struct vm_pool **link = &pt->pools;
    while (*link != NULL && *link != pool)
        link = &(*link)->next;
    KASSERT(*link == pool);
    *link = pool->next;
    pool->next = NULL;
    page_table_forget_fault_range(pt);
    intr_set_level(old);
}

struct vm_pool *page_table_pool_at(struct page_table *pt, vaddr_t va)
{
    KASSERT(pt != NULL);
    for (struct vm_pool *p = pt->pools; p != NULL; p = p->next)
        if (va >= p->base && va - p->base < p->size)
            return p;
    return NULL;
}

/* The directory of PT, readable now: the window if PT is live, else the
 * identity-mapped frame. */
static const volatile pte_t *directory_of(struct page_table *pt)
{
    if (paging_enabled() && pt == current_pt)
        return (const volatile pte_t *)PAGING_PD_WINDOW;
    return phys_to_ptr(pt->pd_frame << PAGE_SHIFT);
}

void page_table_walk(struct page_table *pt, vaddr_t vaddr, struct page_walk *w)
{
    KASSERT(pt != NULL && w != NULL);
    memset(w, 0, sizeof *w);
    w->vaddr = vaddr;
    w->pde = directory_of(pt)[paging_pd_index(vaddr)];
    w->table_reachable = true;
    if (!pte_present(w->pde))
        return;
    const volatile pte_t *table;
    if (paging_enabled() && pt == current_pt)
        table = paging_table_window(vaddr);
    else if (pte_addr(w->pde) < shared_size)
        table = phys_to_ptr(pte_addr(w->pde));
    else {
        w->table_reachable = false;
        return;
    }
    w->pte = table[paging_pt_index(vaddr)];
    w->present = pte_present(w->pte);
    w->frame = pte_frame(w->pte);
}

bool page_table_is_mapped(struct page_table *pt, unsigned long page_no)
{
    struct page_walk w;
    page_table_walk(pt, (vaddr_t)page_no << PAGE_SHIFT, &w);
    return w.present;
}

/* Preconditions of every change to the live tables at VA. */
static void check_live(struct page_table *pt, vaddr_t va)
{
    KASSERT(paging_enabled() && pt != NULL && pt == current_pt);
    KASSERT(va >= shared_size && va < PAGING_PT_WINDOW);
}

bool paging_ensure_table(vaddr_t va)
{
    check_live(current_pt, va);
    volatile pte_t *pde = paging_pde_ptr(va);
    if (pte_present(*pde))
        return true;
    /* LAB 3: TODO the directory entry for VA is missing: take a frame from
     * the PROCESS pool (process_pool; 0 means none left: log a "paging: "
     * line naming VA and return false), install it in *pde (present,
     * writable), then zero the new table through the recursive window
     * (paging_table_window(va)): its frame is not identity-mapped. */
    /* LAB 3: BEGIN SOLUTION */
    unsigned long frame = cfp_get_frames(process_pool, 1);
    if (frame == 0) {
        kprintf("paging: no frame left in the process pool for the page "
                "table of 0x%08lx\n", (unsigned long)va);
        return false;
    }
    *pde = pte_make_frame(frame, PTE_PRESENT | PTE_WRITABLE);
    pte_t *table = paging_table_window(va);
    invlpg((uint32_t)table); /* a stale window entry from an older table */
    memset(table, 0, PAGE_SIZE);
    stats.tables_created++;
    return true;
    /* LAB 3: END SOLUTION */
    kprintf("paging: paging_ensure_table() is not written yet (lab 3)\n");
    return false;
}

bool page_table_map(struct page_table *pt, vaddr_t vaddr, unsigned long frame_no,
                    uint32_t flags)
{
    check_live(pt, vaddr);
    KASSERT((vaddr & PAGE_MASK) == 0 && (flags & PTE_FRAME_MASK) == 0);
    KASSERT(frame_no != 0 && frame_no < CFP_MAX_FRAME_NO);
    enum intr_level old = intr_disable();
    bool ok = paging_ensure_table(vaddr);
    if (ok) {
        volatile pte_t *pte = paging_pte_ptr(vaddr);
        KASSERT(!pte_present(*pte));
        *pte = pte_make_frame(frame_no, flags | PTE_PRESENT);
    }
    intr_set_level(old);
    return ok;
}

void page_table_unmap(struct page_table *pt, vaddr_t vaddr)
{
    check_live(pt, vaddr);
    enum intr_level old = intr_disable();
    if (!page_table_is_mapped(pt, paging_page_no(vaddr)))
        PANIC("page_table_unmap: 0x%08lx is not mapped", (unsigned long)vaddr);
    *paging_pte_ptr(vaddr) = 0;
    invlpg(vaddr);
    intr_set_level(old);
}

void page_table_free_page(struct page_table *pt, unsigned long page_no)
{
    KASSERT(page_no < (PAGING_PT_WINDOW >> PAGE_SHIFT));
    vaddr_t va = page_no << PAGE_SHIFT;
    check_live(pt, va);
    enum intr_level old = intr_disable();
    if (!page_table_is_mapped(pt, page_no))
        PANIC("page_table_free_page: page 0x%05lx (address 0x%08lx) is not "
              "mapped: only mapped pages may be freed", page_no,
              (unsigned long)va);
    /* LAB 3: TODO read the entry through the window (paging_pte_ptr), clear
     * it, drop the stale translation from the TLB (invlpg), and only then
     * give the frame back (cfp_release_frames; if it fails, log a
     * "paging: " line naming VA). */
    /* LAB 3: BEGIN SOLUTION */
    volatile pte_t *pte = paging_pte_ptr(va);
    unsigned long frame = pte_frame(*pte);
    *pte = 0;
    invlpg(va);
    int err = cfp_release_frames(frame);
    if (err != CFP_OK)
        kprintf("paging: freeing 0x%08lx: frame 0x%lx: %s\n", (unsigned long)va,
                frame, cfp_strerror(err));
    /* LAB 3: END SOLUTION */
    stats.pages_freed++;
    intr_set_level(old);
}

void paging_pin_tables(uint32_t start, uint32_t end)
{
    KASSERT(start < end);
    if (n_pinned == PAGING_MAX_PINNED)
        PANIC("paging_pin_tables: more than %d pinned ranges", PAGING_MAX_PINNED);
    pinned[n_pinned].start = start;
    pinned[n_pinned].end = end;
    n_pinned++;
}

/* True if the page table of directory index I is pinned (paging_pin_tables). */
static bool table_pinned(uint32_t i)
{
    for (unsigned k = 0; k < n_pinned; k++)
        if (i >= paging_pd_index(pinned[k].start) && i <= paging_pd_index(pinned[k].end - 1))
            return true;
    return false;
}

unsigned long page_table_reclaim_tables(struct page_table *pt, vaddr_t start,
                                        vaddr_t end)
{
    unsigned long freed = 0;

    KASSERT(start < end);
    check_live(pt, start);
    check_live(pt, end - 1);
    enum intr_level old = intr_disable();
    for (unsigned long i = paging_pd_index(start); i <= paging_pd_index(end - 1); i++) {
        vaddr_t va = i << PAGING_PDE_SHIFT;
        volatile pte_t *pde = paging_pde_ptr(va);
        if (!pte_present(*pde) || table_pinned(i))
            continue;
        const pte_t *table = paging_table_window(va);
        uint32_t j = 0;
        while (j < PAGING_ENTRIES && table[j] == 0)
            j++;
        if (j < PAGING_ENTRIES)
            continue; /* still maps something */
        unsigned long frame = pte_frame(*pde);
        *pde = 0;
        invlpg((uint32_t)table); /* the window page that showed this table */
        int err = cfp_release_frames(frame);
        if (err != CFP_OK)
            kprintf("paging: freeing the page table of 0x%08lx: %s\n",
                    (unsigned long)va, cfp_strerror(err));
        stats.tables_freed++;
        freed++;
    }
    intr_set_level(old);
    return freed;
}
