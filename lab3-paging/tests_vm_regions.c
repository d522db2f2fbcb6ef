/* tests_vm_regions.c: lab 3 in-kernel tests of the region table (vm_regions) against a granule-by-granule model. */
#include "common/format.h"
#include "common/kstring.h"
#include "tests_support.h"
#include "vm_regions.h"

/*
 * The model keeps, for every granule of the managed range, which allocation
 * owns it (0: free) and that allocation's start, size and flags. The table
 * the model implies is unique: allocated regions as they were handed out,
 * free granules merged into maximal runs. After every operation the real
 * table must equal it slot by slot, with nothing read or written past its
 * count: a stale slot beyond the count must never be handed out.
 */

#define VR_GRANULE  0x1000ul
#define VR_LO       0x00100000ul
#define VR_GRANULES 48u
#define VR_SLOTS    6u
#define VR_STEPS    600u

struct vr_alloc {
    unsigned long start, size, flags;
};

static struct {
    struct vm_regions hdr;
    struct vm_region slots[VR_SLOTS];
} vr_buf;
static struct vm_regions *const vr = &vr_buf.hdr;
static unsigned char owner[VR_GRANULES];        /* allocation id + 1, 0 free */
static struct vr_alloc allocs[VR_GRANULES + 1]; /* by id + 1 */

static unsigned long g_addr(unsigned g) { return VR_LO + g * VR_GRANULE; }

static void vr_reset(void)
{
    memset(&vr_buf, 0xA5, sizeof vr_buf); /* garbage in every slot */
    vm_regions_init(vr, sizeof vr_buf, VR_LO, VR_GRANULES * VR_GRANULE, VR_GRANULE);
    memset(owner, 0, sizeof owner);
    memset(allocs, 0, sizeof allocs);
}

/* The regions the model implies, in order; returns their number. */
static unsigned model_regions(struct vm_region *out)
{
    unsigned n = 0;
    for (unsigned g = 0; g < VR_GRANULES;) {
        unsigned e = g + 1;
        if (owner[g] == 0) {
            while (e < VR_GRANULES && owner[e] == 0)
                e++;
            out[n++] = (struct vm_region){g_addr(g), (e - g) * VR_GRANULE, 0};
        } else {
            const struct vr_alloc *a = &allocs[owner[g]];
            e = g + (unsigned)(a->size / VR_GRANULE);
            out[n++] = (struct vm_region){a->start,
                                          a->size, VM_REGION_ALLOCATED | a->flags};
        }
        g = e;
    }
    return n;
}

/* The real table equals the model's, slot by slot, and its counters agree. */
static void vr_expect_model(const char *step)
{
    static struct vm_region want[VR_GRANULES];
    unsigned n = model_regions(want);
    unsigned long bytes = 0;
    int allocated = 0;
    const char *problem = vm_regions_check(vr);
    if (problem != NULL)
        KT_FAIL("after %s: the region table is unsound: %s", step, problem);
    if (vm_regions_count(vr) != (int)n)
        KT_FAIL("after %s: %d regions in the table, expected %u (allocated "
                "regions as handed out, free space merged)", step,
                vm_regions_count(vr), n);
    for (unsigned i = 0; i < n; i++) {
        const struct vm_region *r = vm_regions_get(vr, (int)i);
        if (r->start != want[i].start || r->size != want[i].size ||
            r->flags != want[i].flags)
            KT_FAIL("after %s: region %u is [0x%lx +0x%lx flags 0x%lx], expected "
                    "[0x%lx +0x%lx flags 0x%lx] (a split's free rest has flags "
                    "0; an allocated region keeps the flags it was given)", step,
                    i, r->start, r->size, r->flags, want[i].start, want[i].size,
                    want[i].flags);
        if (want[i].flags & VM_REGION_ALLOCATED) {
            bytes += want[i].size;
            allocated++;
        }
    }
    KT_ASSERT_EQ(vm_regions_allocated_bytes(vr), bytes);
    KT_ASSERT_EQ(vm_regions_allocated_count(vr), allocated);
}

