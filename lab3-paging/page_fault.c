/* page_fault.c: the exception-14 handler: demand-zero pages inside VM pools, reports for everything else. */
#include <stddef.h>

#include "common/debug.h"
#include "common/format.h"
#include "common/kprintf.h"
#include "common/ksyms.h"
#include "common/kstring.h"
#include "common/ktest.h"
#include "common/x86.h"
#include "lab1-boot/intr.h"
#include "page_table.h"
#include "vm_pool.h"

#define REPORT_MAX 320
#define WHY_MAX 160

static char last_report[REPORT_MAX];
static const char *(*context_hook)(void);

const char *paging_last_report(void)
{
    return last_report;
}

void paging_set_context_hook(const char *(*who)(void))
{
    if (who != NULL && context_hook != NULL && context_hook != who)
        PANIC("paging_set_context_hook: a hook is already installed: a second one "
              "would silently replace it");
    context_hook = who;
}

/* Print (and keep) one line saying what faulted, where from, and WHY. */
static void fault_report(const struct intr_frame *f, vaddr_t cr2, const char *why)
{
    uint32_t off = 0;
    const char *fn = ksyms_lookup(f->eip, &off);
    const char *test = ktest_current();
    const char *thread = context_hook != NULL ? context_hook() : NULL;
    uint32_t err = f->error_code;

    ksnprintf(last_report, sizeof last_report,
              "paging: bad page fault at 0x%08lx: %s, %s, %s mode, eip 0x%08lx "
              "(%s+0x%lx)%s%s%s%s: %s",
              (unsigned long)cr2, err & PF_ERR_WRITE ? "write" : "read",
              err & PF_ERR_PRESENT ? "protection violation" : "page not present",
              err & PF_ERR_USER ? "user" : "kernel", (unsigned long)f->eip,
              fn != NULL ? fn : "??", (unsigned long)off,
              test != NULL ? ", test " : "", test != NULL ? test : "",
              thread != NULL ? ", thread " : "", thread != NULL ? thread : "", why);
    kprintf("%s\n", last_report);
    paging_stats_mut()->bad_faults++;
}

/* Give the not-present page at PAGE (page aligned, legitimate in POOL) a
 * fresh zeroed frame. Returns NULL, or why it could not. */
static const char *map_fresh_page(struct vm_pool *pool, vaddr_t page)
{
    if (!paging_ensure_table(page))
        return "no frame left for a page table";
    if (pte_present(*paging_pte_ptr(page)))
        return "not-present fault on a page that is mapped (stale TLB entry?)";
    (void)pool;
    /* LAB 3: TODO take a frame from the pool's own frame pool
     * (vm_pool_frame_pool(pool); 0 = out of frames: return a message), map
     * it at PAGE through the window (paging_pte_ptr; present, writable,
     * supervisor), then zero the page through PAGE itself: a fresh page
     * must never show an earlier user's data. */
    /* LAB 3: BEGIN SOLUTION */
    unsigned long frame = cfp_get_frames(vm_pool_frame_pool(pool), 1);
    if (frame == 0)
        return "out of frames in the pool's frame pool";
    *paging_pte_ptr(page) = pte_make_frame(frame, PTE_PRESENT | PTE_WRITABLE);
    paging_zero_page((void *)page);
    return NULL;
    /* LAB 3: END SOLUTION */
    return "lab 3 step 3 (fresh pages): demand paging is not implemented (map_fresh_page)";
}

/* Why the kernel touched a page-table window address: describe the address
 * whose table is missing. */
static void explain_window(vaddr_t cr2, char *why, size_t n)
{
    if (cr2 >= PAGING_PD_WINDOW) {
        ksnprintf(why, n, "inside the page directory window (cannot fault)");
        return;
    }
    vaddr_t va = ((cr2 - PAGING_PT_WINDOW) >> 2) << PAGE_SHIFT;
    ksnprintf(why, n, "in the recursive page-table window: the page table "
              "for 0x%08lx does not exist (check the PDE first)",
              (unsigned long)(va & ~(PAGING_TABLE_SPAN - 1)));
}

