/* uvm.c: process address spaces: directories sharing the kernel part, user pages through kmap, demand faults, mem_alloc regions. */
#include <stddef.h>

#include "common/debug.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/kstring.h"
#include "common/x86.h"
#include "lab2-frames/phys_mem.h"
#include "lab3-paging/kmalloc.h"
#include "lab3-paging/page_table.h"
#include "lab3-paging/vm.h"
#include "kmap.h"
#include "lab4-threads/thread_stack.h"
#include "syscall_abi.h"
#include "ucow.h"
#include "uvm.h"

#define PDE_USER_FIRST (USER_LO >> PAGING_PDE_SHIFT)  /* 1 */
#define PDE_KERNEL_FIRST (USER_HI >> PAGING_PDE_SHIFT) /* 768 */
#define USER_PDE_FLAGS (PTE_PRESENT | PTE_WRITABLE | PTE_USER)

static unsigned long total_pages;

static uint32_t kernel_cr3(void)
{
    return (uint32_t)(paging_kernel_pt()->pd_frame << PAGE_SHIFT);
}

void uvm_setup(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    KASSERT(paging_current() == paging_kernel_pt());
    static const uint32_t shared[][2] = {
        {KMALLOC_HEAP_BASE, KMALLOC_HEAP_BASE + KMALLOC_HEAP_SIZE},
        {THREAD_STACK_POOL_BASE, THREAD_STACK_POOL_BASE + THREAD_STACK_POOL_SIZE},
        {KMAP_BASE, KMAP_BASE + KMAP_SLOTS * PAGE_SIZE},
    };
    enum intr_level old = intr_disable();
    for (unsigned r = 0; r < sizeof shared / sizeof shared[0]; r++) {
        for (uint32_t va = shared[r][0]; va < shared[r][1]; va += PAGING_TABLE_SPAN)
            if (!paging_ensure_table(va))
                PANIC("uvm_setup: no frame for the shared kernel table of 0x%08lx",
                      (unsigned long)va);
        paging_pin_tables(shared[r][0], shared[r][1]);
    }
    intr_set_level(old);
    ucow_setup();
}

int uvm_create(struct uspace *us)
{
    memset(us, 0, sizeof *us);
    unsigned long f = cfp_get_frames(paging_kernel_pool(), 1);
    if (f == 0)
        return -E_NOMEM;
    uint32_t *pd = phys_to_ptr(f << PAGE_SHIFT);
    const uint32_t *kpd = phys_to_ptr(kernel_cr3());
    /* LAB 7: TODO a directory whose kernel part (PDE 0, PDEs from USER_HI on)
     * is the kernel directory's, user part empty, and recursive entry
     * pointing at itself */
    /* LAB 7: BEGIN SOLUTION full */
    for (uint32_t i = 0; i < PAGING_ENTRIES; i++)
        pd[i] = (i < PDE_USER_FIRST || i >= PDE_KERNEL_FIRST) ? kpd[i] : 0;
    pd[PAGING_RECURSIVE_SLOT] = pte_make_frame(f, PTE_PRESENT | PTE_WRITABLE);
    /* LAB 7: END SOLUTION */
    (void)kpd;
    us->pd_frame = f;
    us->pd = pd;
    return 0;
}

void uvm_destroy(struct uspace *us)
{
    if (us->pd_frame == 0)
        return;
    KASSERT((read_cr3() & PTE_FRAME_MASK) != uvm_cr3(us));
    for (uint32_t i = PDE_USER_FIRST; i < PDE_KERNEL_FIRST; i++) {
        if (!pte_present(us->pd[i]))
            continue;
        unsigned long tf = pte_frame(us->pd[i]);
        enum intr_level old = intr_disable(); /* one kmap for the whole table */
        const uint32_t *t = kmap(KMAP_TABLE, tf);
        for (uint32_t j = 0; j < PAGING_ENTRIES; j++) {
            if (pte_present(t[j])) {
                ucow_ref_drop(pte_frame(t[j]));
                us->pages--;
                total_pages--;
            }
        }
        kunmap(KMAP_TABLE);
        intr_set_level(old);
        cfp_release_frames(tf);
        us->pd[i] = 0;
        us->tables--;
    }
    KASSERT(us->pages == 0 && us->tables == 0);
    cfp_release_frames(us->pd_frame);
    us->pd_frame = 0;
    us->pd = NULL;
}

