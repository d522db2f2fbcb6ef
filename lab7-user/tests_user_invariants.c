/* tests_user_invariants.c: lab 7's invariants that hold whatever the kernel did before: a new directory's parts, an orphaned zombie reaped by its adopter. */
#include "common/intr_level.h"
#include "common/kstring.h"
#include "lab2-frames/phys_mem.h"
#include "lab3-paging/page_table.h"
#include "lab3-paging/vm.h"
#include "lab4-threads/scheduler.h"
#include "setup.h"
#include "tests_user_util.h"
#include "uvm.h"

#define INV_KERNEL_TABLE_VA UHEAP_BASE /* a user-range address the kernel maps a table at */
#define INV_ROUNDS 100000             /* yields to wait for a state change (a count, not time) */

static const uint32_t *kernel_pd(void)
{
    return phys_to_ptr(paging_kernel_pt()->pd_frame << PAGE_SHIFT);
}

/* The first PDE of directory PD that breaks the rule "the kernel part
 * (below USER_LO, from USER_HI on) equals the kernel directory's, the
 * recursive entry points at PD_FRAME, and a user-part entry is absent or a
 * user table of the process's own (PTE_USER, not the kernel's)"; EMPTY:
 * every user-part entry must be absent. -1 if none; *WHY says which rule. */
static int directory_breaks(const uint32_t *pd, unsigned long pd_frame, bool empty,
                            const char **why)
{
    const uint32_t *kpd = kernel_pd();
    for (uint32_t i = 0; i < PAGING_ENTRIES; i++) {
        uint32_t va = i << PAGING_PDE_SHIFT;
        if (i == PAGING_RECURSIVE_SLOT) {
            *why = "the recursive entry must point at the directory itself";
            if (!pte_present(pd[i]) || pte_frame(pd[i]) != pd_frame)
                return (int)i;
        } else if (va < USER_LO || va >= USER_HI) {
            *why = "a kernel-part entry must equal the kernel directory's";
            if (pd[i] != kpd[i])
                return (int)i;
        } else if (pte_present(pd[i])) {
            *why = empty ? "a new directory's user-part entry must not be present"
                         : "a user-part entry must be a user table of the process's own, "
                           "never the kernel directory's";
            if (empty || !(pd[i] & PTE_USER) || pd[i] == kpd[i])
                return (int)i;
        }
    }
    return -1;
}

/* Clear the user part of PD where it holds the kernel's tables (so tearing
 * it down cannot free them). Interrupts any. */
static void drop_kernel_tables(uint32_t *pd)
{
    const uint32_t *kpd = kernel_pd();
    enum intr_level old = intr_disable();
    for (uint32_t i = USER_LO >> PAGING_PDE_SHIFT; i < USER_HI >> PAGING_PDE_SHIFT; i++)
        if (pte_present(pd[i]) && pte_frame(pd[i]) == pte_frame(kpd[i]))
            pd[i] = 0;
    intr_set_level(old);
}

KTEST(user_directory_user_part_private)
{
    USER_REQUIRE();
    const uint32_t *kpd = kernel_pd();
    uint32_t slot = INV_KERNEL_TABLE_VA >> PAGING_PDE_SHIFT;
    if (pte_present(kpd[slot]))
        KT_FAIL("lab 7 test setup: the kernel directory already maps 0x%08lx",
                (unsigned long)INV_KERNEL_TABLE_VA);
    /* The kernel directory holds a table in the user range (lab 3's pools do
     * that): no process directory may take it over. */
    enum intr_level old = intr_disable();
    bool made = paging_ensure_table(INV_KERNEL_TABLE_VA);
    intr_set_level(old);
    if (!made)
        KT_FAIL("lab 7 test setup: no frame for a kernel table at 0x%08lx",
                (unsigned long)INV_KERNEL_TABLE_VA);

    const char *why = "";
    int bad_new = -1, bad_live = -1;
    uint32_t got_new = 0, got_live = 0;
    struct uspace us;
    int r = uvm_create(&us);
    if (r == 0) {
        bad_new = directory_breaks(us.pd, us.pd_frame, true, &why);
        got_new = bad_new >= 0 ? us.pd[bad_new] : 0;
        drop_kernel_tables(us.pd);
        uvm_destroy(&us);
    }
    const char *why_live = "";
    int pid = user_start("t_spin");
    int st = 0;
    enum intr_level o2 = intr_disable();
    struct process *p = proc_by_pid(pid);
    if (p != NULL && p->us.pd != NULL) {
        bad_live = directory_breaks(p->us.pd, p->us.pd_frame, false, &why_live);
        got_live = bad_live >= 0 ? p->us.pd[bad_live] : 0;
        drop_kernel_tables(p->us.pd);
    }
    intr_set_level(o2);
    int killed = proc_kill(pid);
    int reaped = proc_wait(pid, &st);
    old = intr_disable();
    unsigned long freed = page_table_reclaim_tables(paging_kernel_pt(), INV_KERNEL_TABLE_VA,
                                                    INV_KERNEL_TABLE_VA + PAGING_TABLE_SPAN);
    intr_set_level(old);

    KT_ASSERT_EQ(r, 0);
    if (bad_new >= 0)
        KT_FAIL("%s: PDE %d (0x%08lx) of a new directory is 0x%08lx, the kernel's is 0x%08lx "
                "(the kernel directory had a table in the user range)", why, bad_new,
                (unsigned long)bad_new << PAGING_PDE_SHIFT, (unsigned long)got_new,
                (unsigned long)kpd[bad_new]);
    if (bad_live >= 0)
        KT_FAIL("%s: PDE %d (0x%08lx) of spawned 't_spin' is 0x%08lx, the kernel's is 0x%08lx",
                why_live, bad_live, (unsigned long)bad_live << PAGING_PDE_SHIFT,
                (unsigned long)got_live, (unsigned long)kpd[bad_live]);
    KT_ASSERT_EQ(killed, 0);
    KT_ASSERT_EQ(reaped, pid);
    if (freed != 1)
        KT_FAIL("the kernel's own table at 0x%08lx must survive every process's teardown "
                "(reclaimed %lu tables, expected 1)", (unsigned long)INV_KERNEL_TABLE_VA, freed);
}

