/* tests_user_bounds.c: lab 7's exact-boundary invariants: the ring-3 descriptors, user copies at the user range's edges, a new directory's extent, fork's page copy. */
#include "common/intr_level.h"
#include "common/kstring.h"
#include "lab1-boot/gdt.h"
#include "lab2-frames/phys_mem.h"
#include "lab3-paging/page_table.h"
#include "lab3-paging/vm.h"
#include "kmap.h"
#include "setup.h"
#include "tests_user_util.h"
#include "trap.h"
#include "uaccess.h"
#include "ucow.h"
#include "uvm.h"

/* ---- the int 0x80 gate and the user segments, as the CPU reads them ----- */

#define BOUNDS_GATE_TYPE   0xEEu       /* present, DPL 3, 32-bit interrupt gate */
#define BOUNDS_LAR_MASK    0x00F0FE00u /* lar: access byte but "accessed", and G D/B L AVL */
#define BOUNDS_LAR_CODE    0x00C0FA00u /* 4 KiB pages, 32-bit; present DPL 3 code, readable */
#define BOUNDS_LAR_DATA    0x00C0F200u /* 4 KiB pages, 32-bit; present DPL 3 data, writable */
#define BOUNDS_FLAT_LIMIT  0xFFFFFFFFu /* lsl of a flat 4 GiB segment */

/* lar SEL: its access rights (0 if the CPU refuses to tell). */
static uint32_t bounds_lar(uint16_t sel)
{
    uint32_t ar = 0;
    uint8_t ok;
    __asm__ volatile("lar %2, %0\n\tsetz %1" : "+r"(ar), "=q"(ok) : "r"((uint32_t)sel) : "cc");
    return ok ? ar : 0;
}

/* lsl SEL: its limit in bytes (0 if the CPU refuses to tell). */
static uint32_t bounds_lsl(uint16_t sel)
{
    uint32_t limit = 0;
    uint8_t ok;
    __asm__ volatile("lsl %2, %0\n\tsetz %1" : "+r"(limit), "=q"(ok) : "r"((uint32_t)sel) : "cc");
    return ok ? limit : 0;
}

/* verr / verw SEL: may code at privilege RPL 3 read / write through it. */
static bool bounds_verr(uint16_t sel)
{
    uint8_t ok;
    __asm__ volatile("verr %w1\n\tsetz %0" : "=q"(ok) : "r"(sel) : "cc");
    return ok;
}

static bool bounds_verw(uint16_t sel)
{
    uint8_t ok;
    __asm__ volatile("verw %w1\n\tsetz %0" : "=q"(ok) : "r"(sel) : "cc");
    return ok;
}

/* The gate's bytes for HANDLER, as the CPU reads an interrupt gate. */
static void bounds_gate_expected(uint8_t out[8], uint32_t handler)
{
    out[0] = (uint8_t)handler;
    out[1] = (uint8_t)(handler >> 8);
    out[2] = (uint8_t)GDT_KERNEL_CODE;
    out[3] = (uint8_t)(GDT_KERNEL_CODE >> 8);
    out[4] = 0;
    out[5] = BOUNDS_GATE_TYPE;
    out[6] = (uint8_t)(handler >> 16);
    out[7] = (uint8_t)(handler >> 24);
}

/* Every bit of any handler address reaches the gate, and all 8 bytes are
 * written: the real gate's test sees only syscall_entry's address, whose
 * bits depend on where the linker put it. */
KTEST(user_gate_encodes_any_handler)
{
    USER_REQUIRE();
    static const uint32_t handlers[] = {0x00000000u, 0xFFFFFFFFu, 0x12345678u,
                                        0x87654321u, 0xA5A5A5A5u, 0x5A5A5A5Au};
    for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++) {
        uint8_t got[8], want[8];
        memset(got, 0xCC, sizeof got); /* no byte may keep what was there */
        bounds_gate_expected(want, handlers[i]);
        ring3_gate_encode(got, handlers[i]);
        for (int b = 0; b < 8; b++)
            if (got[b] != want[b])
                KT_FAIL("ring3_gate_encode(gate, 0x%08lx) must write every byte of the "
                        "gate (offset in bytes 0-1 and 6-7, selector 0x%02x, byte 4 zero, "
                        "type 0x%02x): byte %d is 0x%02x, expected 0x%02x",
                        (unsigned long)handlers[i], GDT_KERNEL_CODE, BOUNDS_GATE_TYPE, b,
                        got[b], want[b]);
    }
}

