/* vm_regions.c: a VM pool's region list: first-fit allocation, release with coalescing (pure). */
#include "common/debug.h"
#include "common/kstring.h"
#include "vm_regions.h"

size_t vm_regions_capacity_for(size_t table_bytes)
{
    if (table_bytes < sizeof(struct vm_regions))
        return 0;
    return (table_bytes - sizeof(struct vm_regions)) / sizeof(struct vm_region);
}

void vm_regions_init(struct vm_regions *t, size_t table_bytes, unsigned long lo,
                     unsigned long size, unsigned long granule)
{
    size_t cap = vm_regions_capacity_for(table_bytes);

    KASSERT(t != NULL && cap >= 2);
    KASSERT(granule > 0 && (granule & (granule - 1)) == 0);
    KASSERT(size > 0 && lo % granule == 0 && size % granule == 0);
    KASSERT(lo + size > lo); /* no wrap-around */
    t->magic = VM_REGIONS_MAGIC;
    t->capacity = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
    t->count = 1;
    t->granule = (uint32_t)granule;
    t->lo = lo;
    t->hi = lo + size;
    t->region[0].start = lo;
    t->region[0].size = size;
    t->region[0].flags = 0;
}

/* Make room at index I by shifting regions I.. one slot up (a slot must be free). */
static void insert_slot(struct vm_regions *t, uint32_t i)
{
    KASSERT(t->count < t->capacity && i <= t->count);
    memmove(&t->region[i + 1], &t->region[i],
            (t->count - i) * sizeof(struct vm_region));
    t->count++;
}

/* Remove the region at index I, shifting the later ones down. */
static void remove_slot(struct vm_regions *t, uint32_t i)
{
    KASSERT(i < t->count && t->count > 1);
    memmove(&t->region[i], &t->region[i + 1],
            (t->count - i - 1) * sizeof(struct vm_region));
    t->count--;
}

int vm_regions_allocate(struct vm_regions *t, unsigned long size,
                        unsigned long flags, unsigned long *start)
{
    KASSERT(t != NULL && t->magic == VM_REGIONS_MAGIC && start != NULL);
    KASSERT((flags & VM_REGION_ALLOCATED) == 0);
    if (size == 0)
        return VM_REGIONS_ERR_ZERO;
    if (size > t->hi - t->lo)
        return VM_REGIONS_ERR_TOO_BIG;
    size = (size + t->granule - 1) & ~(unsigned long)(t->granule - 1);
    (void)insert_slot;
    /* LAB 3: TODO first fit: find the lowest free region with at least SIZE
     * bytes. Take all of it if it is exactly SIZE; otherwise split it (the
     * allocated part first, the free rest after it), which needs a free
     * slot: return VM_REGIONS_ERR_NO_SLOTS if the table is full. Mark the
     * region VM_REGION_ALLOCATED | FLAGS, set *START, return VM_REGIONS_OK.
     * Nothing found: VM_REGIONS_ERR_NO_SPACE. Helpers: insert_slot(). */
    /* LAB 3: BEGIN SOLUTION full */
    for (uint32_t i = 0; i < t->count; i++) {
        struct vm_region *r = &t->region[i];
        if ((r->flags & VM_REGION_ALLOCATED) || r->size < size)
            continue;
        if (r->size > size) {
            if (t->count == t->capacity)
                return VM_REGIONS_ERR_NO_SLOTS;
            insert_slot(t, i + 1);
            r = &t->region[i];
            t->region[i + 1].start = r->start + size;
            t->region[i + 1].size = r->size - size;
            t->region[i + 1].flags = 0;
            r->size = size;
        }
        r->flags = VM_REGION_ALLOCATED | flags;
        *start = r->start;
        return VM_REGIONS_OK;
    }
    return VM_REGIONS_ERR_NO_SPACE;
    /* LAB 3: END SOLUTION */
    return VM_REGIONS_ERR_NO_SPACE;
}

