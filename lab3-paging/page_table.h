/* page_table.h: x86 two-level page tables, the recursive window, demand paging entry points. */
#ifndef LAB3_PAGE_TABLE_H
#define LAB3_PAGE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/mmu.h"
#include "lab1-boot/intr.h" /* VEC_PAGE_FAULT, struct intr_frame */
#include "lab2-frames/cont_frame_pool.h"

/*
 * Virtual layout:
 *
 *   0 .. shared_size        identity-mapped (virtual == physical), supervisor
 *                           only, the same page tables in every directory
 *   shared_size .. 4 GiB-4M demand-paged, but only inside registered VM pools
 *   0xFFC00000 .. 4 GiB     the recursive window: PDE 1023 points at the
 *                           directory itself, so the table that maps virtual
 *                           address V is visible at PAGING_PT_WINDOW +
 *                           (V >> 22) * 4096 and the directory at 0xFFFFF000.
 *
 * Once paging is on, page tables other than the identity ones live in the
 * PROCESS frame pool, above the identity-mapped range: the kernel reaches them
 * only through the window (paging_pde_ptr / paging_pte_ptr below).
 */

/* PAGE_SIZE, PAGE_SHIFT, PAGE_MASK and the address types paddr_t and
 * vaddr_t: common/mmu.h. */

#define PAGING_ENTRIES     1024u                   /* entries per table */
#define PAGING_PDE_SHIFT   22                      /* va >> 22 = directory index */
#define PAGING_TABLE_SPAN  (PAGING_ENTRIES * PAGE_SIZE) /* 4 MiB per table */
#define PAGING_RECURSIVE_SLOT 1023u                /* PDE that maps the directory */
#define PAGING_PT_WINDOW   0xFFC00000u             /* all page tables, 4 MiB */
#define PAGING_PD_WINDOW   0xFFFFF000u             /* the directory itself */

/* Bits of a page-directory or page-table entry (Intel SDM vol. 3, 4.3). */
#define PTE_PRESENT       0x001u /* P: the entry maps something */
#define PTE_WRITABLE      0x002u /* R/W: writes allowed (with CR0.WP, also for ring 0) */
#define PTE_USER          0x004u /* U/S: ring 3 may access; never set in StepOS */
#define PTE_WRITE_THROUGH 0x008u /* PWT */
#define PTE_CACHE_DISABLE 0x010u /* PCD */
#define PTE_ACCESSED      0x020u /* A: set by the CPU on access */
#define PTE_DIRTY         0x040u /* D: set by the CPU on write (PTE only) */
#define PDE_LARGE_PAGE    0x080u /* PS: 4 MiB page (PDE only); never set here */
#define PTE_GLOBAL        0x100u /* G: survives CR3 reloads if CR4.PGE */
#define PTE_FRAME_MASK    0xFFFFF000u /* physical address of the frame/table */
#define PTE_FLAGS_MASK    0x00000FFFu

/* A page-directory or page-table entry, in the hardware's format. */
typedef uint32_t pte_t;

/* ---- Entries: build them and take them apart only with these (pure) ------ */

/* The entry that maps the frame at physical address ADDR (page aligned; 4 MiB
 * aligned for a PDE with PDE_LARGE_PAGE) with FLAGS (PTE_* bits, PTE_PRESENT
 * included if it should be present: nothing is added). */
static inline pte_t pte_make(paddr_t addr, uint32_t flags)
{
    return (pte_t)addr | flags;
}

/* The same for frame number FRAME_NO (address FRAME_NO * PAGE_SIZE). */
static inline pte_t pte_make_frame(unsigned long frame_no, uint32_t flags)
{
    return pte_make((paddr_t)frame_no << PAGE_SHIFT, flags);
}

/* E maps something (P set). */
static inline bool pte_present(pte_t e) { return (e & PTE_PRESENT) != 0; }

/* The physical address E points at (the frame, or the page table of a PDE),
 * and its frame number. Meaningful only if E is present. */
