/* test_split.c: host unit tests of the shell's word splitter (user/lib/split.c): blanks, double quotes, escapes, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "user/lib/split.h"

#define MAX 8

/* Split TEXT (a copy of exactly its size, so AddressSanitizer sees any access past it) and
 * check the words against WANT (NULL-terminated), or, with WANT NULL, an error. */
static void expect_words(const char *text, const char *const *want)
{
    size_t len = strlen(text) + 1;
    char *line = malloc(len);
    char *argv[MAX + 1];
    const char *why = "untouched";
    char got[512] = "";
    assert_non_null(line);
    memcpy(line, text, len);
    int argc = split_words(line, argv, MAX, &why);
    for (int i = 0; i < argc; i++) /* copied out before LINE is freed */
        snprintf(got + strlen(got), sizeof got - strlen(got), "[%s]", argv[i]);
    int argv_null = argc >= 0 && argv[argc] == NULL;
    free(line);
    if (want == NULL) {
        if (argc != -1 || why == NULL || strcmp(why, "untouched") == 0)
            fail_msg("'%s' must be refused with a reason, got %d words %s", text, argc, got);
        return;
    }
    char exp[512] = "";
    int n = 0;
    for (; want[n] != NULL; n++)
        snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "[%s]", want[n]);
    if (argc != n || strcmp(got, exp) != 0 || why != NULL || !argv_null)
        fail_msg("'%s' must split into %d words %s (argv[argc] NULL, no reason), got %d %s%s",
                 text, n, exp, argc, got, argv_null ? "" : " (argv[argc] not NULL)");
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})

static void test_blanks(void **state)
{
    (void)state;
    expect_words("", NONE);
    expect_words("   \t ", NONE);
    expect_words("echo", WORDS("echo"));
    expect_words("  args  a\tb   c  ", WORDS("args", "a", "b", "c"));
}

static void test_quotes(void **state)
{
    (void)state;
    expect_words("args \"a b\" c", WORDS("args", "a b", "c"));
    expect_words("echo \"  two  spaces  \"", WORDS("echo", "  two  spaces  "));
    expect_words("args \"\" x", WORDS("args", "", "x"));
    expect_words("args \"\"", WORDS("args", ""));
    expect_words("args a\"b c\"d e", WORDS("args", "ab cd", "e")); /* quotes inside a word */
    expect_words("args \"a\"\"b\"", WORDS("args", "ab"));
    expect_words("\"my prog\" x", WORDS("my prog", "x"));
    expect_words("args \"tab\there\"", WORDS("args", "tab\there"));
}

static void test_escapes(void **state)
{
    (void)state;
    expect_words("echo \\\"hi\\\"", WORDS("echo", "\"hi\""));
    expect_words("echo \"say \\\"hi\\\" now\"", WORDS("echo", "say \"hi\" now"));
    expect_words("echo a\\\\b", WORDS("echo", "a\\b"));
    expect_words("echo a\\nb \\", WORDS("echo", "a\\nb", "\\")); /* other backslashes stay */
    expect_words("echo \"\\\\\"", WORDS("echo", "\\"));
}

static void test_errors(void **state)
{
    (void)state;
    expect_words("echo \"unterminated", NULL);
    expect_words("echo \"", NULL);
    expect_words("echo a\"b", NULL);
    expect_words("echo \"a\" \"b", NULL);
    expect_words("echo \\\"\"", NULL);  /* the escaped quote does not close the open one */
    expect_words("echo \"\\\"", NULL);
    expect_words("1 2 3 4 5 6 7 8", WORDS("1", "2", "3", "4", "5", "6", "7", "8"));
    expect_words("1 2 3 4 5 6 7 8 9", NULL); /* MAX words at most */
    expect_words("1 2 3 4 5 6 7 8   ", WORDS("1", "2", "3", "4", "5", "6", "7", "8"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blanks),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
