/* tests_threads.c: lab 4 tests of threads: identity, dispatch, first run, exit paths, stacks, guard page, faults. */
#include "common/format.h"
#include "common/intr_level.h"
#include "common/kstring.h"
#include "lab1-boot/pit.h"
#include "thread_fault.h"
#include "thread_stack.h"
#include "thread_demos.h"
#include "tests_util.h"

static void nothing(void *arg)
{
    (void)arg;
}

KTEST(threads_main_is_thread0)
{
    TESTS_REQUIRE_THREADS();
    struct thread *me = thread_current();
    KT_ASSERT_EQ(thread_id(me), 0);
    KT_ASSERT_STR_EQ(thread_name(me), "main");
    KT_ASSERT_EQ(me->state, THREAD_RUNNING);
    KT_ASSERT_STR_EQ(thread_name(scheduler_idle_thread()), "idle");

    struct thread *a = thread_create(nothing, NULL, 0);
    struct thread *b = thread_create_named("bee", nothing, NULL, 3 * 4096 - 100);
    KT_ASSERT(a != NULL && b != NULL);
    KT_ASSERT(thread_id(b) > thread_id(a) && thread_id(a) > 0);
    KT_ASSERT_EQ(a->state, THREAD_NEW);
    KT_ASSERT_STR_EQ(thread_name(b), "bee");
    KT_ASSERT_EQ(b->stack_top - b->stack_base, 3 * 4096); /* rounded up to pages */
    KT_ASSERT_EQ(a->stack_top - a->stack_base, THREAD_STACK_DEFAULT);
    KT_ASSERT_EQ(b->stack_base - b->stack_region, 4096); /* guard page below */
    thread_set_name(a, "a-rather-long-thread-name");
    KT_ASSERT_EQ(strlen(thread_name(a)), THREAD_NAME_MAX - 1);
    KT_ASSERT(thread_alive(thread_id(a)));
    KT_ASSERT(thread_create(nothing, NULL, THREAD_STACK_MAX + 1) == NULL);
    int ida = thread_id(a);
    scheduler_terminate(a); /* never ran: freed at once */
    scheduler_terminate(b);
    KT_ASSERT(!thread_alive(ida));
    KT_ASSERT_EQ(thread_end_of(ida), THREAD_END_TERMINATED);
}

/* ---- thread_dispatch_to: the CPU handed over directly, both ways ---------- */

static struct thread *disp_main, *disp_self;
static volatile int disp_step;
static volatile bool disp_saw_self;

static void disp_body(void *arg)
{
    (void)arg;
    disp_saw_self = thread_current() == disp_self;
    disp_step = 1;
    thread_dispatch_to(disp_main); /* we are BLOCKED until main resumes us */
    disp_step = disp_step == 2 ? 3 : -1;
}

KTEST(threads_dispatch_to)
{
    TESTS_REQUIRE_THREADS();
    disp_main = thread_current();
    disp_step = 0;
    disp_self = thread_create_named("disp", disp_body, NULL, 0);
    KT_ASSERT(disp_self != NULL);
    int id = thread_id(disp_self);
    thread_dispatch_to(disp_self); /* main is BLOCKED until disp dispatches back */
    KT_ASSERT_EQ(disp_step, 1);
    KT_ASSERT(disp_saw_self);
    KT_ASSERT_EQ(thread_current(), disp_main);
    KT_ASSERT_EQ(disp_main->state, THREAD_RUNNING);
    KT_ASSERT_EQ(disp_self->state, THREAD_BLOCKED);
    disp_step = 2;
    scheduler_resume(disp_self);
    thread_wait(id);
    KT_ASSERT_EQ(disp_step, 3);
}

/* ---- a new thread starts with interrupts on, whatever its creator's level -- */

static volatile int first_level = -1;

static void level_body(void *arg)
{
    (void)arg;
    first_level = intr_get_level();
}

KTEST(threads_start_interrupts_on)
{
    TESTS_REQUIRE_THREADS();
    first_level = -1;
    int id = tests_spawn("level", level_body, NULL);
    enum intr_level old = intr_disable();
    thread_wait(id); /* switches with interrupts off */
    enum intr_level mine = intr_get_level();
    intr_set_level(old);
    KT_ASSERT_EQ(first_level, INTR_ON);
    KT_ASSERT_EQ(mine, INTR_OFF); /* our own level came back with us */
}

/* ---- returning from the thread function ends the thread ------------------- */

static volatile int ret_flag;

static void returning_body(void *arg)
{
    ret_flag = (int)(uintptr_t)arg;
}

static void exiting_body(void *arg)
{
    ret_flag = (int)(uintptr_t)arg;
    thread_exit();
    ret_flag = -1; /* not reached */
}

KTEST(threads_return_reaches_exit)
{
    TESTS_REQUIRE_THREADS();
    struct tests_baseline base;
    tests_baseline_take(&base, 4, 0, 0);
    ret_flag = 0;
    int id = tests_spawn("returns", returning_body, (void *)7);
    thread_wait(id);
    KT_ASSERT_EQ(ret_flag, 7);
    KT_ASSERT_EQ(thread_end_of(id), THREAD_END_RETURNED);
    id = tests_spawn("exits", exiting_body, (void *)9);
    thread_wait(id);
    KT_ASSERT_EQ(ret_flag, 9);
    KT_ASSERT_EQ(thread_end_of(id), THREAD_END_EXITED);
    TESTS_ASSERT_BASELINE(&base);
}

