/* tests_user_layout.c: lab 7's layout invariants: every byte of a new process's first stack page, orphans in any slot, a reaped child gone before interrupts return, no exception level left by a fault. */
#include "common/format.h"
#include "common/intr_level.h"
#include "common/kstring.h"
#include "lab1-boot/input.h"
#include "lab1-boot/intr.h"
#include "lab3-paging/page_table.h"
#include "lab4-threads/scheduler.h"
#include "kmap.h"
#include "setup.h"
#include "tests_user_util.h"
#include "trap.h"
#include "uvm.h"

#define LAYOUT_ROUNDS 100000  /* yields to wait for a state change (a count, not time) */
#define LAYOUT_TICKS 500      /* timer ticks to wait for a killed spinner to leave the table */
#define EFLAGS_TF 0x00000100u /* the trap flag: a #DB after every instruction */

/* ---- The initial stack: every byte push_args writes, and none other ----- */

static uint8_t stack_copy[PAGE_SIZE]; /* the stack's first page, as the process would see it */

/* Copy the stack page below USTACK_TOP of US into stack_copy: false if it is
 * not mapped. Interrupts off. */
static bool layout_read_stack(struct uspace *us)
{
    uint32_t pte = uvm_pte(us, USTACK_TOP - PAGE_SIZE);
    if (!pte_present(pte))
        return false;
    memcpy(stack_copy, kmap(KMAP_DATA, pte_frame(pte)), PAGE_SIZE);
    kunmap(KMAP_DATA);
    return true;
}

/* The 32-bit word at user address VA of the copied stack page. */
static uint32_t layout_word(uint32_t va)
{
    uint32_t w;
    memcpy(&w, &stack_copy[va - (USTACK_TOP - PAGE_SIZE)], sizeof w);
    return w;
}

/* The byte at user address VA of the copied stack page. */
static uint8_t layout_byte(uint32_t va)
{
    return stack_copy[va - (USTACK_TOP - PAGE_SIZE)];
}

/*
 * Spawn ARGV (ARGC words) with interrupts off, so its thread cannot run yet,
 * and check the stack page spawn built against the System V i386 layout the
 * user library relies on (user/README.md), byte by byte:
 *   the strings packed top down, argv[argc-1]'s NUL the last byte below
 *   USTACK_TOP, each one's copy exact with its NUL; below them, 4-byte
 *   aligned with at most 3 zero bytes of padding, NULL = argv[argc], the
 *   pointers argv[argc-1] .. argv[0] and argc, at the stack pointer the
 *   process starts with; every byte below that pointer still 0.
 * Then the process is killed before it ever enters ring 3, and reaped.
 */
