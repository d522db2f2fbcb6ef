/* tests_steps.c: lab 3's test failures name the handout step they point at (README "What to implement"). */
#include <stdarg.h>
#include <stdint.h>

#include "common/format.h"
#include "common/kstep.h"
#include "common/kstring.h"
#include "common/x86.h"
#include "kheap.h"
#include "tests_support.h"
#include "vm_regions.h"

/* The handout's steps, in its order, then the challenge (never probed). */
#define STEPS_PROBED 7
#define STEP_CHALLENGE 8
static const char *const steps_text[] = {
    [1] = "step 1 (page tables and paging on)",
    [2] = "step 2 (window helpers)",
    [3] = "step 3 (tables on demand, fresh pages, legitimate addresses)",
    [4] = "step 4 (fault classification)",
    [5] = "step 5 (VM regions)",
    [6] = "step 6 (freeing pages)",
    [7] = "step 7 (heap split and coalesce)",
    [STEP_CHALLENGE] = "challenge (large pages)",
};

/* The step each test checks (README, "What to implement"). Most tests need
 * steps 1-4 to run at all (paging, the heap, demand paging); when one of
 * those is not done, the probes below name it instead. A test in no entry
 * gets its message alone. */
static const struct kstep_test steps_of_test[] = {
    {"large_page_*", STEP_CHALLENGE},
    {"kmalloc_*", 7},
    {"paging_identity_map", 1},
    {"paging_recursive_window", 1},
    {"paging_entry_flags", 1},
    {"paging_classic_1mib", 3},
    {"paging_tables_on_demand", 3},
    {"paging_tables_from_process_pool", 3},
    {"paging_new_pages_zeroed", 3},
    {"paging_new_table_zeroed", 3},
    {"paging_out_of_frames_reported", 3},
    {"vm_pool_lazy_allocation", 3},
    {"vm_pool_bookkeeping_page_legitimate", 3},
    {"vm_pool_init_refuses_overlap", 3},
    {"paging_illegal_access_reported", 4},
    {"paging_unallocated_in_pool_faults", 4},
    {"paging_protection_fault_reported", 4},
    {"paging_window_missing_table_reported", 4},
    {"paging_fault_report_random", 4},
    {"vm_regions_never_past_count", 5},
    {"vm_regions_model_random", 5},
    {"vm_pool_classic_allocations", 5},
    {"vm_pool_bad_input", 5},
    {"vm_pool_coalescing", 5},
    {"vm_pool_region_slots_exhausted", 5},
    {"vm_pool_guard_page", 5},
    {"paging_free_page_releases_frame", 6},
    {"paging_freed_page_faults_again", 6},
    {"paging_tlb_free_then_remap", 6},
    {"paging_free_page_release_refused", 6},
    {"vm_pool_release_only_mapped", 6},
    {"vm_pool_release_returns_frames", 6},
    {"paging_tlb_release_every_page", 6},
    {"paging_tlb_window_follows_new_table", 6},
};

/* ---- Probes ------------------------------------------------------------- */

/* Step 1: CR0.PG and CR0.WP set, CR3 = the kernel directory, whose entry 0
 * is the identity table (entry J = J * 4 KiB, present, writable) and whose
 * entry 1023 is the directory itself. The directory and the identity table
 * are kernel-pool frames, below 4 MiB: read at their physical addresses. */