/* What first fit must answer for SIZE bytes: the error, or OK and *START. */
static int model_allocate(unsigned long size, unsigned long *start)
{
    static struct vm_region r[VR_GRANULES];
    unsigned n = model_regions(r);
    size = (size + VR_GRANULE - 1) & ~(VR_GRANULE - 1);
    if (size == 0)
        return VM_REGIONS_ERR_ZERO;
    if (size > VR_GRANULES * VR_GRANULE)
        return VM_REGIONS_ERR_TOO_BIG;
    for (unsigned i = 0; i < n; i++) {
        if (r[i].flags != 0 || r[i].size < size)
            continue;
        if (r[i].size > size && n == VR_SLOTS)
            return VM_REGIONS_ERR_NO_SLOTS;
        *start = r[i].start;
        return VM_REGIONS_OK;
    }
    return VM_REGIONS_ERR_NO_SPACE;
}

static void vr_allocate(unsigned long size, unsigned long flags, const char *step)
{
    unsigned long want_start = 0, start = 0;
    int want = model_allocate(size, &want_start);
    int got = vm_regions_allocate(vr, size, flags, &start);
    if (got != want || (got == VM_REGIONS_OK && start != want_start))
        KT_FAIL("%s: allocate(0x%lx) gave %d (%s) at 0x%lx, expected %d (%s) at "
                "0x%lx (first fit over the regions in use, never a slot past "
                "the count)", step, size, got, vm_regions_strerror(got),
                got == VM_REGIONS_OK ? start : 0, want, vm_regions_strerror(want),
                want == VM_REGIONS_OK ? want_start : 0);
    if (got == VM_REGIONS_OK) {
        unsigned g0 = (unsigned)((start - VR_LO) / VR_GRANULE);
        unsigned long rounded = (size + VR_GRANULE - 1) & ~(VR_GRANULE - 1);
        allocs[g0 + 1] = (struct vr_alloc){start, rounded, flags};
        for (unsigned g = g0; g < g0 + rounded / VR_GRANULE; g++)
            owner[g] = (unsigned char)(g0 + 1);
    }
    vr_expect_model(step);
}

static void vr_release(unsigned g0, const char *step)
{
    const struct vr_alloc a = allocs[g0 + 1];
    unsigned long size = 0, flags = 0xDEAD;
    int got = vm_regions_release(vr, a.start, &size, &flags);
    if (got != VM_REGIONS_OK)
        KT_FAIL("%s: release(0x%lx) of a live region gave %d (%s)", step, a.start,
                got, vm_regions_strerror(got));
    if (size != a.size || flags != (VM_REGION_ALLOCATED | a.flags))
        KT_FAIL("%s: release(0x%lx) reported size 0x%lx flags 0x%lx, expected the "
                "region's size 0x%lx and flags 0x%lx", step, a.start, size, flags,
                a.size, VM_REGION_ALLOCATED | a.flags);
    for (unsigned g = g0; g < g0 + a.size / VR_GRANULE; g++)
        owner[g] = 0;
    vr_expect_model(step);
}

/* A merge leaves a copy of the last region in the slot past the count:
 * allocation must never take it. */
KTEST(vm_regions_never_past_count)
{
    const unsigned long all = VR_GRANULES * VR_GRANULE, head = 5 * VR_GRANULE;
    vr_reset();
    vr_allocate(head, 0, "allocate the head");
    vr_allocate(all - head, VM_REGION_GUARD, "allocate the rest exactly");
    vr_release(5, "release the rest");
    vr_release(0, "release the head (merges: the old slot 1 stays behind)");
    vr_allocate(all, 0, "allocate everything");
    vr_allocate(all - head, 0, "allocate with nothing free");
    vr_release(0, "release everything");
}

/* Random allocations (some with the guard flag) and releases against the
 * model, in a table of 6 slots, so that the table fills up, splits fail
 * for want of a slot, and merges happen on either side. */
KTEST(vm_regions_model_random)
{
    char step[48];
    vr_reset();
    for (unsigned s = 0; s < VR_STEPS; s++) {
        uint32_t r = tests_random();
        ksnprintf(step, sizeof step, "step %u", s);
        if (r % 3 != 0) {
            unsigned long size = (1 + (r >> 4) % 12) * VR_GRANULE - (r >> 8) % 3;
            vr_allocate(size, (r >> 12) & 1 ? VM_REGION_GUARD : 0, step);
        } else {
            unsigned g = (r >> 4) % VR_GRANULES, tries = 0;
            while (tries++ < VR_GRANULES &&
                   (owner[g] == 0 || allocs[owner[g]].start != g_addr(g)))
                g = (g + 1) % VR_GRANULES;
            if (owner[g] != 0 && allocs[owner[g]].start == g_addr(g))
                vr_release(g, step);
        }
    }
}