uint32_t uvm_cr3(const struct uspace *us)
{
    /* NULL: lab 3's current page table (the kernel's, unless a test loaded its own) */
    return us == NULL ? (uint32_t)(paging_current()->pd_frame << PAGE_SHIFT)
                      : (uint32_t)(us->pd_frame << PAGE_SHIFT);
}

void uvm_activate(struct uspace *us)
{
    uint32_t cr3 = uvm_cr3(us);
    if ((read_cr3() & PTE_FRAME_MASK) != cr3)
        write_cr3(cr3);
}

uint32_t uvm_pte(struct uspace *us, uint32_t va)
{
    uint32_t pde = us->pd[va >> PAGING_PDE_SHIFT];
    if (!pte_present(pde) || va < USER_LO || va >= USER_HI)
        return 0;
    enum intr_level old = intr_disable();
    uint32_t *t = kmap(KMAP_TABLE, pte_frame(pde));
    uint32_t pte = t[paging_pt_index(va)];
    kunmap(KMAP_TABLE);
    intr_set_level(old);
    return pte;
}

/* A zeroed frame from the process pool, or 0. */
static unsigned long zeroed_frame(void)
{
    unsigned long f = cfp_get_frames(paging_process_pool(), 1);
    if (f == 0)
        return 0;
    enum intr_level old = intr_disable();
    memset(kmap(KMAP_DATA, f), 0, PAGE_SIZE);
    kunmap(KMAP_DATA);
    intr_set_level(old);
    return f;
}

int uvm_map_zero(struct uspace *us, uint32_t va, bool writable)
{
    KASSERT((va & PAGE_MASK) == 0 && va >= USER_LO && va < USER_HI);
    uint32_t *pde = &us->pd[va >> PAGING_PDE_SHIFT];
    if (!pte_present(*pde)) {
        unsigned long tf = zeroed_frame();
        if (tf == 0)
            return -E_NOMEM;
        *pde = pte_make_frame(tf, USER_PDE_FLAGS);
        us->tables++;
    }
    unsigned long f = zeroed_frame();
    if (f == 0)
        return -E_NOMEM;
    enum intr_level old = intr_disable();
    uint32_t *t = kmap(KMAP_TABLE, pte_frame(*pde));
    KASSERT(!pte_present(t[paging_pt_index(va)]));
    /* LAB 7: TODO the entry: frame F, present, user, writable if WRITABLE */
    /* LAB 7: BEGIN SOLUTION full */
    t[paging_pt_index(va)] = pte_make_frame(f, PTE_PRESENT | PTE_USER |
                                                  (writable ? PTE_WRITABLE : 0));
    /* LAB 7: END SOLUTION */
    (void)writable;
    kunmap(KMAP_TABLE);
    ucow_ref_new(f);
    us->pages++;
    total_pages++;
    intr_set_level(old);
    return 0;
}

void uvm_set_writable(struct uspace *us, uint32_t va, bool writable)
{
    uint32_t pde = us->pd[va >> PAGING_PDE_SHIFT];
    KASSERT(pte_present(pde));
    enum intr_level old = intr_disable();
    uint32_t *t = kmap(KMAP_TABLE, pte_frame(pde));
    uint32_t *e = &t[paging_pt_index(va)];
    /* a page fork shared (ucow.h) is made writable by ucow_break only */
    KASSERT(!writable || !(*e & PTE_COW));
    *e = writable ? (*e | PTE_WRITABLE) : (*e & ~PTE_WRITABLE);
    kunmap(KMAP_TABLE);
    if ((read_cr3() & PTE_FRAME_MASK) == uvm_cr3(us))
        invlpg(va & ~PAGE_MASK);
    intr_set_level(old);
}