KTEST(user_gate_and_segments_architectural)
{
    USER_REQUIRE();
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idt;
    __asm__ volatile("sidt %0" : "=m"(idt));
    const uint8_t *g = (const uint8_t *)idt.base + SYSCALL_VECTOR * 8;
    uint32_t offset = g[0] | (g[1] << 8) | ((uint32_t)g[6] << 16) | ((uint32_t)g[7] << 24);
    uint32_t selector = g[2] | (g[3] << 8);
    if (offset != (uint32_t)syscall_entry || selector != GDT_KERNEL_CODE || g[4] != 0 ||
        g[5] != BOUNDS_GATE_TYPE)
        KT_FAIL("the int 0x80 gate must be the architectural 32-bit interrupt gate, every byte: "
                "offset = syscall_entry 0x%08lx, selector 0x%02x, byte 4 (reserved) 0, type "
                "0x%02x (present, DPL 3); got offset 0x%08lx, selector 0x%04lx, byte 4 0x%02x, "
                "type 0x%02x", (unsigned long)(uint32_t)syscall_entry, GDT_KERNEL_CODE,
                BOUNDS_GATE_TYPE, (unsigned long)offset, (unsigned long)selector, g[4], g[5]);

    uint32_t code = bounds_lar(USER_CS), data = bounds_lar(USER_DS);
    if ((code & BOUNDS_LAR_MASK) != BOUNDS_LAR_CODE || !bounds_verr(USER_CS) ||
        bounds_verw(USER_CS))
        KT_FAIL("the user code segment must be present, DPL 3, code, readable (verr) and never "
                "writable (verw), 32-bit with 4 KiB granularity: lar 0x%08lx expected, got "
                "0x%08lx (verr %d, verw %d)", (unsigned long)BOUNDS_LAR_CODE,
                (unsigned long)(code & BOUNDS_LAR_MASK), bounds_verr(USER_CS),
                bounds_verw(USER_CS));
    if ((data & BOUNDS_LAR_MASK) != BOUNDS_LAR_DATA || !bounds_verr(USER_DS) ||
        !bounds_verw(USER_DS))
        KT_FAIL("the user data segment must be present, DPL 3, data (not code), readable and "
                "writable (verr, verw), 32-bit with 4 KiB granularity: lar 0x%08lx expected, got "
                "0x%08lx (verr %d, verw %d)", (unsigned long)BOUNDS_LAR_DATA,
                (unsigned long)(data & BOUNDS_LAR_MASK), bounds_verr(USER_DS),
                bounds_verw(USER_DS));
    uint32_t lc = bounds_lsl(USER_CS), ld = bounds_lsl(USER_DS);
    if (lc != BOUNDS_FLAT_LIMIT || ld != BOUNDS_FLAT_LIMIT)
        KT_FAIL("the user segments must be flat, limit 0x%08lx (4 GiB): code 0x%08lx, data "
                "0x%08lx", (unsigned long)BOUNDS_FLAT_LIMIT, (unsigned long)lc,
                (unsigned long)ld);
}

/* ---- user copies at the edges of the user range ------------------------ */

struct bounds_case {
    uint32_t uaddr, len;
    bool write, ok; /* ok: wholly inside the user range, on mapped user pages */
    const char *what;
};

/* Pages the probe maps (nothing else is mapped next to them): the user
 * range's first and last page. */
#define BOUNDS_FIRST_PAGE USER_LO
#define BOUNDS_LAST_PAGE  (USER_HI - PAGE_SIZE)

static const struct bounds_case bounds_cases[] = {
    {USER_LO, 16, false, true, "16 bytes starting exactly at USER_LO"},
    {USER_LO, PAGE_SIZE, true, true,
     "the whole first user page (it ends on a page boundary; the page after it is unmapped)"},
    {USER_LO - 1, 2, false, false, "2 bytes starting one byte below USER_LO"},
    {USER_HI - 16, 16, true, true, "16 bytes ending exactly at USER_HI"},
    {USER_HI - PAGE_SIZE, PAGE_SIZE, false, true, "the whole last user page, ending at USER_HI"},
    {USER_HI - 16, 17, false, false, "17 bytes from USER_HI - 16: one byte past USER_HI"},
    {USER_HI - PAGE_SIZE, 0xFFFFFFFFu, false, false,
     "a range from the last user page that wraps around 4 GiB (ends one byte before it)"},
    {USER_LO + 8, 0xFFFFFFFCu, true, false,
     "a range from USER_LO + 8 that wraps around 4 GiB to USER_LO + 4"},
    {USER_HI - 16, 0x40000010u, false, false, "a range ending exactly at 4 GiB (wraps to 0)"},
    {USER_HI, 0, true, true, "zero bytes at USER_HI (length 0 is always fine)"},
    {0, 0, false, true, "zero bytes at address 0 (length 0 is always fine)"},
    {USTACK_TOP - 16, 16, true, true, "16 bytes at the top of the stack"},
};
#define BOUNDS_CASES (sizeof bounds_cases / sizeof bounds_cases[0])