/* ---- stack high-water mark -------------------------------------------------- */

static volatile size_t hw_used, hw_size;

static void hw_body(void *arg)
{
    (void)arg;
    volatile char buf[3000];
    for (int i = 0; i < 3000; i++)
        buf[i] = (char)i;
    hw_used = buf[2999];
    struct thread *me = thread_current();
    hw_used = thread_stack_used(me);
    hw_size = me->stack_top - me->stack_base;
}

KTEST(threads_stack_high_water)
{
    TESTS_REQUIRE_THREADS();
    hw_used = hw_size = 0;
    thread_wait(tests_spawn("hw", hw_body, NULL));
    KT_ASSERT(hw_used >= 3000);
    KT_ASSERT(hw_used < hw_size);
    KT_ASSERT(thread_stack_used(thread_current()) > 0); /* main's too */
}

/* ---- the guard page: overflows end the thread, not the kernel --------------- */

static volatile unsigned long deep_depth;
static volatile bool deep_returned;

static void deep_body(void *arg)
{
    (void)arg;
    thread_demo_recurse(1, NULL, &deep_depth);
    deep_returned = true;
}

/* Fail unless the last fault report starts "thread: stack overflow in thread ID (NAME)". */
static void expect_report(const char *what, int id, const char *name)
{
    char want[96];
    ksnprintf(want, sizeof want, "thread: %s in thread %d (%s)", what, id, name);
    const char *got = thread_fault_last_report();
    if (strncmp(got, want, strlen(want)) != 0)
        KT_FAIL("report \"%s\" does not start \"%s\"", got, want);
}

KTEST(threads_guard_page_overflow)
{
    TESTS_REQUIRE_THREADS();
    struct tests_baseline base;
    tests_baseline_take(&base, 4, 0, 0);
    unsigned long before = thread_fault_overflows();
    deep_depth = 0;
    deep_returned = false;
    struct thread *t = thread_create_named("deep", deep_body, NULL, 8192);
    KT_ASSERT(t != NULL);
    int id = thread_id(t);
    scheduler_add(t);
    thread_wait(id); /* the overflow ends it; we are still here */
    KT_ASSERT_EQ(thread_end_of(id), THREAD_END_STACK_OVERFLOW);
    KT_ASSERT_EQ(thread_fault_overflows(), before + 1);
    KT_ASSERT(!deep_returned);
    KT_ASSERT(deep_depth > 8192 / 128); /* it really used its stack */
    expect_report("stack overflow", id, "deep");
    TESTS_ASSERT_BASELINE(&base);
}

static void guard_write_body(void *arg)
{
    (void)arg;
    volatile char *below = (volatile char *)(thread_current()->stack_base - 16);
    *below = 1; /* into the guard page, with a good stack pointer */
    deep_returned = true;
}

KTEST(threads_guard_page_write)
{
    TESTS_REQUIRE_THREADS();
    struct tests_baseline base;
    tests_baseline_take(&base, 4, 0, 0);
    deep_returned = false;
    int id = tests_spawn("scribble", guard_write_body, NULL);
    thread_wait(id);
    KT_ASSERT_EQ(thread_end_of(id), THREAD_END_STACK_OVERFLOW);
    KT_ASSERT(!deep_returned);
    expect_report("stack overflow", id, "scribble");
    TESTS_ASSERT_BASELINE(&base);
}

static void ud2_body(void *arg)
{
    (void)arg;
    __asm__ volatile("ud2");
    deep_returned = true;
}

KTEST(threads_exception_ends_thread)
{
    TESTS_REQUIRE_THREADS();
    unsigned long before = thread_fault_exceptions();
    deep_returned = false;
    int id = tests_spawn("bad", ud2_body, NULL);
    thread_wait(id);
    KT_ASSERT_EQ(thread_end_of(id), THREAD_END_EXCEPTION);
    KT_ASSERT_EQ(thread_fault_exceptions(), before + 1);
    KT_ASSERT(!deep_returned);
    expect_report("exception 6 #UD Invalid Opcode", id, "bad");
}

/* ---- an interrupt that arrives as the stack runs out ------------------------- */

static void irq_overflow_body(void *arg)
{
    (void)arg;
    uint32_t low = thread_current()->stack_base + 8;
    /* 8 bytes above the guard page, wait for an interrupt: the CPU cannot
     * push the interrupt's 12-byte frame, nor the page fault's: a double
     * fault in the middle of delivering an IRQ that is now in service. */
    __asm__ volatile("mov %0, %%esp\n\tsti\n1:\thlt\n\tjmp 1b" : : "r"(low) : "memory");
}

KTEST(threads_overflow_during_interrupt)
{
    TESTS_REQUIRE_THREADS();
    int id = tests_spawn("irqdeep", irq_overflow_body, NULL);
    thread_wait(id);
    KT_ASSERT_EQ(thread_end_of(id), THREAD_END_STACK_OVERFLOW);
    /* The interrupt was acknowledged for the handler that never ran: the
     * timer still ticks. */
    uint32_t t0 = timer_ticks();
    for (volatile unsigned long i = 0; i < 50000000ul && timer_ticks() - t0 < 3; i++)
        ;
    if (timer_ticks() - t0 < 3)
        KT_FAIL("the timer stopped: the IRQ that hit the overflow is still in service");
}
