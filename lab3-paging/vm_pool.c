/* vm_pool.c: VM pools: lazy page-granular regions, legitimacy for the fault handler, release of mapped pages. */
#include <stddef.h>

#include "common/debug.h"
#include "common/format.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "vm_pool.h"

#define VM_POOL_MIN_SIZE (2 * PAGE_SIZE) /* bookkeeping page + one page */

static const char *pool_name(const struct vm_pool *pool)
{
    return pool->name != NULL && pool->name[0] ? pool->name : "(unnamed)";
}

/* Record and print a refused request. */
static void pool_refuse(struct vm_pool *pool, int err, const char *what,
                        unsigned long arg)
{
    pool->last_error = err;
    pool->errors++;
    kprintf("vm_pool %s: %s(0x%lx) refused: %s\n", pool_name(pool), what, arg,
            err <= VM_POOL_ERR_OVERLAP && err >= VM_POOL_ERR_NOT_POOL
                ? (err == VM_POOL_ERR_OVERLAP ? "overlaps another pool"
                   : err == VM_POOL_ERR_RANGE ? "range not allowed"
                                              : "not a pool")
                : vm_regions_strerror(err));
}

bool vm_pool_is_live(const struct vm_pool *pool)
{
    return pool != NULL && pool->magic == VM_POOL_MAGIC;
}

int vm_pool_init(struct vm_pool *pool, unsigned long base_address,
                 unsigned long size, struct cont_frame_pool *frame_pool,
                 struct page_table *pt)
{
    KASSERT(pool != NULL && frame_pool != NULL && pt != NULL);
    KASSERT(!vm_pool_is_live(pool));
    KASSERT(base_address % PAGE_SIZE == 0 && size % PAGE_SIZE == 0);
    KASSERT(size >= VM_POOL_MIN_SIZE);
    KASSERT(paging_enabled() && pt == paging_current());

    pool->name = pool->name ? pool->name : "";
    pool->last_error = 0;
    pool->errors = 0;
    if (base_address < paging_shared_size() || base_address + size < base_address ||
        base_address + size > PAGING_PT_WINDOW) {
        pool_refuse(pool, VM_POOL_ERR_RANGE, "init", base_address);
        return VM_POOL_ERR_RANGE;
    }
    enum intr_level old = intr_disable();
    for (struct vm_pool *p = pt->pools; p != NULL; p = p->next) {
        if (base_address < p->base + p->size && p->base < base_address + size) {
            intr_set_level(old);
            pool_refuse(pool, VM_POOL_ERR_OVERLAP, "init", base_address);
            return VM_POOL_ERR_OVERLAP;
        }
    }
    pool->base = base_address;
    pool->size = size;
    pool->frame_pool = frame_pool;
    pool->pt = pt;
    pool->regions = (struct vm_regions *)base_address;
    pool->next = NULL;
    page_table_register_pool(pt, pool);
    /* This write faults the bookkeeping page in: it is legitimate already. */
    vm_regions_init(pool->regions, PAGE_SIZE, base_address + PAGE_SIZE,
                    size - PAGE_SIZE, PAGE_SIZE);
    pool->magic = VM_POOL_MAGIC;
    intr_set_level(old);
    return VM_POOL_OK;
}

void vm_pool_set_name(struct vm_pool *pool, const char *name)
{
    KASSERT(pool != NULL);
    pool->name = name;
}

static unsigned long pool_allocate(struct vm_pool *pool, unsigned long size,
                                   unsigned long flags, const char *what)
{
    unsigned long start = 0;

    KASSERT(vm_pool_is_live(pool));
    enum intr_level old = intr_disable();
    int err = vm_regions_allocate(pool->regions, size, flags, &start);
    intr_set_level(old);
    if (err != VM_REGIONS_OK) {
        pool_refuse(pool, err, what, size);
        return 0;
    }
    return start;
}