static volatile int bounds_rc[BOUNDS_CASES];
static volatile int bounds_setup_rc;
static volatile bool bounds_copied;

/* Where the probe process's thread goes instead of ring 3 (in ring 0, as a
 * system call would run): map the user range's first and last page, check
 * every case, copy through the last bytes below USER_HI, then exit. */
static void __attribute__((noreturn, used)) bounds_probe(void)
{
    struct process *p = proc_current();
    bounds_setup_rc = uvm_map_zero(&p->us, BOUNDS_FIRST_PAGE, true);
    if (bounds_setup_rc == 0)
        bounds_setup_rc = uvm_map_zero(&p->us, BOUNDS_LAST_PAGE, true);
    if (bounds_setup_rc == 0) {
        for (unsigned i = 0; i < BOUNDS_CASES; i++)
            bounds_rc[i] = uaccess_check(bounds_cases[i].uaddr, bounds_cases[i].len,
                                         bounds_cases[i].write);
        static const char out[] = "user range edge"; /* 16 bytes with its NUL */
        char in[16] = {0};
        bounds_copied = copy_to_user(USER_HI - sizeof out, out, sizeof out) == 0 &&
                        copy_from_user(in, USER_HI - sizeof in, sizeof in) == 0 &&
                        memcmp(in, out, sizeof in) == 0;
    }
    proc_exit(ABI_STATUS_EXITED(0));
}

KTEST(user_copy_ranges_exact)
{
    USER_REQUIRE();
    user_expect_exit("hello", user_run("hello"), 0); /* warm-up */
    struct user_baseline b;
    user_baseline_take(&b);
    for (unsigned i = 0; i < BOUNDS_CASES; i++)
        bounds_rc[i] = 1;
    bounds_setup_rc = 1;
    bounds_copied = false;

    /* Before its thread runs, make the process's first "return to ring 3"
     * land in bounds_probe in ring 0, in that process's address space. */
    enum intr_level old = intr_disable();
    int pid = user_start_in_ring0("hello", bounds_probe);
    intr_set_level(old);
    int status = -1;
    KT_ASSERT_EQ(proc_wait(pid, &status), pid);
    user_expect_exit("hello (probe of user ranges)", status, 0);
    KT_ASSERT_EQ(bounds_setup_rc, 0);

    for (unsigned i = 0; i < BOUNDS_CASES; i++) {
        const struct bounds_case *c = &bounds_cases[i];
        int want = c->ok ? 0 : -E_FAULT;
        if (bounds_rc[i] != want)
            KT_FAIL("a user copy must accept exactly the ranges wholly inside [USER_LO, USER_HI) "
                    "on mapped user pages and refuse every other: %s ([0x%08lx, +0x%08lx), %s) "
                    "must give %d, uaccess_check gave %d", c->what, (unsigned long)c->uaddr,
                    (unsigned long)c->len, c->write ? "write" : "read", want, bounds_rc[i]);
    }
    if (!bounds_copied)
        KT_FAIL("copy_to_user and copy_from_user of the 16 bytes just below USER_HI must both "
                "succeed and give back what was written");
    USER_ASSERT_NO_LEAK(&b, "a process that mapped the user range's first and last page");
}

/* ---- a new directory: its user part at the edges, its one frame -------- */

/* Kernel-directory tables the test makes at the user range's edges (lab 3's
 * pools may put tables anywhere in it). */
static const uint32_t bounds_edge_va[] = {USER_LO, USER_HI - PAGING_TABLE_SPAN};
#define BOUNDS_EDGES (sizeof bounds_edge_va / sizeof bounds_edge_va[0])
#define BOUNDS_SENTINEL 0x5A5A5A5Au
#define BOUNDS_NO_FRAME 0ul

/* The words of kernel frames the test holds: word 0 its content, word 1 the
 * next frame of the chain. */
#define BOUNDS_LINK 1

static uint32_t *bounds_frame(unsigned long f)
{
    return phys_to_ptr(f << PAGE_SHIFT);
}

/* Take every free frame of the kernel pool, chained through word BOUNDS_LINK
 * (returns the head), except FIRST: one frame whose next frame is taken too
 * (*NEXT; BOUNDS_NO_FRAME if no two were adjacent), left taken outside the
 * chain. Interrupts off. */
