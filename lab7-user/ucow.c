/* ucow.c: copy-on-write fork (lab 7's challenge): per-frame reference counts of user pages, sharing at fork, the copy at the first write. */
#include <stddef.h>

#include "common/debug.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/kstring.h"
#include "common/x86.h"
#include "lab1-boot/cmdline.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab3-paging/kmalloc.h"
#include "kmap.h"
#include "lab3-paging/page_table.h"
#include "syscall_abi.h"
#include "ucow.h"

CMDLINE_KEY(fork, "fork=cow: fork shares pages copy-on-write (lab 7 challenge); fork=copy (default) copies them");

#define REF_MAX 255u /* a count is a byte: at most one entry per live address space */
_Static_assert(PROC_MAX < REF_MAX, "a frame's count must hold one entry per process");

static uint8_t *refs;              /* refs[f - ref_base]: the count of frame f */
static unsigned long ref_base, ref_frames;
static bool enabled;
static struct ucow_stats stats;

/* F's slot in the table (F must be a process-pool frame). */
static uint8_t *ref_of(unsigned long f)
{
    KASSERT(refs != NULL && f - ref_base < ref_frames);
    return &refs[f - ref_base];
}

void ucow_setup(void)
{
    struct cont_frame_pool *pool = paging_process_pool();
    ref_base = cfp_base_frame(pool);
    ref_frames = cfp_n_frames(pool);
    refs = kmalloc(ref_frames);
    if (refs == NULL)
        PANIC("ucow_setup: no memory for %lu reference counts", ref_frames);
    memset(refs, 0, ref_frames);
    const char *want = cmdline_get("fork");
    if (want != NULL && strcmp(want, "cow") == 0) {
        enabled = true;
        kprintf("lab7: fork=cow: fork shares pages copy-on-write\n");
    } else if (want != NULL && strcmp(want, "copy") != 0) {
        kprintf("lab7: fork=%s: unknown (cow or copy): fork copies every page\n", want);
    }
}

void ucow_ref_new(unsigned long f)
{
    enum intr_level old = intr_disable();
    uint8_t *r = ref_of(f);
    KASSERT(*r == 0);
    *r = 1;
    intr_set_level(old);
}

unsigned ucow_ref_drop(unsigned long f)
{
    enum intr_level old = intr_disable();
    uint8_t *r = ref_of(f);
    KASSERT(*r > 0);
    unsigned left = --*r;
    if (left == 0)
        cfp_release_frames(f);
    intr_set_level(old);
    return left;
}

unsigned ucow_ref_count(unsigned long f)
{
    return refs != NULL && f - ref_base < ref_frames ? refs[f - ref_base] : 0;
}

unsigned long ucow_ref_total(void)
{
    unsigned long sum = 0;
    enum intr_level old = intr_disable();
    for (unsigned long i = 0; i < ref_frames; i++)
        sum += refs[i];
    intr_set_level(old);
    return sum;
}

unsigned long ucow_frames_shared(void)
{
    unsigned long n = 0;
    enum intr_level old = intr_disable();
    for (unsigned long i = 0; i < ref_frames; i++)
        n += refs[i] >= 2;
    intr_set_level(old);
    return n;
}

bool ucow_enabled(void)
{
    return enabled;
}

bool ucow_set_enabled(bool on)
{
    bool was = enabled;
    enabled = on;
    return was;
}

void ucow_get_stats(struct ucow_stats *out)
{
    enum intr_level old = intr_disable();
    *out = stats;
    intr_set_level(old);
}

int ucow_share(uint32_t *parent, uint32_t va, uint32_t *child)
{
    KASSERT(intr_get_level() == INTR_OFF && pte_present(*parent));
    /* LAB 7: TODO (challenge: copy-on-write fork) share the page: a
     * writable entry becomes read-only and PTE_COW (drop the parent's TLB
     * entry), the child gets the same entry, the frame's count goes up.
     * Until then this says -E_NOSYS and fork copies the page. */
    /* LAB 7: BEGIN SOLUTION challenge */
    uint32_t e = *parent;
    if (e & PTE_WRITABLE) {
        e = (e & ~PTE_WRITABLE) | PTE_COW;
        *parent = e;
        invlpg(va);
    }
    uint8_t *r = ref_of(pte_frame(e));
    KASSERT(*r > 0 && *r < REF_MAX);
    (*r)++;
    *child = e;
    stats.shared++;
    return 0;
    /* LAB 7: END SOLUTION */
    (void)va, (void)child;
    return -E_NOSYS;
}

int ucow_break(uint32_t *pd, uint32_t va)
{
    va &= ~PAGE_MASK;
    /* loaded: its recursive entry names the directory CR3 holds */
    KASSERT((read_cr3() & PTE_FRAME_MASK) == (pd[PAGING_RECURSIVE_SLOT] & PTE_FRAME_MASK));
    uint32_t pde = pd[va >> PAGING_PDE_SHIFT];
    if (va < USER_LO || va >= USER_HI || !pte_present(pde))
        return -E_FAULT;
    /* LAB 7: TODO (challenge: copy-on-write fork) if the entry at VA has
     * PTE_COW: a frame no other entry maps is made writable again; a shared
     * one is copied into a new frame (the process pool), which the entry
     * then maps writable; counts and the TLB entry follow. A frame taken
     * but not needed goes back. */
    /* LAB 7: BEGIN SOLUTION challenge */
    unsigned long copy = 0;
    for (;;) {
        enum intr_level old = intr_disable();
        uint32_t *e = (uint32_t *)kmap(KMAP_TABLE, pte_frame(pde)) + paging_pt_index(va);
        uint32_t pte = *e;
        int rc = 1; /* 1: a frame is needed first */
        if (!pte_present(pte) || !(pte & PTE_COW)) {
            rc = -E_FAULT;
        } else if (ucow_ref_count(pte_frame(pte)) == 1) {
            *e = (pte | PTE_WRITABLE) & ~PTE_COW;
            stats.reuses++;
            rc = 0;
        } else if (copy != 0) {
            memcpy(kmap(KMAP_DATA, copy), (const void *)va, PAGE_SIZE);
            kunmap(KMAP_DATA);
            *e = pte_make_frame(copy, (pte_flags(pte) | PTE_WRITABLE) & ~PTE_COW);
            ucow_ref_new(copy);
            ucow_ref_drop(pte_frame(pte));
            stats.copies++;
            copy = 0;
            rc = 0;
        }
        kunmap(KMAP_TABLE);
        if (rc == 0)
            invlpg(va);
        intr_set_level(old);
        if (rc != 1) {
            if (copy != 0)
                cfp_release_frames(copy); /* the count dropped to 1 meanwhile */
            return rc;
        }
        copy = cfp_get_frames(paging_process_pool(), 1);
        if (copy == 0)
            return -E_NOMEM;
    }
    /* LAB 7: END SOLUTION */
    return -E_NOSYS;
}