int vm_regions_release(struct vm_regions *t, unsigned long start,
                       unsigned long *size, unsigned long *flags)
{
    KASSERT(t != NULL && t->magic == VM_REGIONS_MAGIC);
    if (start % t->granule != 0)
        return VM_REGIONS_ERR_UNALIGNED;
    int i = vm_regions_find(t, start);
    if (i < 0)
        return VM_REGIONS_ERR_OUTSIDE;
    (void)size, (void)flags, (void)remove_slot;
    /* LAB 3: TODO region I contains START. Refuse (and change nothing) if
     * it is free (VM_REGIONS_ERR_NOT_ALLOCATED: a double release) or does
     * not start at START (VM_REGIONS_ERR_NOT_START). Otherwise report its
     * size and flags through SIZE and FLAGS (either may be NULL), mark it
     * free, and merge it with a free neighbour on either side so that no
     * two free regions are ever adjacent. Helper: remove_slot(). */
    /* LAB 3: BEGIN SOLUTION full */
    uint32_t k = (uint32_t)i;
    struct vm_region *r = &t->region[k];
    if (!(r->flags & VM_REGION_ALLOCATED))
        return VM_REGIONS_ERR_NOT_ALLOCATED;
    if (r->start != start)
        return VM_REGIONS_ERR_NOT_START;
    if (size != NULL)
        *size = r->size;
    if (flags != NULL)
        *flags = r->flags;
    r->flags = 0;
    if (k + 1 < t->count && !(t->region[k + 1].flags & VM_REGION_ALLOCATED)) {
        r->size += t->region[k + 1].size;
        remove_slot(t, k + 1);
    }
    if (k > 0 && !(t->region[k - 1].flags & VM_REGION_ALLOCATED)) {
        t->region[k - 1].size += t->region[k].size;
        remove_slot(t, k);
    }
    return VM_REGIONS_OK;
    /* LAB 3: END SOLUTION */
    return VM_REGIONS_ERR_NOT_ALLOCATED;
}

int vm_regions_find(const struct vm_regions *t, unsigned long addr)
{
    KASSERT(t != NULL && t->magic == VM_REGIONS_MAGIC);
    if (addr < t->lo || addr >= t->hi)
        return -1;
    uint32_t lo = 0, hi = t->count; /* answer in [lo, hi) */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->region[mid].start <= addr)
            lo = mid;
        else
            hi = mid;
    }
    return (int)lo;
}

bool vm_regions_is_allocated(const struct vm_regions *t, unsigned long addr)
{
    int i = vm_regions_find(t, addr);
    if (i < 0)
        return false;
    const struct vm_region *r = &t->region[i];
    if (!(r->flags & VM_REGION_ALLOCATED))
        return false;
    if ((r->flags & VM_REGION_GUARD) && addr - r->start < t->granule)
        return false;
    return true;
}

const struct vm_region *vm_regions_get(const struct vm_regions *t, int i)
{
    KASSERT(t != NULL && i >= 0 && (uint32_t)i < t->count);
    return &t->region[i];
}

int vm_regions_count(const struct vm_regions *t)
{
    return (int)t->count;
}

unsigned long vm_regions_allocated_bytes(const struct vm_regions *t)
{
    unsigned long n = 0;
    for (uint32_t i = 0; i < t->count; i++)
        if (t->region[i].flags & VM_REGION_ALLOCATED)
            n += t->region[i].size;
    return n;
}

int vm_regions_allocated_count(const struct vm_regions *t)
{
    int n = 0;
    for (uint32_t i = 0; i < t->count; i++)
        n += (t->region[i].flags & VM_REGION_ALLOCATED) != 0;
    return n;
}

const char *vm_regions_check(const struct vm_regions *t)
{
    if (t == NULL || t->magic != VM_REGIONS_MAGIC)
        return "bad magic";
    if (t->count == 0 || t->count > t->capacity)
        return "count out of range";
    unsigned long expect = t->lo;
    for (uint32_t i = 0; i < t->count; i++) {
        const struct vm_region *r = &t->region[i];
        if (r->start != expect)
            return "regions do not tile the range (gap or overlap)";
        if (r->size == 0 || r->size % t->granule != 0)
            return "region size zero or not a multiple of the granule";
        if (i > 0 && !(r->flags & VM_REGION_ALLOCATED) &&
            !(t->region[i - 1].flags & VM_REGION_ALLOCATED))
            return "two adjacent free regions (not coalesced)";
        if (!(r->flags & VM_REGION_ALLOCATED) && r->flags != 0)
            return "free region with flags";
        expect = r->start + r->size;
    }
    if (expect != t->hi)
        return "regions do not reach the end of the range";
    return NULL;
}

const char *vm_regions_strerror(int err)
{
    switch (err) {
    case VM_REGIONS_OK: return "success";
    case VM_REGIONS_ERR_ZERO: return "size is zero";
    case VM_REGIONS_ERR_TOO_BIG: return "larger than the whole pool";
    case VM_REGIONS_ERR_NO_SPACE: return "no free region large enough";
    case VM_REGIONS_ERR_NO_SLOTS: return "out of region slots (bookkeeping page full)";
    case VM_REGIONS_ERR_OUTSIDE: return "address outside the pool";
    case VM_REGIONS_ERR_NOT_ALLOCATED:
        return "not an allocated region (double release, or never allocated)";
    case VM_REGIONS_ERR_NOT_START: return "not the start of an allocated region";
    case VM_REGIONS_ERR_UNALIGNED: return "address not page aligned";
    default: return "unknown error";
    }
}
