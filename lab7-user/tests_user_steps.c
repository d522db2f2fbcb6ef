/* tests_user_steps.c: the handout step of each lab 7 test (README, "What to implement"), put in front of its failures and of panics in the step's code. */
#include <stdarg.h>

#include "common/kstep.h"
#include "tests_user_steps.h"

/* The steps as the tests see them (groups of the README's table), then the
 * steps only a panic names. Never probed: the tests say what is wrong. */
enum {
    STEP_GATE = 1,
    STEP_UVM,
    STEP_START,
    STEP_CALLS,
    STEP_WAIT,
    STEP_FAULT,
    STEP_FORK,
    STEP_ELF,
    STEP_COW,   /* the challenge (not a step: optional) */
    STEP_RING3, /* ring3.c alone: its descriptors' test, and panics */
    STEP_SWITCH,
    STEP_SPAWN,
    STEP_PROC,
};

static const char *const user_step_text[] = {
    [STEP_GATE] = "steps 1 and 3 (the int 0x80 gate; the switch hook: esp0 and CR3)",
    [STEP_UVM] = "step 2 (the directory's kernel part; uvm_map_zero's user entry)",
    [STEP_START] = "steps 4-5 (spawn's start registers and push_args; the system-call dispatch)",
    [STEP_CALLS] = "step 5 (the system-call dispatch; uaccess's range check)",
    [STEP_WAIT] = "step 6 (exit's hand-off to the first process and the zombie; wait's reaping)",
    [STEP_FAULT] = "step 7 (ufault.c: a demand page, or the end of the process)",
    [STEP_FORK] = "step 8 (fork's copy of the pages; the child's frame)",
    [STEP_ELF] = "step 9 (elf.c: the segment checks)",
    [STEP_COW] = "challenge (copy-on-write fork)",
    [STEP_RING3] = "step 1 (ring3.c: the DPL-3 segments and the int 0x80 gate)",
    [STEP_SWITCH] = "step 3 (proc.c: the switch hook: esp0 and CR3)",
    [STEP_SPAWN] = "step 4 (proc.c: spawn's start registers; push_args)",
    [STEP_PROC] = "steps 3, 4, 6 or 8 (proc.c: the switch hook, spawn, exit and wait, fork)",
};

static const struct kstep_test user_steps[] = {
    {"user_tss_stack_follows_thread", STEP_GATE},
    {"user_gate_and_segments_architectural", STEP_RING3},
    {"user_directory_shares_kernel_part", STEP_UVM},
    {"user_heap_regions_first_fit", STEP_UVM},
    {"user_directory_user_part_private", STEP_UVM},
    {"user_directory_exact_extent", STEP_UVM},
    {"user_hello_runs_in_ring3", STEP_START},
    {"user_args_reach_main", STEP_START},
    {"user_exit_codes", STEP_START},
    {"user_enters_with_user_segments", STEP_START},
    {"user_initial_stack_every_byte", STEP_START},
    {"user_spawn_errors", STEP_CALLS},
    {"user_bad_pointers_refused", STEP_CALLS},
    {"user_range_refused_before_pages", STEP_CALLS},
    {"user_copy_ranges_exact", STEP_CALLS},
    {"user_wait_and_zombies", STEP_WAIT},
    {"user_orphans_adopted", STEP_WAIT},
    {"user_zombie_orphan_reaped", STEP_WAIT},
    {"user_kernel_orphans_freed", STEP_WAIT},
    {"user_orphan_in_any_slot_adopted", STEP_WAIT},
    {"user_reaped_child_gone_before_interrupts", STEP_WAIT},
    {"user_kill_spinning", STEP_WAIT},
    {"user_kill_wakes_console_reader", STEP_WAIT},
    {"user_many_processes", STEP_WAIT},
    {"user_kernel_fault_ends_process", STEP_WAIT},
    {"user_stack_grows_to_limit", STEP_FAULT},
    {"user_out_of_memory", STEP_FAULT},
    {"user_privileged_instructions_end_process", STEP_FAULT},
    {"user_memory_violations_end_process", STEP_FAULT},
    {"user_fault_report_names_function", STEP_FAULT},
    {"user_fault_leaves_no_exception_level", STEP_FAULT},
    {"user_cross_process_read_ends_reader", STEP_FAULT},
    {"user_system_goes_on_after_faults", STEP_FAULT},
    {"user_fork_memory_independent", STEP_FORK},
    {"user_fork_copy_exact", STEP_FORK},
    {"uimage_valid_with_programs", STEP_ELF},
    {"uimage_every_program_parses", STEP_ELF},
    {"uimage_broken_copy_refused", STEP_ELF},
    {"uimage_parser_limits", STEP_ELF},
    {"user_cow_*", STEP_COW},
};

/* Which step owns the code a panic (an assertion, a kernel fault) happened
 * in: the student-written functions first, then their files; a panic in
 * shared code is pinned on the first of these functions among its callers. */
static const struct kstep_code user_code[] = {
    {"uvm_create", STEP_UVM},
    {"uvm_map_zero", STEP_UVM},
    {"uvm_copy", STEP_FORK},
    {"proc_fork", STEP_FORK},
    {"proc_switch_hook", STEP_SWITCH},
    {"push_args", STEP_SPAWN},
    {"proc_spawn", STEP_SPAWN},
    {"proc_exit", STEP_WAIT},
    {"proc_wait", STEP_WAIT},
    {"syscall_dispatch", STEP_CALLS},
    {"uaccess_check", STEP_CALLS},
    {"ufault_handler", STEP_FAULT},
    {"elf_check_segment", STEP_ELF},
    {"ring3_init", STEP_RING3},
    {"ucow_share", STEP_COW},
    {"ucow_break", STEP_COW},
    {"lab7-user/ring3.c", STEP_RING3},
    {"lab7-user/uvm.c", STEP_UVM},
    {"lab7-user/proc.c", STEP_PROC},
    {"lab7-user/syscall.c", STEP_CALLS},
    {"lab7-user/uaccess.c", STEP_CALLS},
    {"lab7-user/ufault.c", STEP_FAULT},
    {"lab7-user/elf.c", STEP_ELF},
    {"lab7-user/ucow.c", STEP_COW},
};

static const struct kstep_table user_table = {
    .text = user_step_text, .n_text = KSTEP_LEN(user_step_text), .keep_named = true,
    .tests = user_steps, .n_tests = KSTEP_LEN(user_steps),
    .code = user_code, .n_code = KSTEP_LEN(user_code),
};
KSTEP_PANIC_TABLE(user_table);

const char *tests_user_step_of(const char *name)
{
    return kstep_text(&user_table, kstep_of_test(&user_table, name));
}

void tests_user_fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kstep_fail_at(&user_table, file, line, fmt, ap);
}