static unsigned long bounds_take_all(unsigned long *first, unsigned long *next)
{
    struct cont_frame_pool *pool = paging_kernel_pool();
    unsigned long head = BOUNDS_NO_FRAME, f;
    *first = *next = BOUNDS_NO_FRAME;
    while ((f = cfp_get_frames(pool, 1)) != BOUNDS_NO_FRAME) {
        if (*first == BOUNDS_NO_FRAME && head != BOUNDS_NO_FRAME && f == head + 1) {
            *first = head;              /* head leaves the chain: it becomes the directory */
            head = bounds_frame(head)[BOUNDS_LINK];
            *next = f;
        }
        bounds_frame(f)[BOUNDS_LINK] = head;
        head = f;
    }
    return head;
}

static void bounds_give_back(unsigned long head)
{
    while (head != BOUNDS_NO_FRAME) {
        unsigned long next = bounds_frame(head)[BOUNDS_LINK];
        cfp_release_frames(head);
        head = next;
    }
}

/* Clear the user-part entries of PD that are the kernel directory's (so the
 * teardown cannot free the kernel's tables). Interrupts off. */
static void bounds_drop_kernel_tables(uint32_t *pd, const uint32_t *kpd)
{
    for (uint32_t i = USER_LO >> PAGING_PDE_SHIFT; i < USER_HI >> PAGING_PDE_SHIFT; i++)
        if (pte_present(pd[i]) && pte_frame(pd[i]) == pte_frame(kpd[i]))
            pd[i] = 0;
}

KTEST(user_directory_exact_extent)
{
    USER_REQUIRE();
    const uint32_t *kpd = phys_to_ptr(paging_kernel_pt()->pd_frame << PAGE_SHIFT);
    struct user_baseline b;
    user_baseline_take(&b);

    /* 1. The kernel directory holds tables in the first and the last user
     * PDE (made here unless an earlier lab's test left one there): a new
     * directory's user part is still empty. */
    enum intr_level old = intr_disable();
    bool made = true, ours[BOUNDS_EDGES];
    unsigned long n_ours = 0;
    for (unsigned e = 0; e < BOUNDS_EDGES; e++) {
        ours[e] = !pte_present(kpd[bounds_edge_va[e] >> PAGING_PDE_SHIFT]);
        if (ours[e] && made) {
            made = paging_ensure_table(bounds_edge_va[e]);
            n_ours += made;
        }
    }
    struct uspace us;
    int rc = made ? uvm_create(&us) : -1;
    uint32_t got[BOUNDS_EDGES] = {0};
    if (rc == 0) {
        for (unsigned e = 0; e < BOUNDS_EDGES; e++)
            got[e] = us.pd[bounds_edge_va[e] >> PAGING_PDE_SHIFT];
        bounds_drop_kernel_tables(us.pd, kpd);
        uvm_destroy(&us);
    }
    intr_set_level(old);
    unsigned long reclaimed = 0;
    for (unsigned e = 0; e < BOUNDS_EDGES; e++)
        if (ours[e])
            reclaimed += page_table_reclaim_tables(paging_kernel_pt(), bounds_edge_va[e],
                                                   bounds_edge_va[e] + PAGING_TABLE_SPAN);
    if (!made)
        KT_FAIL("lab 7 test setup: no frame for a kernel table at the user range's edges");
    KT_ASSERT_EQ(rc, 0);
    KT_ASSERT_EQ(reclaimed, n_ours);
    for (unsigned e = 0; e < BOUNDS_EDGES; e++)
        if (got[e] != 0)
            KT_FAIL("a new directory's user part (PDEs of [USER_LO, USER_HI)) must be empty "
                    "whatever the kernel directory holds there: PDE %lu (0x%08lx) is 0x%08lx "
                    "(the kernel's is a table there)",
                    (unsigned long)(bounds_edge_va[e] >> PAGING_PDE_SHIFT),
                    (unsigned long)bounds_edge_va[e], (unsigned long)got[e]);

    /* 2. The directory is one frame: creating it writes nothing past it.
     * With the kernel pool otherwise full, it gets the frame just before
     * one the test holds, filled with a sentinel. */
    unsigned long dir = 0, next = 0;
    old = intr_disable();
    unsigned long chain = bounds_take_all(&dir, &next);
    uint32_t after = 0;
    unsigned long took = BOUNDS_NO_FRAME;
    rc = -1;
    if (next != BOUNDS_NO_FRAME) {
        bounds_frame(next)[0] = BOUNDS_SENTINEL;
        cfp_release_frames(dir);
        rc = uvm_create(&us);
        after = bounds_frame(next)[0];
        took = us.pd_frame;
        if (rc == 0)
            uvm_destroy(&us);
        cfp_release_frames(next);
    }
    bounds_give_back(chain);
    intr_set_level(old);
    if (next == BOUNDS_NO_FRAME)
        KT_FAIL("lab 7 test setup: no two adjacent free frames in the kernel pool");
    KT_ASSERT_EQ(rc, 0);
    if (took != dir)
        KT_FAIL("lab 7 test setup: with one free kernel frame (%lu), uvm_create took %lu", dir,
                took);
    if (after != BOUNDS_SENTINEL)
        KT_FAIL("a directory is one frame: creating it must write nothing past it, but word 0 "
                "of the next frame (%lu) went from 0x%08lx to 0x%08lx", next,
                (unsigned long)BOUNDS_SENTINEL, (unsigned long)after);
    USER_ASSERT_NO_LEAK(&b, "two new directories");
}