/* Give back the page at VA of US if it is mapped. */
static void unmap_page(struct uspace *us, uint32_t va)
{
    uint32_t pde = us->pd[va >> PAGING_PDE_SHIFT];
    if (!pte_present(pde))
        return;
    enum intr_level old = intr_disable();
    uint32_t *t = kmap(KMAP_TABLE, pte_frame(pde));
    uint32_t pte = t[paging_pt_index(va)];
    t[paging_pt_index(va)] = 0;
    kunmap(KMAP_TABLE);
    if (pte_present(pte)) {
        if ((read_cr3() & PTE_FRAME_MASK) == uvm_cr3(us))
            invlpg(va);
        ucow_ref_drop(pte_frame(pte));
        us->pages--;
        total_pages--;
    }
    intr_set_level(old);
}

int uvm_write(struct uspace *us, uint32_t va, const void *src, uint32_t len)
{
    const uint8_t *s = src;
    while (len > 0) {
        uint32_t pte = uvm_pte(us, va);
        if (!pte_present(pte))
            return -E_FAULT;
        uint32_t off = va & PAGE_MASK, n = PAGE_SIZE - off;
        if (n > len)
            n = len;
        enum intr_level old = intr_disable();
        memcpy((uint8_t *)kmap(KMAP_DATA, pte_frame(pte)) + off, s, n);
        kunmap(KMAP_DATA);
        intr_set_level(old);
        va += n;
        s += n;
        len -= n;
    }
    return 0;
}

/* Copy-on-write fork of the table of PDE I of SRC (loaded): DST gets a
 * table whose entries share SRC's pages (ucow_share). 0, -E_NOMEM, or
 * -E_NOSYS (the challenge is not written: nothing shared, copy instead). */
static int share_table(struct uspace *dst, struct uspace *src, uint32_t i)
{
    uint32_t *pde = &dst->pd[i];
    if (!pte_present(*pde)) {
        unsigned long tf = zeroed_frame();
        if (tf == 0)
            return -E_NOMEM;
        *pde = pte_make_frame(tf, USER_PDE_FLAGS);
        dst->tables++;
    }
    int rc = 0;
    unsigned shared = 0;
    enum intr_level old = intr_disable();
    uint32_t *s = kmap(KMAP_TABLE, pte_frame(src->pd[i]));
    uint32_t *d = kmap(KMAP_DATA, pte_frame(*pde));
    for (uint32_t j = 0; j < PAGING_ENTRIES && rc == 0; j++) {
        if (!pte_present(s[j]))
            continue;
        KASSERT(!pte_present(d[j]));
        rc = ucow_share(&s[j], (i << PAGING_PDE_SHIFT) | (j << PAGE_SHIFT), &d[j]);
        shared += rc == 0;
    }
    kunmap(KMAP_DATA);
    kunmap(KMAP_TABLE);
    dst->pages += shared;
    total_pages += shared;
    intr_set_level(old);
    return rc;
}