void paging_describe_address(vaddr_t va)
{
    pte_t pde = *paging_pde_ptr(va);

    kprintf("  pde[%lu] = 0x%08lx%s\n", (unsigned long)paging_pd_index(va),
            (unsigned long)pde, pte_present(pde) ? "" : " (not present)");
    if (!pte_present(pde))
        return;
    pte_t pte = *paging_pte_ptr(va);
    kprintf("  pte[%lu] = 0x%08lx%s\n", (unsigned long)paging_pt_index(va),
            (unsigned long)pte, pte_present(pte) ? "" : " (not present)");
}

/* Classify the not-yet-served fault F at CR2 in PT: report it and return
 * NULL if it is not to be served, else return the pool that holds CR2. */
static struct vm_pool *classify_fault(struct intr_frame *f, vaddr_t cr2,
                                      struct page_table *pt)
{
    uint32_t err = f->error_code;
    char why[WHY_MAX];
    struct vm_pool *pool = NULL;
    (void)err, (void)pt, (void)why, (void)explain_window;
    /* LAB 3: TODO classify the fault (section 4, steps 1-2): report (with
     * fault_report; a reason the tests recognise) and return NULL for a
     * protection fault (P set: a write to a read-only page, else a
     * protection violation), an address in the identity range or in the
     * page-table window (explain_window says which table is missing), an
     * address in no pool (page_table_pool_at), or one the pool does not
     * consider legitimate (vm_pool_explain says why). Otherwise set POOL
     * to the pool that holds CR2. */
    /* LAB 3: BEGIN SOLUTION full */
    if (err & PF_ERR_PRESENT) {
        fault_report(f, cr2, err & PF_ERR_WRITE
                                 ? "write to a read-only page"
                                 : "protection violation on a present page");
        return NULL;
    }
    if (cr2 < paging_shared_size()) {
        fault_report(f, cr2, "inside the identity-mapped range, which is never "
                             "demand-paged");
        return NULL;
    }
    if (cr2 >= PAGING_PT_WINDOW) {
        explain_window(cr2, why, sizeof why);
        fault_report(f, cr2, why);
        return NULL;
    }
    pool = page_table_pool_at(pt, cr2);
    if (pool == NULL) {
        fault_report(f, cr2, "not inside any VM pool");
        return NULL;
    }
    if (!vm_pool_is_legitimate(pool, cr2)) {
        vm_pool_explain(pool, cr2, why, sizeof why);
        fault_report(f, cr2, why);
        return NULL;
    }
    /* LAB 3: END SOLUTION */
    if (pool == NULL)
        fault_report(f, cr2, "lab 3 step 4 (fault classification): the fault handler's checks are not written yet");
    return pool;
}

bool paging_fault_handler(struct intr_frame *f)
{
    vaddr_t cr2 = read_cr2();
    uint32_t err = f->error_code;
    struct page_table *pt = paging_current();

    KASSERT(f->vector == VEC_PAGE_FAULT);
    if (!paging_enabled() || pt == NULL) {
        fault_report(f, cr2, "paging is not enabled");
        return false;
    }
    if (err & PF_ERR_RESERVED) {
        fault_report(f, cr2, "reserved bit set in a page-table entry");
        return false;
    }
    /* A not-present fault in the range where the last one was served (no
     * region released since) is legitimate: the pool search and the
     * legitimacy check are skipped (pages of one region are touched in a
     * row). */
    struct vm_pool *pool = NULL;
    bool known = !(err & PF_ERR_PRESENT) && cr2 >= pt->fault_lo && cr2 < pt->fault_hi;
    if (known)
        pool = pt->fault_pool;
    else if ((pool = classify_fault(f, cr2, pt)) == NULL)
        return false;
    const char *problem = map_fresh_page(pool, cr2 & ~PAGE_MASK);
    if (problem != NULL) {
        fault_report(f, cr2, problem);
        return false;
    }
    unsigned long lo, hi;
    if (!known && vm_pool_legitimate_range(pool, cr2, &lo, &hi)) {
        pt->fault_pool = pool;
        pt->fault_lo = lo;
        pt->fault_hi = hi;
    }
    paging_stats_mut()->demand_faults++;
    return true;
}