/* ---- fork's copy: every byte, the same writability --------------------- */

#define BOUNDS_RO_VA USER_LOAD_BASE                /* like a program's text */
#define BOUNDS_RW_VA (USER_LOAD_BASE + PAGE_SIZE)  /* like its data */

static uint8_t bounds_page[PAGE_SIZE];

/* Pattern SEED: no byte 0, and different from page to page. */
static void bounds_fill(uint8_t seed)
{
    for (uint32_t i = 0; i < PAGE_SIZE; i++)
        bounds_page[i] = (uint8_t)((i * 7u + seed) % 255u + 1u);
}

/* The first byte offset where VA in US differs from bounds_page, -1 if
 * none. Interrupts off. */
static int bounds_differs(struct uspace *us, uint32_t va)
{
    uint32_t pte = uvm_pte(us, va);
    if (!pte_present(pte))
        return 0;
    const uint8_t *got = kmap(KMAP_DATA, pte_frame(pte));
    int at = -1;
    for (uint32_t i = 0; i < PAGE_SIZE && at < 0; i++)
        if (got[i] != bounds_page[i])
            at = (int)i;
    kunmap(KMAP_DATA);
    return at;
}

KTEST(user_fork_copy_exact)
{
    USER_REQUIRE();
    struct user_baseline b;
    user_baseline_take(&b);
    struct uspace src, dst;
    KT_ASSERT_EQ(uvm_create(&src), 0);
    KT_ASSERT_EQ(uvm_create(&dst), 0);
    static const uint32_t va[] = {BOUNDS_RO_VA, BOUNDS_RW_VA};
    static const bool writable[] = {false, true};
    for (unsigned k = 0; k < 2; k++) {
        KT_ASSERT_EQ(uvm_map_zero(&src, va[k], writable[k]), 0);
        bounds_fill((uint8_t)(k + 1));
        KT_ASSERT_EQ(uvm_write(&src, va[k], bounds_page, PAGE_SIZE), 0);
    }
    enum intr_level old = intr_disable();
    uvm_activate(&src);
    int rc = uvm_copy(&dst, &src);
    uvm_activate(NULL);
    uint32_t pte[2];
    int differs[2];
    for (unsigned k = 0; k < 2; k++) {
        pte[k] = uvm_pte(&dst, va[k]);
        bounds_fill((uint8_t)(k + 1));
        differs[k] = bounds_differs(&dst, va[k]);
    }
    intr_set_level(old);
    uvm_destroy(&dst);
    uvm_destroy(&src);
    KT_ASSERT_EQ(rc, 0);
    for (unsigned k = 0; k < 2; k++) {
        bool present_user = (pte[k] & (PTE_PRESENT | PTE_USER)) == (PTE_PRESENT | PTE_USER);
        /* copy-on-write fork (a challenge) keeps a writable page read-only until a write */
        bool can_write = (pte[k] & PTE_WRITABLE) || (pte[k] & PTE_COW);
        if (!present_user || can_write != writable[k])
            KT_FAIL("fork gives the child every page with the parent's writability: the "
                    "parent's %s page at 0x%08lx is 0x%08lx in the child",
                    writable[k] ? "writable" : "read-only", (unsigned long)va[k],
                    (unsigned long)pte[k]);
        if (differs[k] >= 0)
            KT_FAIL("fork gives the child a copy of every byte of every page: byte %d of the "
                    "%s page at 0x%08lx differs", differs[k],
                    writable[k] ? "writable" : "read-only", (unsigned long)va[k]);
    }
    USER_ASSERT_NO_LEAK(&b, "a copied address space");
}
