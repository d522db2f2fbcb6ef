/* tests_preempt_regs.c: lab 5 test that a timer preemption gives a thread back every register it had. */
#include "common/intr_level.h"
#include "lab1-boot/pit.h"
#include "lab4-threads/tests_regs.h"
#include "tests_rr_util.h"

#define PR_THREADS 2
#define PR_RESUMES 6 /* times each spinner must be preempted and resumed */

static volatile uint32_t pr_mask[PR_THREADS];
static volatile bool pr_done[PR_THREADS];

static struct thread *pr_thread[PR_THREADS];

/* True when a spinner ended (a register changed) or each was preempted and
 * resumed PR_RESUMES times. Interrupts off: a spinner cannot end (and be
 * freed) while we read its dispatch count. */
static bool pr_progress(void)
{
    enum intr_level old = intr_disable();
    bool done = pr_done[0] || pr_done[1] ||
                (pr_thread[0]->dispatches > PR_RESUMES && pr_thread[1]->dispatches > PR_RESUMES);
    intr_set_level(old);
    return done;
}

static void pr_body(void *arg)
{
    int k = (int)(uintptr_t)arg;
    pr_mask[k] = regs_canary_spin(); /* never yields: only preemption switches */
    pr_done[k] = true;
}

KTEST(rr_preemption_keeps_registers)
{
    TESTS_REQUIRE_RR();
    struct thread **t = pr_thread;
    int ids[PR_THREADS];
    char names[32];
    regs_spin_stop = 0;
    for (int k = 0; k < PR_THREADS; k++) {
        pr_mask[k] = 0;
        pr_done[k] = false;
        t[k] = thread_create_named("canary", pr_body, (void *)(uintptr_t)k, 0);
        KT_ASSERT(t[k] != NULL);
        ids[k] = thread_id(t[k]);
    }
    for (int k = 0; k < PR_THREADS; k++)
        scheduler_add(t[k]);
    /* Each spinner's dispatch count grows by one per preemption survived. */
    uint32_t slice = rr_quantum_ticks() + rr_jitter_ticks();
    bool ok = TESTS_RR_SLEEP_UNTIL(pr_progress(), (PR_RESUMES + 2) * 3 * slice * 4 + 500);
    regs_spin_stop = 1;
    tests_wait_all(ids, PR_THREADS);
    for (int k = 0; k < PR_THREADS; k++)
        if (pr_mask[k] != 0)
            KT_FAIL("a thread preempted by the timer got back %s changed: a preemption "
                    "must restore every register of the interrupted thread",
                    regs_mask_names(pr_mask[k], names));
    if (!ok)
        KT_FAIL("the canary spinners were not preempted %d times each", PR_RESUMES);
}
