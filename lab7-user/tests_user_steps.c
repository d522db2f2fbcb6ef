/* tests_user_steps.c: the handout step of each lab 7 test (README, "What to implement"), put in front of its failures. */
#include <stdarg.h>

#include "common/format.h"
#include "common/kstring.h"
#include "tests_user_steps.h"

#define STEP_GATE   "steps 1 and 3 (the int 0x80 gate; the switch hook: esp0 and CR3)"
#define STEP_UVM    "step 2 (the directory's kernel part; uvm_map_zero's user entry)"
#define STEP_START  "steps 4-5 (spawn's start registers and push_args; the system-call dispatch)"
#define STEP_CALLS  "step 5 (the system-call dispatch; uaccess's range check)"
#define STEP_WAIT   "step 6 (exit's hand-off to the first process and the zombie; wait's reaping)"
#define STEP_FAULT  "step 7 (ufault.c: a demand page, or the end of the process)"
#define STEP_FORK   "step 8 (fork's copy of the pages; the child's frame)"
#define STEP_ELF    "step 9 (elf.c: the segment checks)"

static const struct {
    const char *test;
    const char *step;
} user_steps[] = {
    {"user_tss_stack_follows_thread", STEP_GATE},
    {"user_directory_shares_kernel_part", STEP_UVM},
    {"user_heap_regions_first_fit", STEP_UVM},
    {"user_directory_user_part_private", STEP_UVM},
    {"user_hello_runs_in_ring3", STEP_START},
    {"user_args_reach_main", STEP_START},
    {"user_exit_codes", STEP_START},
    {"user_spawn_errors", STEP_CALLS},
    {"user_bad_pointers_refused", STEP_CALLS},
    {"user_wait_and_zombies", STEP_WAIT},
    {"user_orphans_adopted", STEP_WAIT},
    {"user_zombie_orphan_reaped", STEP_WAIT},
    {"user_kill_spinning", STEP_WAIT},
    {"user_many_processes", STEP_WAIT},
    {"user_stack_grows_to_limit", STEP_FAULT},
    {"user_out_of_memory", STEP_FAULT},
    {"user_privileged_instructions_end_process", STEP_FAULT},
    {"user_memory_violations_end_process", STEP_FAULT},
    {"user_cross_process_read_ends_reader", STEP_FAULT},
    {"user_system_goes_on_after_faults", STEP_FAULT},
    {"user_fork_memory_independent", STEP_FORK},
    {"uimage_valid_with_programs", STEP_ELF},
    {"uimage_every_program_parses", STEP_ELF},
    {"uimage_broken_copy_refused", STEP_ELF},
    {"uimage_parser_limits", STEP_ELF},
};

const char *tests_user_step_of(const char *name)
{
    for (unsigned i = 0; name != NULL && i < sizeof user_steps / sizeof user_steps[0]; i++)
        if (strcmp(user_steps[i].test, name) == 0)
            return user_steps[i].step;
    return NULL;
}

static bool names_step(const char *msg)
{
    return strncmp(msg, "step ", 5) == 0 || strncmp(msg, "steps ", 6) == 0 ||
           strncmp(msg, "lab", 3) == 0;
}

void tests_user_fail_at(const char *file, int line, const char *fmt, ...)
{
    static char msg[400];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *step = tests_user_step_of(ktest_current());
    if (step == NULL || names_step(msg))
        ktest_fail_at(file, line, "%s", msg);
    ktest_fail_at(file, line, "%s: %s", step, msg);
}