static bool probe_step1(char *why, size_t size)
{
    const uint32_t want_flags = PTE_PRESENT | PTE_WRITABLE;
    struct page_table *pt = paging_kernel_pt();
    if (pt == NULL) {
        ksnprintf(why, size, "no kernel page table (page_table_create)");
        return false;
    }
    const uint32_t pd_addr = (uint32_t)(pt->pd_frame << PAGE_SHIFT);
    const volatile uint32_t *pd = (const volatile uint32_t *)pd_addr;
    uint32_t pde0 = pd[0], rec = pd[PAGING_RECURSIVE_SLOT];
    if ((pde0 & (want_flags | PTE_USER)) != want_flags) {
        ksnprintf(why, size, "the kernel directory's entry 0 is 0x%08x: it must point at the "
                  "first identity table, present and writable, not user (page_table_create)",
                  (unsigned)pde0);
        return false;
    }
    if (pte_addr(rec) != pd_addr || (rec & want_flags) != want_flags) {
        ksnprintf(why, size, "the kernel directory's entry 1023 is 0x%08x, expected 0x%08x: "
                  "the directory itself, present and writable (page_table_create)",
                  (unsigned)rec, (unsigned)(pd_addr | want_flags));
        return false;
    }
    const volatile uint32_t *table = (const volatile uint32_t *)pte_addr(pde0);
    static const uint32_t js[] = {0, 1, 0x100, 0x3FF};
    for (unsigned i = 0; i < 4; i++) {
        uint32_t e = table[js[i]];
        if (pte_addr(e) != js[i] << PAGE_SHIFT ||
            (e & (want_flags | PTE_USER)) != want_flags) {
            ksnprintf(why, size, "identity table entry %u is 0x%08x, expected 0x%08x and "
                      "present, writable, not user (paging_init)", (unsigned)js[i],
                      (unsigned)e, (unsigned)(js[i] << PAGE_SHIFT));
            return false;
        }
    }
    if ((read_cr3() & PTE_FRAME_MASK) != pd_addr) {
        ksnprintf(why, size, "CR3 is 0x%08x, expected the directory 0x%08x (page_table_load)",
                  (unsigned)read_cr3(), (unsigned)pd_addr);
        return false;
    }
    if ((read_cr0() & (CR0_PG | CR0_WP)) != (CR0_PG | CR0_WP)) {
        ksnprintf(why, size, "CR0 is 0x%08x: PG (bit 31) and WP (bit 16) must be set "
                  "(paging_enable)", (unsigned)read_cr0());
        return false;
    }
    return true;
}

/* Step 2: the three window formulas, at a few addresses. */
static bool probe_step2(char *why, size_t size)
{
    static const uint32_t vas[] = {0x00000000u, 0x00403000u, 0xC0012345u, 0x3FFFF000u};
    for (unsigned i = 0; i < 4; i++) {
        uint32_t va = vas[i];
        uint32_t pde = (uint32_t)paging_pde_ptr(va), pte = (uint32_t)paging_pte_ptr(va);
        uint32_t tw = (uint32_t)paging_table_window(va);
        uint32_t want_pde = PAGING_PD_WINDOW + 4 * (va >> PAGING_PDE_SHIFT);
        uint32_t want_pte = PAGING_PT_WINDOW + 4 * (va >> PAGE_SHIFT);
        uint32_t want_tw = PAGING_PT_WINDOW + PAGE_SIZE * (va >> PAGING_PDE_SHIFT);
        if (pde != want_pde || pte != want_pte || tw != want_tw) {
            ksnprintf(why, size, "for va 0x%08x paging_pde_ptr/paging_pte_ptr/"
                      "paging_table_window give 0x%08x/0x%08x/0x%08x, expected "
                      "0x%08x/0x%08x/0x%08x (README section 3)", (unsigned)va,
                      (unsigned)pde, (unsigned)pte, (unsigned)tw, (unsigned)want_pde,
                      (unsigned)want_pte, (unsigned)want_tw);
            return false;
        }
    }
    return true;
}

/* Steps 3 and 4 need a fault to show; what the handler last reported, and
 * whether the heap pool could be made, tell which is missing. */
static bool probe_step3(char *why, size_t size)
{
    const char *report = paging_last_report();
    if (report != NULL && tests_contains(report, "checks are not written yet"))
        return true; /* step 4's TODO: not this step's */
    if (report != NULL && tests_contains(report, "demand paging is not implemented")) {
        ksnprintf(why, size, "the last page fault was reported \"%s\": map_fresh_page "
                  "(page_fault.c) is not written", report);
        return false;
    }
    struct vm_pool fake = {.base = 0xC0000000u, .size = 2 * PAGE_SIZE};
    if (!vm_pool_is_legitimate(&fake, fake.base + 8u)) {
        ksnprintf(why, size, "vm_pool_is_legitimate says no to an address in a pool's first "
                  "page, its bookkeeping, which is always legitimate (vm_pool_init writes "
                  "it before any region exists)");
        return false;
    }
    if (paging_get_stats()->tables_created == 0 && !vm_ready()) {
        ksnprintf(why, size, "no page table was ever made on demand and the heap could not "
                  "be set up (paging_ensure_table, map_fresh_page, vm_pool_is_legitimate; "
                  "the boot output says why)");
        return false;
    }
    return true;
}

static bool probe_step4(char *why, size_t size)
{
    const char *report = paging_last_report();
    if (report != NULL && tests_contains(report, "checks are not written yet")) {
        ksnprintf(why, size, "the last page fault was reported \"%s\"", report);
        return false;
    }
    return true;
}