int uvm_copy(struct uspace *dst, struct uspace *src)
{
    static bool told;
    KASSERT((read_cr3() & PTE_FRAME_MASK) == uvm_cr3(src));
    memcpy(dst->heap, src->heap, sizeof dst->heap);
    dst->heap_bytes = src->heap_bytes;
    for (uint32_t i = PDE_USER_FIRST; i < PDE_KERNEL_FIRST; i++) {
        if (!pte_present(src->pd[i]))
            continue;
        if (ucow_enabled()) {
            int rc = share_table(dst, src, i);
            if (rc != -E_NOSYS) {
                if (rc != 0)
                    return rc;
                continue;
            }
            if (!told)
                kprintf("lab7: fork=cow: ucow_share is not written yet: fork copies\n");
            told = true;
        }
        for (uint32_t va = i << PAGING_PDE_SHIFT; va < ((i + 1) << PAGING_PDE_SHIFT);
             va += PAGE_SIZE) {
            uint32_t pte = uvm_pte(src, va);
            if (!pte_present(pte))
                continue;
            /* LAB 7: TODO give DST its own copy of the page at VA (same
             * writability): a shared frame would let parent and child see
             * each other's writes */
            /* LAB 7: BEGIN SOLUTION full */
            int rc = uvm_map_zero(dst, va, (pte & PTE_WRITABLE) != 0);
            if (rc == 0)
                rc = uvm_write(dst, va, (const void *)va, PAGE_SIZE);
            if (rc != 0)
                return rc;
            /* LAB 7: END SOLUTION */
        }
    }
    return 0;
}

bool uvm_legitimate(const struct uspace *us, uint32_t va)
{
    if (va >= USTACK_LIMIT && va < USTACK_TOP)
        return true;
    for (unsigned i = 0; i < UHEAP_REGIONS; i++)
        if (us->heap[i].size != 0 && va - us->heap[i].start < us->heap[i].size)
            return true;
    return false;
}

int uvm_fault(struct uspace *us, uint32_t va)
{
    if (va >= USTACK_GUARD && va < USTACK_LIMIT)
        return ABI_KILLED_STACK;
    if (va < USER_LO || va >= USER_HI)
        return ABI_KILLED_MEMORY;
    uint32_t pte = uvm_pte(us, va);
    if (pte_present(pte) && (pte & PTE_COW)) /* a write to a page fork shared */
        return ucow_break(us->pd, va) == 0 ? UVM_MAPPED : ABI_KILLED_MEMORY;
    if (pte_present(pte) || !uvm_legitimate(us, va))
        return ABI_KILLED_MEMORY; /* outside its memory, or a write to read-only memory */
    if (uvm_map_zero(us, va & ~PAGE_MASK, true) != 0)
        return ABI_KILLED_MEMORY;
    return UVM_MAPPED;
}

int32_t uvm_heap_alloc(struct uspace *us, uint32_t size)
{
    if (size == 0)
        return -E_INVAL;
    if (size > UHEAP_QUOTA)
        return -E_NOMEM;
    size = (size + PAGE_MASK) & ~PAGE_MASK;
    if (us->heap_bytes + size > UHEAP_QUOTA)
        return -E_NOMEM;
    int slot = -1;
    for (unsigned i = 0; i < UHEAP_REGIONS && slot < 0; i++)
        if (us->heap[i].size == 0)
            slot = (int)i;
    if (slot < 0)
        return -E_NOMEM;
    /* First fit: the lowest START past every region it would overlap. */
    uint32_t start = UHEAP_BASE;
    bool moved = true;
    while (moved) {
        moved = false;
        for (unsigned i = 0; i < UHEAP_REGIONS; i++) {
            const struct uregion *r = &us->heap[i];
            if (r->size != 0 && start < r->start + r->size && r->start < start + size) {
                start = r->start + r->size;
                moved = true;
            }
        }
    }
    if (start + size > UHEAP_END || start + size < start)
        return -E_NOMEM;
    us->heap[slot].start = start;
    us->heap[slot].size = size;
    us->heap_bytes += size;
    return (int32_t)start;
}

int uvm_heap_free(struct uspace *us, uint32_t start)
{
    for (unsigned i = 0; i < UHEAP_REGIONS; i++) {
        struct uregion *r = &us->heap[i];
        if (r->size == 0 || r->start != start)
            continue;
        for (uint32_t va = r->start; va < r->start + r->size; va += PAGE_SIZE)
            unmap_page(us, va);
        us->heap_bytes -= r->size;
        r->size = 0;
        r->start = 0;
        return 0;
    }
    return -E_INVAL;
}

unsigned long uvm_total_pages(void)
{
    return total_pages;
}