static inline paddr_t pte_addr(pte_t e) { return e & PTE_FRAME_MASK; }
static inline unsigned long pte_frame(pte_t e) { return e >> PAGE_SHIFT; }

/* E's flag bits (PTE_*). */
static inline uint32_t pte_flags(pte_t e) { return e & PTE_FLAGS_MASK; }

/* Bits of the page-fault error code the CPU pushes (SDM vol. 3, 4.7). */
#define PF_ERR_PRESENT  0x01u /* 1: protection violation; 0: page not present */
#define PF_ERR_WRITE    0x02u /* 1: the access was a write */
#define PF_ERR_USER     0x04u /* 1: the access came from ring 3 */
#define PF_ERR_RESERVED 0x08u /* 1: a reserved bit was set in an entry */
#define PF_ERR_FETCH    0x10u /* 1: instruction fetch (with NX; unused here) */

#define PAGING_MAX_TABLES 8 /* page_table_create() slots */

struct vm_pool;

/* One address space: a page directory plus the VM pools registered in it. */
struct page_table {
    unsigned long pd_frame;  /* frame of the directory (kernel pool: identity) */
    struct vm_pool *pools;   /* registered pools, linked through vm_pool.next */
    bool in_use;             /* slot taken */
    /* The legitimate range [fault_lo, fault_hi) of fault_pool in which the
     * last demand fault was served (fault_pool NULL: none). A not-present
     * fault there needs no pool search and no legitimacy check. Cleared
     * whenever a region of this address space is released. */
    struct vm_pool *fault_pool;
    vaddr_t fault_lo, fault_hi;
};

/* What a page-table walk found for one virtual address. */
struct page_walk {
    vaddr_t vaddr;
    pte_t pde;             /* directory entry */
    pte_t pte;             /* table entry; 0 if the PDE is not present */
    bool table_reachable;  /* false: the table could not be read (see walk) */
    bool present;          /* PDE and PTE both present */
    unsigned long frame;   /* frame number mapped, if present */
};

/* Counters for the monitor, tests and benchmarks. */
struct paging_stats {
    unsigned long demand_faults;  /* not-present faults resolved with a fresh page */
    unsigned long tables_created; /* page tables allocated on demand */
    unsigned long tables_freed;   /* empty page tables given back */
    unsigned long pages_freed;    /* page_table_free_page() calls that freed */
    unsigned long bad_faults;     /* faults reported and handed on */
};

/* ---- Address helpers (pure) --------------------------------------------- */

static inline unsigned long paging_pd_index(vaddr_t va) { return va >> PAGING_PDE_SHIFT; }
static inline unsigned long paging_pt_index(vaddr_t va) { return (va >> PAGE_SHIFT) & (PAGING_ENTRIES - 1); }
static inline unsigned long paging_page_no(vaddr_t va) { return va >> PAGE_SHIFT; }

/* The directory entry for VA, through the recursive window (paging on). */
static inline volatile pte_t *paging_pde_ptr(vaddr_t va)
{
    /* LAB 3: TODO the PDE of VA seen through the directory window */
    /* LAB 3: BEGIN SOLUTION full */
    return (volatile pte_t *)PAGING_PD_WINDOW + paging_pd_index(va);
    /* LAB 3: END SOLUTION */
    (void)va;
    return (volatile pte_t *)PAGING_PD_WINDOW;
}

/* The table entry for VA, through the recursive window (paging on, and the
 * PDE for VA present, otherwise reading it faults). */
static inline volatile pte_t *paging_pte_ptr(vaddr_t va)
{
    /* LAB 3: TODO the PTE of VA seen through the page-table window */
    /* LAB 3: BEGIN SOLUTION full */
    return (volatile pte_t *)PAGING_PT_WINDOW + paging_page_no(va);
    /* LAB 3: END SOLUTION */
    (void)va;
    return (volatile pte_t *)PAGING_PT_WINDOW;
}