/* The first process named NAME in the table (a zombie too): its pid, or -1;
 * INFO gets what proc_info says of it. */
static int find_named(const char *name, struct abi_procinfo *info)
{
    for (int i = 0; proc_info(i, info) == 0; i++)
        if (strcmp(info->name, name) == 0)
            return info->pid;
    return -1;
}

/* One round of the adopted-zombie check: init waits for t_spin while
 * t_zorphan leaves it a zombie. Fails the test unless init reaps it. */
static void zombie_orphan_round(void)
{
    /* init (the first process) waits for its child t_spin, which never ends. */
    int init = user_start("init t_spin");
    int spin = -1;
    for (int i = 0; i < INV_ROUNDS && (spin = user_find("t_spin", init)) < 0; i++)
        scheduler_yield();
    KT_ASSERT(spin > 0);
    struct abi_procinfo info;
    for (int i = 0; i < INV_ROUNDS; i++) {
        if (find_named("init", &info) == init && info.state == ABI_PROC_BLOCKED)
            break;
        scheduler_yield();
    }
    bool init_waited = find_named("init", &info) == init && info.state == ABI_PROC_BLOCKED;
    /* t_zorphan's child is a zombie when t_zorphan exits: init adopts it. */
    int st = user_run("t_zorphan");
    int orphan = -1, rounds = 0;
    for (; rounds < INV_ROUNDS && (orphan = find_named("t_zorphan", &info)) >= 0; rounds++)
        scheduler_yield();
    int orphan_state = info.state, orphan_ppid = info.ppid;
    int ist = 0;
    int killed = proc_kill(spin);
    int reaped = proc_wait(init, &ist);

    KT_ASSERT(init_waited);
    user_expect_exit("t_zorphan", st, 0);
    if (orphan >= 0)
        KT_FAIL("a child that is already a zombie when its parent exits must wake its adopter "
                "(init, pid %d, blocked in wait), which reaps it: pid %d is still listed "
                "(state %d, ppid %d) after %d yields", init, orphan, orphan_state, orphan_ppid,
                rounds);
    KT_ASSERT_EQ(killed, 0);
    KT_ASSERT_EQ(reaped, init);
    user_expect_exit("init t_spin", ist, 0);
}

KTEST(user_zombie_orphan_reaped)
{
    USER_REQUIRE();
    /* The first round also warms up what a first run of init keeps for the
     * rest of the boot; the second must give everything back. */
    zombie_orphan_round();
    struct user_baseline b;
    user_baseline_take(&b);
    zombie_orphan_round();
    USER_ASSERT_NO_LEAK(&b, "an orphaned zombie and its adopter");
}

#define INV_TICKS 500 /* timer ticks to wait for a killed sleeper to end (it sleeps 1-2) */

KTEST(user_kernel_orphans_freed)
{
    USER_REQUIRE();
    if (proc_count() != 0)
        KT_FAIL("lab 7 test setup: %u processes left by an earlier test", proc_count());
    struct user_baseline b;
    user_baseline_take(&b);
    struct abi_procinfo info;
    /* No first process: the kernel adopts orphans and frees them itself. */
    int st = user_run("t_zorphan");
    int z = find_named("t_zorphan", &info);
    user_expect_exit("t_zorphan", st, 0);
    if (z >= 0)
        KT_FAIL("with no first process, an orphan that is already a zombie when its parent "
                "exits must be freed at once: pid %d is still listed (state %d, ppid %d)", z,
                info.state, info.ppid);
    st = user_run("t_zorphan alive");
    user_expect_exit("t_zorphan alive", st, 0);
    int orphan = find_named("t_zorphan", &info);
    if (orphan < 0)
        KT_FAIL("the child of 't_zorphan alive' sleeps until killed: it must still be listed");
    if (info.ppid != 0)
        KT_FAIL("with no first process, an orphan's parent must be the kernel (ppid 0), got %d",
                info.ppid);
    int w = proc_wait(orphan, &st);
    KT_ASSERT_EQ(proc_kill(orphan), 0);
    int ticks = 0;
    for (; ticks < INV_TICKS && find_named("t_zorphan", &info) == orphan; ticks++)
        scheduler_sleep(1);
    if (w != -E_CHILD)
        KT_FAIL("an orphan the kernel adopted is reaped by the kernel itself: wait for it must "
                "give -E_CHILD, got %d", w);
    if (ticks == INV_TICKS)
        KT_FAIL("an orphan the kernel adopted must leave the table once it ends: pid %d still "
                "listed (state %d) %d ticks after kill", orphan, info.state, ticks);
    USER_ASSERT_NO_LEAK(&b, "orphans the kernel adopted");
}

KTEST(user_enters_with_user_segments)
{
    USER_REQUIRE();
    user_expect_exit("t_segs", user_run("t_segs"), 0);
}

KTEST(user_range_refused_before_pages)
{
    USER_REQUIRE();
    user_expect_exit("t_range", user_run("t_range"), 0);
}
