/* vm_regions.h: a VM pool's region list: sorted, gap-free, coalescing (pure, host-testable). */
#ifndef LAB3_VM_REGIONS_H
#define LAB3_VM_REGIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A region table describes the address range [lo, hi) of a VM pool as a
 * sorted array of regions that tile it without gaps: each region is either
 * allocated or free, and no two free regions are adjacent (release merges
 * them). The table lives in memory the caller provides (a VM pool's first
 * page) and holds at most `capacity` regions: allocating with a split needs
 * one more slot, and fails with VM_REGIONS_ERR_NO_SLOTS when none is left;
 * releasing never needs a slot.
 *
 * Addresses are plain numbers here: nothing is dereferenced except the
 * table itself, so host unit tests drive it with made-up ranges.
 * Sizes and addresses are multiples of granule (the page size in the
 * kernel). Not thread-safe: the caller serialises (vm_pool disables
 * interrupts). Never sleeps, never logs: callers print vm_regions_strerror().
 */

#define VM_REGIONS_MAGIC 0x52474E53u /* "SNGR" */

/* Region flags. */
#define VM_REGION_ALLOCATED 0x1u
#define VM_REGION_GUARD     0x2u /* allocated with a guard page at its start */

/* Errors (0 = success); state is unchanged on every error. */
#define VM_REGIONS_OK 0
#define VM_REGIONS_ERR_ZERO (-1)          /* allocate 0 bytes */
#define VM_REGIONS_ERR_TOO_BIG (-2)       /* larger than the whole range */
#define VM_REGIONS_ERR_NO_SPACE (-3)      /* no free region large enough */
#define VM_REGIONS_ERR_NO_SLOTS (-4)      /* table full: cannot split */
#define VM_REGIONS_ERR_OUTSIDE (-5)       /* release: address outside [lo, hi) */
#define VM_REGIONS_ERR_NOT_ALLOCATED (-6) /* release: in a free region (double release?) */
#define VM_REGIONS_ERR_NOT_START (-7)     /* release: inside a region, not its start */
#define VM_REGIONS_ERR_UNALIGNED (-8)     /* size/address not a multiple of granule */

struct vm_region {
    unsigned long start; /* first address */
    unsigned long size;  /* bytes, a multiple of the granule, > 0 */
    unsigned long flags; /* VM_REGION_* */
};

struct vm_regions {
    uint32_t magic;         /* VM_REGIONS_MAGIC once initialised */
    uint32_t capacity;      /* slots in region[] */
    uint32_t count;         /* slots in use, >= 1 */
    uint32_t granule;       /* allocation unit (bytes, power of two) */
    unsigned long lo, hi;   /* managed range */
    struct vm_region region[]; /* sorted by start, tiling [lo, hi) */
};

/* Slots a table of TABLE_BYTES bytes holds (0 if too small for the header). */
size_t vm_regions_capacity_for(size_t table_bytes);

/* Initialise the table at T (TABLE_BYTES bytes of caller memory) to manage
 * [LO, LO + SIZE) as one free region. GRANULE: power of two; LO and SIZE
 * multiples of it; SIZE > 0; room for at least 2 slots (KASSERT). */
void vm_regions_init(struct vm_regions *t, size_t table_bytes, unsigned long lo,
                     unsigned long size, unsigned long granule);

/* Allocate SIZE bytes (rounded up to the granule) first-fit: the lowest free
 * region that is large enough is taken, split if larger. FLAGS: extra
 * VM_REGION_* flags (VM_REGION_GUARD) stored with the region. On success
 * *START gets the first address and VM_REGIONS_OK is returned; otherwise a
 * VM_REGIONS_ERR_* and nothing changes. */
int vm_regions_allocate(struct vm_regions *t, unsigned long size,
                        unsigned long flags, unsigned long *start);

/* Release the allocated region that starts exactly at START; merge it with
 * free neighbours. *SIZE (if non-NULL) gets the region's size, *FLAGS (if
 * non-NULL) its flags. Returns VM_REGIONS_OK or ERR_OUTSIDE, ERR_NOT_ALLOCATED
 * (double release or never allocated), ERR_NOT_START, ERR_UNALIGNED;
 * nothing changes on error. */
int vm_regions_release(struct vm_regions *t, unsigned long start,
                       unsigned long *size, unsigned long *flags);

/* Index of the region containing ADDR, or -1 if ADDR is outside [lo, hi).
 * O(log count). */
int vm_regions_find(const struct vm_regions *t, unsigned long addr);

/* True if ADDR lies in an allocated region (and not in its guard page). */
bool vm_regions_is_allocated(const struct vm_regions *t, unsigned long addr);

/* Region I (0 <= I < count). */
const struct vm_region *vm_regions_get(const struct vm_regions *t, int i);

/* Number of regions in use / bytes allocated / allocated regions. */
int vm_regions_count(const struct vm_regions *t);
unsigned long vm_regions_allocated_bytes(const struct vm_regions *t);
int vm_regions_allocated_count(const struct vm_regions *t);

/* Check every invariant (sorted, tiling, no adjacent free, sizes aligned);
 * returns NULL if the table is sound, else a description of the first
 * violation. For tests and assertions. */
const char *vm_regions_check(const struct vm_regions *t);

/* Short text for a VM_REGIONS_* code. */
const char *vm_regions_strerror(int err);

#endif