unsigned long vm_pool_allocate(struct vm_pool *pool, unsigned long size)
{
    return pool_allocate(pool, size, 0, "allocate");
}

unsigned long vm_pool_allocate_guarded(struct vm_pool *pool, unsigned long size)
{
    if (size == 0 || size > pool->size) /* refused: zero, or too big */
        return pool_allocate(pool, size, 0, "allocate_guarded");
    return pool_allocate(pool, size + PAGE_SIZE, VM_REGION_GUARD,
                         "allocate_guarded");
}

int vm_pool_release(struct vm_pool *pool, unsigned long start_address)
{
    unsigned long size = 0;

    KASSERT(vm_pool_is_live(pool));
    enum intr_level old = intr_disable();
    int err = vm_regions_release(pool->regions, start_address, &size, NULL);
    if (err != VM_REGIONS_OK) {
        intr_set_level(old);
        pool_refuse(pool, err, "release", start_address);
        return err;
    }
    page_table_forget_fault_range(pool->pt); /* the region is no longer legitimate */
    /* LAB 3: TODO the region [start_address, start_address + size) is free
     * in the bookkeeping now: free each of its pages that is mapped
     * (page_table_is_mapped), and only those, with page_table_free_page
     * (it takes a page NUMBER, not an address). */
    /* LAB 3: BEGIN SOLUTION full */
    unsigned long first = start_address >> PAGE_SHIFT;
    unsigned long end = (start_address + size) >> PAGE_SHIFT;
    for (unsigned long page = first; page < end; page++)
        if (page_table_is_mapped(pool->pt, page))
            page_table_free_page(pool->pt, page);
    /* LAB 3: END SOLUTION */
    page_table_reclaim_tables(pool->pt, (uint32_t)start_address,
                              (uint32_t)(start_address + size));
    intr_set_level(old);
    return VM_POOL_OK;
}

bool vm_pool_is_legitimate(struct vm_pool *pool, unsigned long address)
{
    KASSERT(pool != NULL);
    if (address < pool->base || address - pool->base >= pool->size)
        return false;
    /* LAB 3: TODO the pool's first page (its bookkeeping) is always
     * legitimate, even before the pool is live (vm_pool_init faults it in);
     * any other address only if it lies in an allocated region
     * (vm_regions_is_allocated, which also rules out guard pages). A bounds
     * check alone is not enough. */
    /* LAB 3: BEGIN SOLUTION */
    if (address - pool->base < PAGE_SIZE)
        return true;
    if (!vm_pool_is_live(pool))
        return false;
    return vm_regions_is_allocated(pool->regions, address);
    /* LAB 3: END SOLUTION */
    return false;
}

bool vm_pool_legitimate_range(struct vm_pool *pool, unsigned long address,
                              unsigned long *lo, unsigned long *hi)
{
    KASSERT(pool != NULL && lo != NULL && hi != NULL);
    if (!vm_pool_is_live(pool))
        return false;
    int i = vm_regions_find(pool->regions, address); /* -1: outside the regions */
    if (i < 0)
        return false;
    const struct vm_region *r = vm_regions_get(pool->regions, i);
    if (!(r->flags & VM_REGION_ALLOCATED))
        return false;
    *lo = r->start + ((r->flags & VM_REGION_GUARD) ? PAGE_SIZE : 0);
    *hi = r->start + r->size;
    return address >= *lo;
}

int vm_pool_destroy(struct vm_pool *pool)
{
    if (!vm_pool_is_live(pool))
        return VM_POOL_ERR_NOT_POOL;
    enum intr_level old = intr_disable();
    for (;;) {
        int i, n = vm_regions_count(pool->regions);
        for (i = 0; i < n; i++)
            if (vm_regions_get(pool->regions, i)->flags & VM_REGION_ALLOCATED)
                break;
        if (i == n)
            break;
        int err = vm_pool_release(pool, vm_regions_get(pool->regions, i)->start);
        KASSERT(err == VM_POOL_OK);
    }
    pool->magic = 0;
    if (page_table_is_mapped(pool->pt, pool->base >> PAGE_SHIFT))
        page_table_free_page(pool->pt, pool->base >> PAGE_SHIFT);
    page_table_reclaim_tables(pool->pt, (uint32_t)pool->base,
                              (uint32_t)pool->base + PAGE_SIZE);
    page_table_unregister_pool(pool->pt, pool);
    intr_set_level(old);
    return VM_POOL_OK;
}

