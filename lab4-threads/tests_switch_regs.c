/* tests_switch_regs.c: lab 4 tests that every switch keeps ebx/esi/edi/ebp, and of a new thread's first frame. */
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "tests_regs.h"
#include "tests_util.h"

void thread_start(void); /* switch.asm: where a first frame returns */

static void nothing(void *arg)
{
    (void)arg;
}

/* ---- thread_switch on its own: two bare contexts, canaries in registers ---- */

#define PROBE_STACK_WORDS 512
#define PROBE_FRAME_MAX 64 /* words: a first frame is 6 */

static struct thread probe_a, probe_b; /* only saved_esp is used */
static uint32_t probe_stack[PROBE_STACK_WORDS] __attribute__((aligned(16)));

static const char *const reg_names[4] = {"ebx", "esi", "edi", "ebp"};

/* Fail unless GOT[] holds WANT[] (ebx esi edi ebp). A value that is another
 * register's canary means the registers came back swapped. */
static void expect_regs(const char *when, const uint32_t got[4], const uint32_t want[4])
{
    for (int i = 0; i < 4; i++) {
        if (got[i] == want[i])
            continue;
        for (int j = 0; j < 4; j++)
            if (got[i] == want[j])
                KT_FAIL("step 2 (context switch): %s, %s held what was in %s before the switch (0x%08lx): "
                        "thread_switch must pop the registers in the reverse order "
                        "of its pushes", when, reg_names[i], reg_names[j],
                        (unsigned long)got[i]);
        KT_FAIL("step 2 (context switch): %s, %s is 0x%08lx instead of 0x%08lx: thread_switch must save and "
                "restore the callee-saved ebx, esi, edi and ebp of every thread",
                when, reg_names[i], (unsigned long)got[i], (unsigned long)want[i]);
    }
}

/* Make probe_b's stack a copy of a real new thread's first frame, with the
 * partner's entry where thread_start was: whatever layout this kernel's
 * thread_switch and first frame agree on, the probe follows it. */
static void probe_build_partner(void)
{
    struct thread *t = thread_create_named("probe", nothing, NULL, 0);
    KT_ASSERT(t != NULL);
    uint32_t words = (t->stack_top - t->saved_esp) / 4;
    const uint32_t *frame = (const uint32_t *)t->saved_esp;
    uint32_t *copy = &probe_stack[PROBE_STACK_WORDS - words];
    int entries = 0;
    if (t->saved_esp < t->stack_base || t->saved_esp >= t->stack_top || words > PROBE_FRAME_MAX) {
        scheduler_terminate(t);
        KT_FAIL("step 1 (first frame): a new thread's saved_esp 0x%08lx is not just below its stack top 0x%08lx",
                (unsigned long)t->saved_esp, (unsigned long)t->stack_top);
    }
    for (uint32_t i = 0; i < words; i++) {
        copy[i] = frame[i];
        if (frame[i] == (uint32_t)thread_start) {
            copy[i] = (uint32_t)switch_probe_partner;
            entries++;
        }
    }
    scheduler_terminate(t); /* never ran: freed at once */
    if (entries != 1)
        KT_FAIL("step 1 (first frame): a new thread's first frame holds thread_start %d times, not once", entries);
    probe_b.saved_esp = (uint32_t)copy;
}

KTEST(threads_switch_preserves_registers)
{
    TESTS_REQUIRE_THREADS();
    static const uint32_t a1[4] = REGS_PROBE_A1, a2[4] = REGS_PROBE_A2, b[4] = REGS_PROBE_B;
    probe_build_partner();
    struct switch_probe p = {.a = &probe_a, .b = &probe_b};
    enum intr_level old = intr_disable(); /* the switch's contract */
    switch_probe_run(&p);
    intr_set_level(old);
    if (p.b_entry != (uint32_t)&probe_a)
        KT_FAIL("step 2 (context switch): a new thread's first run found eax = 0x%08lx, not the thread that switched "
                "to it (0x%08lx): thread_switch must return CUR in eax",
                (unsigned long)p.b_entry, (unsigned long)&probe_a);
    if (p.a_ret1 != (uint32_t)&probe_b || p.a_ret2 != (uint32_t)&probe_b ||
        p.b_ret != (uint32_t)&probe_a)
        KT_FAIL("step 2 (context switch): thread_switch returned 0x%08lx/0x%08lx/0x%08lx, not the thread that ran "
                "before (0x%08lx/0x%08lx/0x%08lx)", (unsigned long)p.a_ret1,
                (unsigned long)p.b_ret, (unsigned long)p.a_ret2, (unsigned long)&probe_b,
                (unsigned long)&probe_a, (unsigned long)&probe_b);
    expect_regs("after a switch to a new thread and back", p.a_regs1, a1);
    expect_regs("in a thread resumed inside its own switch", p.b_regs, b);
    expect_regs("after a switch to a resumed thread and back", p.a_regs2, a2);
}

/* ---- canaries across every scheduler path that switches -------------------- */

static struct thread *path_main;
static volatile uint32_t path_thread_mask;

static void yielder_body(void *arg)
{
    for (int i = 0; i < (int)(uintptr_t)arg; i++)
        scheduler_yield();
}

