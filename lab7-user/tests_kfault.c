/* tests_kfault.c: lab 7's test that a kernel fault in a process's thread ends the process (killed by the vector), reaped and leak-free. */
#include <stdint.h>

#include "common/intr_level.h"
#include "lab1-boot/intr.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread_fault.h"
#include "setup.h"
#include "tests_user_util.h"

#define KFAULT_PROGRAM    "hello"
#define KFAULT_WAIT_TICKS 200 /* ticks the victim's thread may take to run and fault */

/* Where the victim's thread goes instead of ring 3: a kernel bug (#UD) in
 * ring 0, in the process's thread, as in a faulty system call. */
static void __attribute__((noreturn, used)) kfault_victim(void)
{
    __asm__ volatile("ud2");
    for (;;)
        __asm__ volatile("hlt");
}

static const char *kfault_state_name(enum proc_state st)
{
    return st == PROC_ALIVE ? "ALIVE" : st == PROC_ZOMBIE ? "a ZOMBIE" : "gone (FREE)";
}

KTEST(user_kernel_fault_ends_process)
{
    USER_REQUIRE();
    user_expect_exit(KFAULT_PROGRAM, user_run(KFAULT_PROGRAM), 0); /* warm-up */
    struct user_baseline b;
    user_baseline_take(&b);

    /* Spawn it and, before its thread runs, make that thread's first
     * "return to ring 3" land in kfault_victim in ring 0 instead. */
    enum intr_level old = intr_disable();
    int pid = user_start_in_ring0(KFAULT_PROGRAM, kfault_victim);
    unsigned long faults = thread_fault_exceptions();
    intr_set_level(old);

    for (int i = 0; i < KFAULT_WAIT_TICKS && thread_fault_exceptions() == faults; i++)
        scheduler_sleep(1);
    if (thread_fault_exceptions() == faults)
        KT_FAIL("lab 4's thread-fault path never ended process %d's thread after %d ticks "
                "(its thread should run kfault_victim's ud2 in ring 0)", pid,
                KFAULT_WAIT_TICKS);
    enum proc_state st = user_state_of(pid);
    if (st != PROC_ZOMBIE)
        KT_FAIL("a kernel fault (#UD in ring 0) ended process %d's thread, so the process "
                "must end as if killed by vector %d (a zombie its parent's wait reaps), but "
                "it is %s: the process slot, its memory and its parent's wait are left "
                "behind (proc_kfault.c, lab 4's thread abort hook)", pid, VEC_INVALID_OPCODE,
                kfault_state_name(st));
    int status = 0;
    KT_ASSERT_EQ(proc_wait(pid, &status), pid);
    if (status != ABI_STATUS_KILLED(VEC_INVALID_OPCODE))
        KT_FAIL("the wait status of a process whose thread took #UD in the kernel must be "
                "killed by vector %d (0x%x), got 0x%x", VEC_INVALID_OPCODE,
                ABI_STATUS_KILLED(VEC_INVALID_OPCODE), status);
    KT_ASSERT(user_state_of(pid) == PROC_FREE);
    USER_ASSERT_NO_LEAK(&b, "a process ended by a kernel fault in its thread");
}