static void layout_check(const char *what, int argc, char *const argv[])
{
    enum intr_level old = intr_disable();
    int pid = proc_spawn(argv[0], argc, argv);
    struct process *p = pid > 0 ? proc_by_pid(pid) : NULL;
    bool mapped = p != NULL && layout_read_stack(&p->us);
    uint32_t esp = p != NULL ? p->start.user_esp : 0;
    bool entered = p != NULL && p->entered;
    int killed = pid > 0 ? proc_kill(pid) : pid;
    intr_set_level(old);
    int st = 0;
    int reaped = pid > 0 ? proc_wait(pid, &st) : pid;

    if (pid <= 0)
        KT_FAIL("%s: spawn must give a pid, got error %d", what, pid);
    KT_ASSERT_EQ(killed, 0);
    KT_ASSERT_EQ(reaped, pid);
    if (entered)
        KT_FAIL("%s: a new process must not run before spawn returns to a caller that has "
                "interrupts off", what);
    if (!mapped)
        KT_FAIL("%s: the stack page below USTACK_TOP (0x%08x) must be mapped at spawn", what,
                USTACK_TOP);

    /* The strings, top down from USTACK_TOP, packed. */
    uint32_t str_lo = USTACK_TOP;
    for (int i = argc - 1; i >= 0; i--)
        str_lo -= (uint32_t)strlen(argv[i]) + 1;
    uint32_t array_end = str_lo & ~3u; /* one past argv[argc] */
    uint32_t want_esp = array_end - (uint32_t)(argc + 1) * 4 - 4;
    if (esp != want_esp)
        KT_FAIL("%s: the initial stack pointer must be 0x%08x, got 0x%08x: the strings "
                "(%u bytes, NULs included) packed right below USTACK_TOP, then, 4-byte "
                "aligned with at most 3 bytes of padding, argv[argc] = NULL, argv[] and argc "
                "(argc at [esp], argv[0] at [esp+4])", what, want_esp, esp,
                USTACK_TOP - str_lo);
    if (layout_word(esp) != (uint32_t)argc)
        KT_FAIL("%s: [esp] must be argc = %d, got %u", what, argc, layout_word(esp));
    uint32_t at = str_lo;
    for (int i = 0; i < argc; i++) {
        uint32_t ptr = layout_word(esp + 4 + 4 * (uint32_t)i);
        uint32_t len = (uint32_t)strlen(argv[i]) + 1;
        if (ptr != at)
            KT_FAIL("%s: argv[%d] (at [esp+%d]) must point at its string, packed right "
                    "after argv[%d]'s NUL (0x%08x), got 0x%08x", what, i, 4 + 4 * i, i - 1,
                    at, ptr);
        for (uint32_t k = 0; k < len; k++)
            if (layout_byte(at + k) != (uint8_t)argv[i][k])
                KT_FAIL("%s: byte %u of argv[%d] (\"%s\", NUL-terminated) at 0x%08x must be "
                        "0x%02x, got 0x%02x: nothing written later may overlap a string",
                        what, k, i, argv[i], at + k, (uint8_t)argv[i][k],
                        layout_byte(at + k));
        at += len;
    }
    if (layout_word(esp + 4 + 4 * (uint32_t)argc) != 0)
        KT_FAIL("%s: argv[argc] (at [esp+%d]) must be NULL, got 0x%08x", what, 4 + 4 * argc,
                layout_word(esp + 4 + 4 * (uint32_t)argc));
    for (uint32_t va = array_end; va < str_lo; va++)
        if (layout_byte(va) != 0)
            KT_FAIL("%s: the padding between argv[argc] and the strings (0x%08x..0x%08x) "
                    "must stay 0, byte 0x%08x is 0x%02x: nothing is written past the "
                    "argv array", what, array_end, str_lo, va, layout_byte(va));
    for (uint32_t va = USTACK_TOP - PAGE_SIZE; va < esp; va++)
        if (layout_byte(va) != 0)
            KT_FAIL("%s: every byte below the initial stack pointer 0x%08x must be 0 (a "
                    "fresh page, nothing pushed there), byte 0x%08x is 0x%02x", what, esp,
                    va, layout_byte(va));
}

KTEST(user_initial_stack_every_byte)
{
    USER_REQUIRE();
    static char arg_buf[ABI_ARGV_MAX][8];
    char *one[] = {"t_spin"};
    layout_check("spawn t_spin", 1, one);
    /* Padding of 1 byte (7 bytes of strings), 1 (19), 3 (9), 2 (10), 0 (68). */
    char *mixed[] = {"t_spin", "a", "bc", "", "defgh"};
    layout_check("spawn t_spin a bc \"\" defgh", 5, mixed);
    char *two[] = {"t_spin", "x"};
    layout_check("spawn t_spin x", 2, two);
    char *three[] = {"t_spin", "xy"};
    layout_check("spawn t_spin xy", 2, three);
    /* ABI_ARGV_MAX words, 7 + 5 + 4 * 14 = 68 bytes of strings: no padding,
     * so the lowest string's first byte lies right above argv[argc]. */
    char *full[ABI_ARGV_MAX];
    full[0] = "t_spin";
    full[1] = "abcd";
    for (int i = 2; i < ABI_ARGV_MAX; i++) {
        ksnprintf(arg_buf[i], sizeof arg_buf[i], "a%02d", i);
        full[i] = arg_buf[i];
    }
    layout_check("spawn t_spin with ABI_ARGV_MAX arguments", ABI_ARGV_MAX, full);
    /* argc 0: no strings, argv[0] = NULL right below USTACK_TOP. */
    layout_check("spawn t_spin with argc 0", 0, one);
}

