/* tests_quantum_atomic.c: lab 5 test that the timer never sees a half-made quantum setting, judged instruction by instruction with the CPU's single-step trap. */
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/ktest.h"
#include "common/x86.h"
#include "lab1-boot/intr.h"
#include "rr.h"
#include "tests_rr_util.h"

/*
 * A tick can arrive before any instruction that runs with interrupts on.
 * The test single-steps rr_set_quantum_ms and rr_set_quantum_ticks called
 * with interrupts on: the trap flag raises #DB after every instruction, and
 * the handler reads the settings (rr_quantum_ms, rr_quantum_ticks,
 * rr_jitter_ticks) at each instruction boundary where IF = 1. There they
 * must be wholly the old ones or wholly the new ones: a part-old, part-new
 * setting there is one a timer tick could see. Whether a tick really comes
 * then does not matter, so the verdict does not depend on timing.
 */

#define QA_VEC_DEBUG 1            /* #DB: raised after each instruction while TF = 1 */
#define QA_EFLAGS_TF 0x00000100u  /* trap flag */
#define QA_OLD_MS 12
#define QA_NEW_MS 30

struct qa_settings {
    unsigned long ms;
    uint32_t ticks, jitter;
};

static struct qa_state {
    struct qa_settings before, after; /* the settings before and after the call */
    unsigned long steps;     /* instructions stepped */
    unsigned long steps_on;  /* of them, with interrupts on */
    unsigned long mixed;     /* of those, with a part-old part-new setting */
    uint32_t mixed_eip;      /* where the first of those was */
    struct qa_settings seen; /* and what it saw */
} qa;

static void qa_read(struct qa_settings *s)
{
    s->ms = rr_quantum_ms();
    s->ticks = rr_quantum_ticks();
    s->jitter = rr_jitter_ticks();
}

static bool qa_same(const struct qa_settings *a, const struct qa_settings *b)
{
    return a->ms == b->ms && a->ticks == b->ticks && a->jitter == b->jitter;
}

/* #DB after one stepped instruction (interrupts off): judge the settings. */
static bool qa_on_step(struct intr_frame *frame)
{
    qa.steps++;
    if (!(frame->eflags & EFLAGS_IF))
        return true;
    qa.steps_on++;
    struct qa_settings now;
    qa_read(&now);
    if (!qa_same(&now, &qa.before) && !qa_same(&now, &qa.after) && qa.mixed++ == 0) {
        qa.mixed_eip = frame->eip;
        qa.seen = now;
    }
    return true;
}

static inline void qa_trap_on(void)
{
    __asm__ volatile("pushfl; orl %0, (%%esp); popfl" : : "i"(QA_EFLAGS_TF) : "memory", "cc");
}

static inline void qa_trap_off(void)
{
    __asm__ volatile("pushfl; andl %0, (%%esp); popfl" : : "i"(~QA_EFLAGS_TF) : "memory", "cc");
}

/* Step rr_set_quantum_ms(MS) (TICKS == 0) or rr_set_quantum_ticks(TICKS)
 * from BEFORE to AFTER; returns the number of mixed steps with IF = 1. */
static unsigned long qa_step_one(unsigned long ms, uint32_t ticks,
                                 const struct qa_settings *before,
                                 const struct qa_settings *after)
{
    qa.before = *before;
    qa.after = *after;
    qa.mixed = 0;
    qa_trap_on();
    if (ticks == 0)
        rr_set_quantum_ms(ms);
    else
        rr_set_quantum_ticks(ticks);
    qa_trap_off();
    return qa.mixed;
}

static void qa_report(const char *call)
{
    KT_FAIL("step 2 (quantum settings): with interrupts on, the settings must be wholly "
            "old or wholly new (a tick could see them); %s ran %lu instructions with "
            "interrupts on and them half made (eip %#lx: %lu ms/%lu ticks/jitter %lu; "
            "before %lu/%lu/%lu, after %lu/%lu/%lu): update both in one critical section",
            call, qa.mixed, (unsigned long)qa.mixed_eip,
            qa.seen.ms, (unsigned long)qa.seen.ticks, (unsigned long)qa.seen.jitter,
            qa.before.ms, (unsigned long)qa.before.ticks, (unsigned long)qa.before.jitter,
            qa.after.ms, (unsigned long)qa.after.ticks, (unsigned long)qa.after.jitter);
}

KTEST(rr_quantum_setting_atomic)
{
    TESTS_REQUIRE_RR();
    if (intr_get_level() != INTR_ON)
        KT_FAIL("the test must start with interrupts on");
    uint32_t saved = rr_quantum_ticks();
    struct qa_settings old_s, new_s, back_s;
    /* The settings each call should leave, found without stepping. */
    rr_set_quantum_ms(QA_NEW_MS);
    qa_read(&new_s);
    rr_set_quantum_ms(QA_OLD_MS);
    qa_read(&old_s);
    rr_set_quantum_ticks(old_s.ticks);
    qa_read(&back_s);
    rr_set_quantum_ms(QA_OLD_MS);
    if (old_s.ms == new_s.ms || old_s.ticks == new_s.ticks || !qa_same(&old_s, &back_s)) {
        rr_set_quantum_ticks(saved);
        KT_FAIL("step 2 (quantum settings): %d and %d ms must give different settings, and "
                "rr_set_quantum_ticks(%lu) the same as %d ms (got %lu ms, %lu ticks and "
                "%lu ms, %lu ticks; by ticks %lu ms)", QA_OLD_MS, QA_NEW_MS,
                (unsigned long)old_s.ticks, QA_OLD_MS, old_s.ms,
                (unsigned long)old_s.ticks, new_s.ms, (unsigned long)new_s.ticks, back_s.ms);
    }
    qa.steps = qa.steps_on = 0;
    exception_handler_fn *prev = exception_chain(QA_VEC_DEBUG, qa_on_step);
    unsigned long by_ms = qa_step_one(QA_NEW_MS, 0, &old_s, &new_s);
    struct qa_settings ms_seen = qa.seen, ms_before = qa.before, ms_after = qa.after;
    uint32_t ms_eip = qa.mixed_eip;
    unsigned long by_ticks = qa_step_one(0, old_s.ticks, &new_s, &old_s);
    exception_chain(QA_VEC_DEBUG, prev);
    rr_set_quantum_ticks(saved);
    if (qa.steps_on == 0)
        KT_FAIL("no instruction was single-stepped with interrupts on (%lu stepped): the "
                "test saw nothing", qa.steps);
    if (by_ms != 0) {
        qa.mixed = by_ms;
        qa.seen = ms_seen;
        qa.before = ms_before;
        qa.after = ms_after;
        qa.mixed_eip = ms_eip;
        qa_report("rr_set_quantum_ms");
    }
    if (by_ticks != 0)
        qa_report("rr_set_quantum_ticks");
}