/* Step 5: a 16-page table: first fit, split, release, double release, merge. */
static bool probe_step5(char *why, size_t size)
{
    static uint32_t buf[32];
    struct vm_regions *t = (struct vm_regions *)buf;
    unsigned long a = 0, b = 0, got = 0;
    vm_regions_init(t, sizeof buf, 0x10000, 16 * PAGE_SIZE, PAGE_SIZE);
    int e1 = vm_regions_allocate(t, 2 * PAGE_SIZE, 0, &a);
    int e2 = vm_regions_allocate(t, PAGE_SIZE, 0, &b);
    if (e1 != VM_REGIONS_OK || e2 != VM_REGIONS_OK || a != 0x10000 || b != 0x12000) {
        ksnprintf(why, size, "vm_regions_allocate of 2 pages then 1 page in an empty "
                  "16-page table returned %d (0x%lx) and %d (0x%lx), expected 0 (0x10000) "
                  "and 0 (0x12000): first fit, splitting the free region", e1, a, e2, b);
        return false;
    }
    int e3 = vm_regions_release(t, a, &got, NULL);
    int e4 = vm_regions_release(t, a, NULL, NULL);
    if (e3 != VM_REGIONS_OK || got != 2 * PAGE_SIZE || e4 != VM_REGIONS_ERR_NOT_ALLOCATED) {
        ksnprintf(why, size, "vm_regions_release of the 2-page region returned %d (size "
                  "0x%lx), then again %d; expected 0 (0x2000), then %d (a double release)",
                  e3, got, e4, VM_REGIONS_ERR_NOT_ALLOCATED);
        return false;
    }
    vm_regions_release(t, b, NULL, NULL);
    if (vm_regions_count(t) != 1) {
        ksnprintf(why, size, "after every region was released the table has %d regions, "
                  "expected 1: free neighbours merge", vm_regions_count(t));
        return false;
    }
    return true;
}

/* Step 6 (full): a touched page of a region of a scratch pool at
 * TESTS_NO_POOL is unmapped by vm_pool_release. Only with steps 1-5. */
static bool probe_release(char *why, size_t size)
{
    static struct vm_pool pool;
    if (page_table_pool_at(paging_kernel_pt(), TESTS_NO_POOL) != NULL)
        return true; /* left over from an earlier probe that failed */
    memset(&pool, 0, sizeof pool);
    vm_pool_set_name(&pool, "step-probe");
    if (vm_pool_init(&pool, TESTS_NO_POOL, 16 * PAGE_SIZE, paging_process_pool(),
                     paging_kernel_pt()) != VM_POOL_OK)
        return true;
    bool ok = true;
    unsigned long a = vm_pool_allocate(&pool, PAGE_SIZE);
    if (a != 0) {
        *(volatile uint32_t *)a = 1; /* demand-paged in */
        vm_pool_release(&pool, a);
        if (page_table_is_mapped(paging_kernel_pt(), a >> PAGE_SHIFT)) {
            ok = false;
            ksnprintf(why, size, "vm_pool_release left the touched page 0x%08lx of the "
                      "region mapped: it frees each mapped page of the region "
                      "(page_table_free_page takes a page number)", a);
            page_table_free_page(paging_kernel_pt(), a >> PAGE_SHIFT);
            page_table_reclaim_tables(paging_kernel_pt(), (uint32_t)a, (uint32_t)a + PAGE_SIZE);
        }
    }
    vm_pool_destroy(&pool);
    return ok;
}

/* Step 6: a page mapped by hand at TESTS_NO_POOL, freed with
 * page_table_free_page: unmapped and its frame back. Only with steps 1-3. */
static bool probe_step6(char *why, size_t size)
{
    struct page_table *pt = paging_kernel_pt();
    struct cont_frame_pool *fp = paging_process_pool();
    const uint32_t va = TESTS_NO_POOL + 0x7000u;
    struct page_walk w;
    if (!vm_ready() || pt == NULL || fp == NULL)
        return true;
    page_table_walk(pt, va, &w);
    if (w.present)
        return true; /* left over from an earlier probe that failed */
    unsigned long frame = cfp_get_frames(fp, 1);
    if (frame == 0)
        return true;
    if (!page_table_map(pt, va, frame, PTE_WRITABLE)) {
        cfp_release_frames(frame);
        return true;
    }
    page_table_free_page(pt, va >> PAGE_SHIFT);
    bool mapped = page_table_is_mapped(pt, va >> PAGE_SHIFT);
    enum cfp_state st = cfp_frame_state(fp, frame);
    if (mapped)
        page_table_unmap(pt, va);
    if (st != CFP_STATE_FREE)
        cfp_release_frames(frame);
    page_table_reclaim_tables(pt, TESTS_NO_POOL, TESTS_NO_POOL + PAGING_TABLE_SPAN);
    if (mapped || st != CFP_STATE_FREE) {
        ksnprintf(why, size, "page_table_free_page left the page %s and its frame %s: it "
                  "clears the entry, invalidates the TLB, then releases the frame",
                  mapped ? "mapped" : "unmapped", st == CFP_STATE_FREE ? "Free" : "allocated");
        return false;
    }
    return probe_release(why, size);
}