/* ---- An orphan is adopted whichever slot of the table it lies in -------- */

/* Type LINE on the console, as COM1's interrupt handler would. */
static void layout_type(const char *line)
{
    enum intr_level old = intr_disable();
    for (const char *s = line; *s != '\0'; s++)
        input_push(*s);
    intr_set_level(old);
}

/* The live process named NAME (its procinfo in *INFO), or -1. */
static int layout_find(const char *name, struct abi_procinfo *info)
{
    for (int i = 0; proc_info(i, info) == 0; i++)
        if (strcmp(info->name, name) == 0)
            return info->pid;
    return -1;
}

/* One round: the shell's background child, in the table's first slot,
 * must be adopted by the kernel when the shell exits, and freed once killed. */
static void orphan_slot_round(void)
{
    /* A holder takes the table's first slot, the shell the next one; once
     * the holder is reaped, the shell's background child gets the first
     * slot, below its parent's. */
    int holder = user_start("t_spin");
    int sh = user_start("sh");
    int st = 0;
    KT_ASSERT_EQ(proc_kill(holder), 0);
    KT_ASSERT_EQ(proc_wait(holder, &st), holder);
    layout_type("bg t_spin\nexit\n");
    int reaped = proc_wait(sh, &st);
    struct abi_procinfo info;
    int orphan = layout_find("t_spin", &info);
    int ppid = info.ppid;
    enum intr_level old = intr_disable();
    bool parent_gone = orphan >= 0 && ppid != 0 && proc_by_pid(ppid) == NULL;
    intr_set_level(old);
    int killed = orphan >= 0 ? proc_kill(orphan) : -1;
    int ticks = 0;
    for (; orphan >= 0 && ticks < LAYOUT_TICKS && layout_find("t_spin", &info) == orphan;
         ticks++)
        scheduler_sleep(1);

    KT_ASSERT_EQ(reaped, sh);
    user_expect_exit("sh (bg t_spin, exit)", st, 0);
    if (orphan < 0)
        KT_FAIL("the shell's background 't_spin' spins until killed: it must still be listed "
                "after the shell exits");
    if (ppid != 0)
        KT_FAIL("when a process exits, every child of it, in whichever slot of the table, "
                "must be adopted (here by the kernel, ppid 0: there is no first process): "
                "pid %d still names its parent %d, which is %s", orphan, ppid,
                parent_gone ? "gone" : "a zombie");
    KT_ASSERT_EQ(killed, 0);
    if (ticks == LAYOUT_TICKS)
        KT_FAIL("an orphan the kernel adopted must leave the table once it ends: pid %d still "
                "listed (state %d) %d ticks after kill", orphan, info.state, ticks);
}

KTEST(user_orphan_in_any_slot_adopted)
{
    USER_REQUIRE();
    if (proc_count() != 0)
        KT_FAIL("lab 7 test setup: %u processes left by an earlier test", proc_count());
    /* The first round also warms up what a first run of the shell keeps
     * for the rest of the boot; the second must give everything back. */
    orphan_slot_round();
    struct user_baseline b;
    user_baseline_take(&b);
    orphan_slot_round();
    USER_ASSERT_NO_LEAK(&b, "a shell's orphaned background program");
}

/* ---- wait frees what it reports before interrupts come back on --------- */

#define LAYOUT_NO_STATUS 0x7fffffff /* no wait status looks like this */

static volatile int probe_status;     /* what the probed wait reports */
static volatile int probe_pid;        /* the child it reaps */
static volatile bool probe_on;        /* single-stepping the probed wait */
static volatile unsigned long probe_steps, probe_seen, probe_eip;
static exception_handler_fn *probe_prev;