unsigned long vm_pool_mapped_pages(struct vm_pool *pool)
{
    unsigned long n = 0;

    KASSERT(pool != NULL);
    for (unsigned long a = pool->base; a - pool->base < pool->size; a += PAGE_SIZE) {
        struct page_walk w;
        page_table_walk(pool->pt, a, &w);
        if (!pte_present(w.pde)) { /* skip to the next table */
            a = (a | (PAGING_TABLE_SPAN - 1)) - PAGE_SIZE + 1;
            continue;
        }
        n += w.present;
    }
    return n;
}

void vm_pool_explain(struct vm_pool *pool, unsigned long address, char *buf,
                     size_t size)
{
    KASSERT(pool != NULL && buf != NULL && size > 0);
    if (address < pool->base || address - pool->base >= pool->size) {
        ksnprintf(buf, size, "outside VM pool %s", pool_name(pool));
        return;
    }
    if (!vm_pool_is_live(pool)) {
        ksnprintf(buf, size, "VM pool %s is not initialised", pool_name(pool));
        return;
    }
    int i = vm_regions_find(pool->regions, address);
    const struct vm_region *r = vm_regions_get(pool->regions, i);
    const char *kind = !(r->flags & VM_REGION_ALLOCATED) ? "a free region"
                       : (r->flags & VM_REGION_GUARD) && address - r->start < PAGE_SIZE
                           ? "the guard page of region"
                           : "allocated region";
    ksnprintf(buf, size, "in %s 0x%08lx-0x%08lx of VM pool %s (0x%08lx-0x%08lx)",
              kind, r->start, r->start + r->size - 1, pool_name(pool), pool->base,
              pool->base + pool->size - 1);
}

void vm_pool_print(struct vm_pool *pool)
{
    KASSERT(pool != NULL);
    kprintf("pool %-10s 0x%08lx-0x%08lx  %lu KiB, frames from %s, %lu pages mapped",
            pool_name(pool), pool->base, pool->base + pool->size - 1,
            pool->size / 1024, cfp_name(pool->frame_pool), vm_pool_mapped_pages(pool));
    if (!vm_pool_is_live(pool)) {
        kprintf(" (not live)\n");
        return;
    }
    const struct vm_regions *t = pool->regions;
    kprintf(", %d/%lu region slots\n", vm_regions_count(t), (unsigned long)t->capacity);
    kprintf("  0x%08lx-0x%08lx  bookkeeping\n", pool->base, pool->base + PAGE_SIZE - 1);
    for (int i = 0; i < vm_regions_count(t); i++) {
        const struct vm_region *r = vm_regions_get(t, i);
        unsigned long mapped = 0;
        if (r->flags & VM_REGION_ALLOCATED)
            for (unsigned long a = r->start; a - r->start < r->size; a += PAGE_SIZE)
                mapped += page_table_is_mapped(pool->pt, a >> PAGE_SHIFT);
        kprintf("  0x%08lx-0x%08lx  %s%s %lu KiB", r->start, r->start + r->size - 1,
                r->flags & VM_REGION_ALLOCATED ? "allocated" : "free",
                r->flags & VM_REGION_GUARD ? " (guard page first)" : "", r->size / 1024);
        if (r->flags & VM_REGION_ALLOCATED)
            kprintf(", %lu pages mapped", mapped);
        kprintf("\n");
    }
}