/* Step 7: two small blocks from a fresh one-arena heap are neighbours (the
 * first block was split), and freeing both leaves no two free blocks side
 * by side (coalesced). */
static uint8_t probe_arena[2 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static unsigned probe_arena_used;

static void *probe_get(size_t bytes, void *ctx)
{
    (void)ctx;
    if (probe_arena_used + bytes > sizeof probe_arena)
        return NULL;
    void *p = probe_arena + probe_arena_used;
    probe_arena_used += bytes;
    return p;
}

static void probe_put(void *mem, size_t bytes, void *ctx)
{
    (void)mem, (void)bytes, (void)ctx;
}

static bool probe_step7(char *why, size_t size)
{
    static struct kheap h;
    const struct kheap_source src = {probe_get, probe_put, NULL};
    probe_arena_used = 0;
    kheap_init(&h, &src, PAGE_SIZE, 1024, PAGE_SIZE);
    uint8_t *p = kheap_alloc(&h, 32), *q = kheap_alloc(&h, 32);
    if (p == NULL || q == NULL ||
        (q - p != 32 + KHEAP_BLOCK_HDR && p - q != 32 + KHEAP_BLOCK_HDR)) {
        ksnprintf(why, size, "two 32-byte kheap_alloc calls on a fresh one-page heap gave "
                  "%p and %p, expected neighbours %u bytes apart: split the free block "
                  "(kheap_alloc)", p, q, 32 + KHEAP_BLOCK_HDR);
        return false;
    }
    kheap_free(&h, p);
    kheap_free(&h, q);
    const char *problem = kheap_check(&h);
    if (problem != NULL) {
        ksnprintf(why, size, "after freeing both blocks kheap_check says: %s (kheap_free "
                  "coalesces with free neighbours)", problem);
        return false;
    }
    return true;
}

static kstep_probe_fn *const steps_probe[STEPS_PROBED + 1] = {
    [1] = probe_step1, [2] = probe_step2, [3] = probe_step3, [4] = probe_step4,
    [5] = probe_step5, [6] = probe_step6, [7] = probe_step7,
};

/* ---- Panics ------------------------------------------------------------------ */

/* The first NEEDLE in HAYSTACK, or NULL. */
static const char *steps_find(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (; *haystack != '\0'; haystack++)
        if (strncmp(haystack, needle, n) == 0)
            return haystack;
    return NULL;
}

/* The step a panic points at when it follows a bad page fault that the
 * handler's fallback pinned on a step ("lab 3 step 4 (...)": a missing part
 * of the handler, not the code that faulted): the last fault report's step,
 * if that report is about the address in CR2 (the fault being reported). */
static int steps_panic_step(const char *file, const char *func)
{
    static const char mark[] = "lab 3 step ";
    static const char at[] = "bad page fault at 0x";
    const char *report = paging_last_report();
    (void)file, (void)func;
    if (report == NULL)
        return 0;
    const char *a = steps_find(report, at), *m = steps_find(report, mark);
    if (a == NULL || m == NULL)
        return 0;
    char cr2[9];
    ksnprintf(cr2, sizeof cr2, "%08lx", (unsigned long)read_cr2());
    if (strncmp(a + sizeof at - 1, cr2, 8) != 0)
        return 0;
    int step = m[sizeof mark - 1] - '0';
    return step >= 1 && step <= STEPS_PROBED ? step : 0;
}

static const struct kstep_table steps = {
    .text = steps_text, .n_text = KSTEP_LEN(steps_text),
    .probe = steps_probe, .n_probed = STEPS_PROBED,
    .tests = steps_of_test, .n_tests = KSTEP_LEN(steps_of_test),
    .panic_step = steps_panic_step,
};
KSTEP_PANIC_TABLE(steps);

int tests_lab3_first_undone(char *why, size_t size)
{
    return kstep_first_undone(&steps, why, size);
}

void tests_lab3_fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kstep_fail_at(&steps, file, line, fmt, ap);
}