/* After every instruction of the probed wait: count an instruction that
 * runs with interrupts on once the status is reported but the child is
 * still in the table. Other #DB go to the handler before. */
static bool probe_step(struct intr_frame *f)
{
    if (!probe_on || trap_from_user(f))
        return probe_prev != NULL && probe_prev(f);
    probe_steps++;
    if ((f->eflags & EFLAGS_IF) && probe_status != LAYOUT_NO_STATUS &&
        proc_by_pid(probe_pid) != NULL && probe_seen++ == 0)
        probe_eip = f->eip;
    return true;
}

KTEST(user_reaped_child_gone_before_interrupts)
{
    USER_REQUIRE();
    int pid = user_start("exitcode 7");
    struct abi_procinfo info;
    for (int i = 0; i < LAYOUT_ROUNDS; i++) {
        if (layout_find("exitcode", &info) == pid && info.state == ABI_PROC_ZOMBIE)
            break;
        scheduler_yield();
    }
    bool zombie = layout_find("exitcode", &info) == pid && info.state == ABI_PROC_ZOMBIE;
    probe_status = LAYOUT_NO_STATUS;
    probe_pid = pid;
    probe_steps = probe_seen = 0;
    probe_prev = exception_chain(VEC_DEBUG, probe_step);
    probe_on = true;
    /* Trap after every instruction of proc_wait (TF; each #DB clears it
     * for its handler and iret brings it back), interrupts on. */
    __asm__ volatile("pushfl; orl %0, (%%esp); popfl" : : "i"(EFLAGS_TF) : "memory", "cc");
    int r = proc_wait(pid, (int *)&probe_status);
    __asm__ volatile("pushfl; andl %0, (%%esp); popfl" : : "i"(~EFLAGS_TF) : "memory", "cc");
    probe_on = false;
    exception_chain(VEC_DEBUG, probe_prev);

    if (!zombie)
        KT_FAIL("'exitcode 7' (pid %d) must be a zombie before it is waited for", pid);
    KT_ASSERT_EQ(r, pid);
    user_expect_exit("exitcode 7", probe_status, 7);
    if (probe_steps == 0)
        KT_FAIL("lab 7 test setup: single-stepping proc_wait saw no instruction");
    if (probe_seen != 0)
        KT_FAIL("wait must free a child's slot before it gives interrupts back: %lu "
                "instructions (the first at eip 0x%08lx) ran with interrupts on after pid "
                "%d's status was reported while it was still in the table (an interrupt "
                "there sees a child that is already reaped)", probe_seen, probe_eip, pid);
}

/* ---- A fault that ends a process leaves no exception level behind ------ */

KTEST(user_fault_leaves_no_exception_level)
{
    USER_REQUIRE();
    static const struct {
        const char *line;
        int reason, alt;
    } faults[] = {
        {"t_div0", VEC_DIVIDE, VEC_DIVIDE},
        {"t_mem read", ABI_KILLED_MEMORY, VEC_PAGE_FAULT},
        {"t_priv cli", ABI_KILLED_PRIV, VEC_GP},
    };
    int before = exception_nesting_depth();
    if (before != 0)
        KT_FAIL("lab 7 test setup: a test thread must run outside every exception handler, "
                "lab 1 counts %d levels", before);
    for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        int st = user_run(faults[i].line);
        int depth = exception_nesting_depth();
        user_expect_killed(faults[i].line, st, faults[i].reason, faults[i].alt);
        if (depth != 0)
            KT_FAIL("'%s': a fault that ends a process never returns from its handler, so "
                    "the handler must forget the exception level it was entered at: once "
                    "the process is reaped lab 1 still counts %d (stale levels pile up "
                    "until a later exception is reported as nested %d deep)", faults[i].line,
                    depth, EXCEPTION_NEST_MAX);
    }
}
