/* tests_hooks.c: exception_chain() hands back the handler it replaces, so a later lab extends a handler instead of dropping it. */
#include "common/ktest.h"
#include "intr.h"

#define HOOK_VECTOR VEC_BREAKPOINT /* #BP: a trap, so a handler that returns true resumes after int3 */

static int first_calls, second_calls;

static bool first_handler(struct intr_frame *frame)
{
    (void)frame;
    first_calls++;
    return true;                  /* int3 is a trap: execution goes on */
}

static bool second_handler(struct intr_frame *frame)
{
    (void)frame;
    second_calls++;
    return true;
}

KTEST(exc_chain_returns_previous)
{
    first_calls = second_calls = 0;
    exception_handler_fn *before = exception_chain(HOOK_VECTOR, first_handler);
    exception_handler_fn *got = exception_chain(HOOK_VECTOR, second_handler);
    if (got != first_handler)
        KT_FAIL("exception_chain returned %p, not the handler it replaced (%p): a "
                "later lab could not pass on what it does not handle",
                (void *)got, (void *)first_handler);
    __asm__ volatile("int3");
    KT_ASSERT_EQ(second_calls, 1);
    KT_ASSERT_EQ(first_calls, 0);
    got = exception_chain(HOOK_VECTOR, before);
    KT_ASSERT(got == second_handler);
    /* Put back: the vector behaves as before the test (no handler here). */
    KT_EXPECT_FAULT(HOOK_VECTOR, __asm__ volatile("int3"));
    KT_ASSERT_EQ(first_calls + second_calls, 1);
}