/* Virtual address of the whole page table that maps VA (in the window). */
static inline pte_t *paging_table_window(vaddr_t va)
{
    /* LAB 3: TODO the first entry of the page table that maps VA, in the window */
    /* LAB 3: BEGIN SOLUTION full */
    return (pte_t *)(PAGING_PT_WINDOW + paging_pd_index(va) * PAGE_SIZE);
    /* LAB 3: END SOLUTION */
    (void)va;
    return (pte_t *)PAGING_PT_WINDOW;
}

/* Zero the page-aligned 4 KiB page at PAGE (mapped and writable): one string
 * instruction, with none of memset's alignment and size cases. Any context. */
static inline void paging_zero_page(void *page)
{
    uint32_t words = PAGE_SIZE / sizeof(uint32_t);
    __asm__ volatile("rep stosl" : "+D"(page), "+c"(words) : "a"(0u) : "memory");
}

/* ---- Setup ---------------------------------------------------------------- */

/* Remember the frame pools and the size of the identity-mapped range, build
 * the shared identity tables (from KERNEL_POOL) and install the page-fault
 * handler. SHARED_SIZE: a non-zero multiple of 4 MiB (StepOS uses 4 MiB).
 * Page directories and identity tables come from KERNEL_POOL; every page
 * table made later comes from PROCESS_POOL. Panics if the kernel pool is
 * empty. Boot only, once, paging off; does not sleep. */
void paging_init(struct cont_frame_pool *kernel_pool,
                 struct cont_frame_pool *process_pool, unsigned long shared_size);

/* A new address space: a directory from the kernel pool with the shared
 * identity tables and the recursive entry (PDE 1023) in place; no pools.
 * Returns NULL (message logged) when the kernel pool or the
 * PAGING_MAX_TABLES slots are exhausted. After paging_init; any interrupt
 * level; does not sleep. */
struct page_table *page_table_create(void);

/* Make PT the current address space (CR3). The TLB is flushed (except
 * global entries). Any context. */
void page_table_load(struct page_table *pt);

/* Turn paging on (CR0.PG, and CR0.WP so that read-only pages bind the kernel
 * too). A page table must be loaded. Boot only; does not sleep. */
void paging_enable(void);

/* True once paging_enable() ran and CR0.PG is really set. Any context. */
bool paging_enabled(void);

/* The loaded page table, or NULL before page_table_load(). Any context. */
struct page_table *paging_current(void);

/* The frame pools and identity size given to paging_init() (NULL/0
 * before). Any context. */
struct cont_frame_pool *paging_kernel_pool(void);
struct cont_frame_pool *paging_process_pool(void);
unsigned long paging_shared_size(void);

/* Register POOL with PT: faults inside the pool's legitimate addresses are
 * then served. POOL must not be registered yet (KASSERT). Called by
 * vm_pool_init(); interrupts any; does not sleep. */
void page_table_register_pool(struct page_table *pt, struct vm_pool *pool);

/* Undo page_table_register_pool (KASSERT that it was registered). Called
 * by vm_pool_destroy(); interrupts any; does not sleep. */
void page_table_unregister_pool(struct page_table *pt, struct vm_pool *pool);

/* The first registered pool of PT whose range contains VA, or NULL. Called
 * by the fault handler and the monitor; any context, never faults. */
struct vm_pool *page_table_pool_at(struct page_table *pt, vaddr_t va);

/* Forget the range of PT's last demand fault (struct page_table): called
 * when a region of PT is released or a pool unregistered, before its pages
 * could be touched again. Caller has interrupts off; does not sleep. */
static inline void page_table_forget_fault_range(struct page_table *pt)
{
    pt->fault_pool = NULL;
    pt->fault_lo = pt->fault_hi = 0;
}

/* ---- Mapping ---------------------------------------------------------- */

/* Free the page with number PAGE_NO (virtual address / 4096) of PT: give its
 * frame back to the pool it came from, clear the entry and drop the TLB
 * entry with invlpg. The page must be mapped and outside the identity range
 * (KASSERT: freeing an unmapped page is a caller bug), and PT must be the
 * loaded page table with paging on. Interrupts any (disabled inside); does
 * not sleep. */
