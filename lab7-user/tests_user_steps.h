/* tests_user_steps.h: every lab 7 test failure, and every panic in lab 7's code, names the handout step it points at. */
#ifndef LAB7_TESTS_USER_STEPS_H
#define LAB7_TESTS_USER_STEPS_H

#include "common/ktest.h"

/* KT_FAIL (and so every KT_ASSERT) through this: the message gets the step
 * of the README's table that the running test turns green in front, e.g.
 * "step 6 (exit and wait): ...". A message that already names a step or
 * starts with "lab" keeps its text. Only while a test runs. A panic (an
 * assertion, a kernel fault) in a step's function or file, or called from
 * a step's function, names that step after "KPANIC ...: " (common/kstep.h). */
void tests_user_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

/* The step text for test NAME, or NULL if the table has none. */
const char *tests_user_step_of(const char *name);

#undef KT_FAIL
#define KT_FAIL(...) tests_user_fail_at(__FILE__, __LINE__, __VA_ARGS__)

#endif