static void path_yield(void *arg)
{
    (void)arg;
    int id = tests_spawn("yielder", yielder_body, (void *)3);
    for (int i = 0; i < 5; i++)
        scheduler_yield(); /* first run of the new thread, then resumes */
    thread_wait(id);
}

static void path_zombie(void *arg)
{
    (void)arg;
    int id = tests_spawn("zombie", nothing, NULL);
    thread_wait(id); /* the switch back to us comes from a dying thread */
}

static void resumer_body(void *arg)
{
    (void)arg;
    while (path_main->state != THREAD_BLOCKED)
        scheduler_yield();
    scheduler_resume(path_main);
}

static void path_block(void *arg)
{
    (void)arg;
    int id = tests_spawn("resumer", resumer_body, NULL);
    enum intr_level old = intr_disable();
    scheduler_block(); /* until the resumer resumes us */
    intr_set_level(old);
    thread_wait(id);
}

static void dispatcher_body(void *arg)
{
    (void)arg;
    thread_dispatch_to(path_main);
}

static void path_dispatch(void *arg)
{
    (void)arg;
    struct thread *t = thread_create_named("dispatch", dispatcher_body, NULL, 0);
    if (t == NULL)
        return;
    int id = thread_id(t);
    thread_dispatch_to(t); /* and it dispatches straight back */
    scheduler_resume(t);
    thread_wait(id);
}

static void path_in_thread(void *arg)
{
    (void)arg;
    path_thread_mask = regs_canary_call(path_yield, NULL);
}

static void path_thread_wait(void *arg)
{
    (void)arg;
    thread_wait(tests_spawn("canaries", path_in_thread, NULL));
}

KTEST(threads_registers_across_switch_paths)
{
    TESTS_REQUIRE_THREADS();
    static const struct {
        const char *what;
        void (*fn)(void *);
    } paths[] = {
        {"a yield to a new thread and its resumptions", path_yield},
        {"a switch back from a thread that ended (zombie)", path_zombie},
        {"scheduler_block and scheduler_resume", path_block},
        {"thread_dispatch_to there and back", path_dispatch},
        {"a thread's own yields (canaries in a thread, not main)", path_thread_wait},
    };
    char names[32];
    path_main = thread_current();
    path_thread_mask = 0;
    for (unsigned i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        uint32_t bad = regs_canary_call(paths[i].fn, NULL);
        if (bad != 0)
            KT_FAIL("step 2 (context switch): %s changed main's %s: every switch must keep ebx, esi, edi, ebp",
                    paths[i].what, regs_mask_names(bad, names));
    }
    if (path_thread_mask != 0)
        KT_FAIL("step 2 (context switch): yields in a thread changed its %s: every switch must keep ebx, esi, "
                "edi, ebp", regs_mask_names(path_thread_mask, names));
}

/* ---- the first frame: ebp = 0 and a zero return address end the chain ----- */

static volatile uint32_t ff_start_ebp, ff_start_ret, ff_top_word, ff_arg;
static volatile bool ff_top_inside;

static void first_frame_body(void *arg)
{
    struct thread *me = thread_current();
    const uint32_t *body = __builtin_frame_address(0);
    const uint32_t *first_run = (const uint32_t *)body[0]; /* thread_first_run's frame */
    ff_arg = (uint32_t)arg;
    ff_start_ebp = first_run[0];   /* the ebp thread_start ran with */
    ff_start_ret = first_run[1];   /* the return address into thread_start */
    /* first_run[2] is thread_start's argument (prev); above it, the word
     * thread_start's entry esp pointed at: its own return address. */
    ff_top_inside = (uint32_t)&first_run[3] < me->stack_top;
    ff_top_word = ff_top_inside ? first_run[3] : 0xFFFFFFFFu;
}

KTEST(threads_first_frame_ends_chain)
{
    TESTS_REQUIRE_THREADS();
    ff_start_ebp = ff_start_ret = ff_top_word = 0xFFFFFFFFu;
    ff_top_inside = false;
    thread_wait(tests_spawn("frame", first_frame_body, (void *)0x5EED));
    KT_ASSERT_EQ_HEX(ff_arg, 0x5EED);
    if (ff_start_ret - (uint32_t)thread_start > 16)
        KT_FAIL("step 1 (first frame): thread_first_run was called from 0x%08lx, not from thread_start "
                "(0x%08lx): the first frame must return into thread_start",
                (unsigned long)ff_start_ret, (unsigned long)thread_start);
    if (ff_start_ebp != 0)
        KT_FAIL("step 1 (first frame): thread_start ran with ebp = 0x%08lx: the first frame's ebp word must be "
                "0 (it ends the frame-pointer chain of backtraces)",
                (unsigned long)ff_start_ebp);
    if (!ff_top_inside)
        KT_FAIL("step 1 (first frame): thread_start's frame has no return-address word below stack_top: the "
                "first frame starts with a 0 word at the top of the stack");
    if (ff_top_word != 0)
        KT_FAIL("step 1 (first frame): thread_start's return address is 0x%08lx, not 0: the first frame starts "
                "with a 0 word at the top of the stack (it ends backtraces)",
                (unsigned long)ff_top_word);
}