void page_table_free_page(struct page_table *pt, unsigned long page_no);

/* True if PAGE_NO is mapped (PDE and PTE present) in PT. PT must be loaded,
 * or paging off. Any context. */
bool page_table_is_mapped(struct page_table *pt, unsigned long page_no);

/* Walk PT for VADDR and fill *W. The directory is read through the window
 * when PT is loaded and paging is on, else physically (kernel pool); a table
 * outside the identity range of a PT that is not loaded cannot be read
 * (W->table_reachable false). Any context; never faults. */
void page_table_walk(struct page_table *pt, vaddr_t vaddr, struct page_walk *w);

/* Map frame FRAME_NO at VADDR (page aligned, outside the identity range and
 * the window) in the loaded PT with entry flags FLAGS (PTE_PRESENT added),
 * creating the page table if needed (from the process pool). The page must
 * not be mapped yet. The frame is not zeroed and is NOT owned by the page
 * table: unmap it with page_table_unmap, not page_table_free_page, unless it
 * should go back to its frame pool. Returns false if no frame was left for
 * a page table (message logged). Interrupts any; does not sleep. */
bool page_table_map(struct page_table *pt, vaddr_t vaddr, unsigned long frame_no,
                    uint32_t flags);

/* Make sure the page table for VA exists in the loaded page table: if its
 * directory entry is missing, take a frame from the process pool, install
 * it and zero the new table through the recursive window. Returns false
 * (message logged) if the process pool is empty. Paging on; VA outside the
 * identity range and the window. Interrupts off (callers disable them). */
bool paging_ensure_table(vaddr_t va);

/* Clear the mapping of VADDR in the loaded PT without releasing the frame
 * (for page_table_map'ped frames); invlpg. KASSERT it is mapped. */
void page_table_unmap(struct page_table *pt, vaddr_t vaddr);

/* Give back every page table of the loaded PT that covers part of
 * [START, END) (outside the identity range) and has no entry left. Returns
 * how many were freed. Called by vm_pool_release(); interrupts any. */
unsigned long page_table_reclaim_tables(struct page_table *pt, vaddr_t start,
                                        vaddr_t end);

/* Keep the page tables that cover [START, END) even when they become empty:
 * page_table_reclaim_tables() skips them. Lab 7 shares the kernel's tables
 * (heap, thread stacks) with every process directory, which keeps a copy of
 * the directory entry: freeing such a table would leave the copies dangling.
 * At most PAGING_MAX_PINNED ranges. Boot only. */
#define PAGING_MAX_PINNED 4
void paging_pin_tables(uint32_t start, uint32_t end);

/* ---- Faults (page_fault.c) ------------------------------------------------ */

/* The exception-14 handler: serves a not-present fault on a legitimate
 * address of a pool registered in the loaded page table with a fresh zeroed
 * frame (creating the page table if missing) and returns true; otherwise
 * prints a report (address, access type, EIP with symbol, the running test
 * and thread) and returns false, so that exception_unhandled() fails the
 * test, delivers the fault to KT_EXPECT_FAULT, or panics. Interrupts off. */
struct intr_frame;
bool paging_fault_handler(struct intr_frame *frame);

/* Print the PDE and (if the PDE is present) the PTE for VA, through the
 * recursive window: the nested-exception report's page-table lines. */
void paging_describe_address(vaddr_t va);

/* The counters above (read-only view) and the demand-fault count. Any
 * context; the counters only grow (no locking needed to read them). */
const struct paging_stats *paging_get_stats(void);
unsigned long paging_demand_faults(void);

/* The last fault report, as printed (without the newline), "" if none.
 * Overwritten by the next report. Any context. */
const char *paging_last_report(void);

/* Optional hook that names the running thread for fault reports (lab 4
 * installs one); NULL removes it, a second, different hook panics. Boot only. */
void paging_set_context_hook(const char *(*who)(void));

/* Internal, for page_fault.c: the counters, writable. Interrupts off. */
struct paging_stats *paging_stats_mut(void);

#endif
