/* tests_isolation.c: lab 7's isolation tests: hostile programs are ended with a report and the system goes on; bad pointers; no leaks. */
#include "common/format.h"
#include "common/kstring.h"
#include "setup.h"
#include "tests_user_util.h"
#include "ufault.h"


/* True if TEXT contains WORD. */
static bool contains(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (; *text != '\0'; text++)
        if (strncmp(text, word, n) == 0)
            return true;
    return false;
}

KTEST(user_privileged_instructions_end_process)
{
    USER_REQUIRE();
    static const char *const insns[] = {"cli", "sti", "hlt", "in", "out", "lgdt", "lidt",
                                        "ltr", "cr3", "cr0", "invlpg", "wrmsr"};
    char line[40];
    user_expect_killed("t_priv cli", user_run("t_priv cli"), ABI_KILLED_PRIV, VEC_GP);
    struct user_baseline b;
    user_baseline_take(&b);
    for (unsigned i = 0; i < sizeof insns / sizeof insns[0]; i++) {
        ksnprintf(line, sizeof line, "t_priv %s", insns[i]);
        unsigned long kills = ufault_kills();
        user_expect_killed(line, user_run(line), ABI_KILLED_PRIV, VEC_GP);
        if (ufault_kills() != kills + 1 || !contains(ufault_last_report(), "t_priv"))
            KT_FAIL("'%s' must be reported in one line naming the program, got \"%s\"", line,
                    ufault_last_report());
    }
    USER_ASSERT_NO_LEAK(&b, "processes ended for privileged instructions");
}

KTEST(user_memory_violations_end_process)
{
    USER_REQUIRE();
    static const char *const lines[] = {
        "t_mem read", "t_mem write", "t_mem jump", "t_mem read 0", "t_mem write 0xC0000000",
        "t_mem read 0xFFFFF000", "t_mem write 0xFFC00000", "t_mem jump 0xC0001000",
        "t_mem read 0x30000000", "t_mem write 0x08048000",
    };
    user_expect_killed(lines[0], user_run(lines[0]), ABI_KILLED_MEMORY, VEC_PAGE_FAULT);
    struct user_baseline b;
    user_baseline_take(&b);
    for (unsigned i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        user_expect_killed(lines[i], user_run(lines[i]), ABI_KILLED_MEMORY, VEC_PAGE_FAULT);
        if (!contains(ufault_last_report(), "cr2 0x"))
            KT_FAIL("the report of '%s' must give CR2: \"%s\"", lines[i], ufault_last_report());
    }
    user_expect_killed("t_div0", user_run("t_div0"), VEC_DIVIDE, VEC_DIVIDE);
    USER_ASSERT_NO_LEAK(&b, "processes ended for memory violations");
}

/* Run LINE (it must be ended for REASON) and check its report line names the function FN
 * ("(FN+0x"), or, with FN NULL, names none (its EIP lies outside every function). */
static void expect_report_function(const char *line, int reason, const char *fn)
{
    char want[48];
    user_expect_killed(line, user_run(line), reason, reason);
    const char *report = ufault_last_report();
    if (fn != NULL) {
        ksnprintf(want, sizeof want, "(%s+0x", fn);
        if (!contains(report, want))
            KT_FAIL("the report of '%s' must name the function containing EIP, %s: \"%s\"",
                    line, fn, report);
    } else if (contains(report, "+0x")) {
        KT_FAIL("the report of '%s' must name no function: its EIP is in none: \"%s\"", line,
                report);
    }
}

KTEST(user_fault_report_names_function)
{
    USER_REQUIRE();
    expect_report_function("t_div0", VEC_DIVIDE, "t_div0_divide");
    expect_report_function("t_mem write", ABI_KILLED_MEMORY, "main");
    expect_report_function("t_mem jump 0", ABI_KILLED_MEMORY, NULL);
    expect_report_function("t_mem jump 0xC0001000", ABI_KILLED_MEMORY, NULL);
}

KTEST(user_cross_process_read_ends_reader)
{
    USER_REQUIRE();
    struct user_baseline b;
    user_expect_exit("t_peek", user_run("t_peek"), 0);
    user_baseline_take(&b);
    user_expect_exit("t_peek", user_run("t_peek"), 0);
    USER_ASSERT_NO_LEAK(&b, "t_peek");
}

KTEST(user_bad_pointers_refused)
{
    USER_REQUIRE();
    struct user_baseline b;
    user_expect_exit("t_badptr", user_run("t_badptr"), 0);
    user_baseline_take(&b);
    user_expect_exit("t_badptr", user_run("t_badptr"), 0);
    USER_ASSERT_NO_LEAK(&b, "t_badptr");
}

KTEST(user_system_goes_on_after_faults)
{
    USER_REQUIRE();
    /* hostile and well-behaved programs at once: only the hostile ones end */
    int good[4], bad[4];
    char line[32];
    for (int i = 0; i < 4; i++) {
        ksnprintf(line, sizeof line, "t_spin %d", 200 + i);
        good[i] = user_start(line);
        bad[i] = user_start(i % 2 ? "t_div0" : "t_mem write");
    }
    for (int i = 0; i < 4; i++) {
        int st = 0;
        KT_ASSERT_EQ(proc_wait(bad[i], &st), bad[i]);
        KT_ASSERT(!ABI_WIFEXITED(st));
        KT_ASSERT_EQ(proc_wait(good[i], &st), good[i]);
        user_expect_exit("t_spin N beside hostile programs", st, 0);
    }
}
