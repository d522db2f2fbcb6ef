/* test_kstring.c: host tests of libk's string, memory, strtoul, glob and ctype functions. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/kstring.h"

/* Through libk_rename.h, memcpy etc. below are libk's versions. */

#define BUF 96

/* Fill B with a pattern that differs at every position and between calls. */
static void fill(unsigned char *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(seed * 31 + i * 7 + 1);
}

static void test_memcpy(void **state)
{
    (void)state;
    unsigned char src[BUF], dst[BUF], want[BUF];

    for (size_t so = 0; so < 9; so++)
        for (size_t dof = 0; dof < 9; dof++)
            for (size_t n = 0; n + 9 < BUF; n += (n < 20 ? 1 : 7)) {
                fill(src, BUF, 1);
                fill(dst, BUF, 2);
                fill(want, BUF, 2);
                for (size_t i = 0; i < n; i++) /* reference copy */
                    want[dof + i] = src[so + i];
                assert_ptr_equal(memcpy(dst + dof, src + so, n), dst + dof);
                for (size_t i = 0; i < BUF; i++)
                    if (dst[i] != want[i])
                        fail_msg("memcpy so=%zu do=%zu n=%zu: byte %zu", so, dof, n, i);
            }
    assert_ptr_equal(memcpy(NULL, NULL, 0), NULL);
}

static void test_memmove_overlap(void **state)
{
    (void)state;
    unsigned char buf[BUF], want[BUF], tmp[BUF];

    /* Every source/destination offset pair in one buffer: dst < src copies
     * forwards, dst > src backwards, dst == src is a no-op. */
    for (size_t so = 0; so < 24; so++)
        for (size_t dof = 0; dof < 24; dof++)
            for (size_t n = 0; n + 24 <= BUF; n += (n < 20 ? 1 : 5)) {
                fill(buf, BUF, (unsigned)(so + dof));
                memcpy(want, buf, BUF);
                for (size_t i = 0; i < n; i++)
                    tmp[i] = buf[so + i];
                for (size_t i = 0; i < n; i++)
                    want[dof + i] = tmp[i];
                assert_ptr_equal(memmove(buf + dof, buf + so, n), buf + dof);
                for (size_t i = 0; i < BUF; i++)
                    if (buf[i] != want[i])
                        fail_msg("memmove so=%zu do=%zu n=%zu: byte %zu", so, dof, n, i);
            }
}

static void test_memmove_simple(void **state)
{
    (void)state;
    char s[] = "abcdefghij";
    memmove(s + 2, s, 5); /* forward overlap: destination above source */
    assert_string_equal(s, "ababcdehij");
    char t[] = "abcdefghij";
    memmove(t, t + 3, 5); /* destination below source */
    assert_string_equal(t, "defghfghij");
}

static void test_memset(void **state)
{
    (void)state;
    unsigned char b[BUF];

    for (size_t off = 0; off < 9; off++)
        for (size_t n = 0; n + off < BUF; n++) {
            fill(b, BUF, 3);
            assert_ptr_equal(memset(b + off, 0x1A5, n), b + off); /* c is cut to 0xA5 */
            for (size_t i = 0; i < BUF; i++) {
                unsigned char want = (i >= off && i < off + n) ? 0xA5 : (unsigned char)(3 * 31 + i * 7 + 1);
                if (b[i] != want)
                    fail_msg("memset off=%zu n=%zu: byte %zu is %#x", off, n, i, b[i]);
            }
        }
    memset(b, 0, sizeof b);
    for (size_t i = 0; i < BUF; i++)
        assert_int_equal(b[i], 0);
}

static int sign(int v) { return (v > 0) - (v < 0); }

static void test_memcmp(void **state)
{
    (void)state;
    assert_int_equal(memcmp("abc", "abc", 3), 0);
    assert_int_equal(memcmp("abc", "abd", 0), 0);
    assert_int_equal(sign(memcmp("abc", "abd", 3)), -1);
    assert_int_equal(sign(memcmp("abd", "abc", 3)), 1);
    assert_int_equal(sign(memcmp("xbc", "abc", 3)), 1);
    assert_int_equal(memcmp("ab\0x", "ab\0y", 3), 0); /* NUL is just a byte */
    assert_int_equal(sign(memcmp("ab\0x", "ab\0y", 4)), -1);
    assert_int_equal(sign(memcmp("\x80", "\x01", 1)), 1); /* unsigned bytes */
}

static void test_strlen_strnlen(void **state)
{
    (void)state;
    assert_int_equal(strlen(""), 0);
    assert_int_equal(strlen("a"), 1);
    assert_int_equal(strlen("hello\0world"), 5);
    assert_int_equal(strnlen("hello", 10), 5);
    assert_int_equal(strnlen("hello", 5), 5);
    assert_int_equal(strnlen("hello", 3), 3);
    assert_int_equal(strnlen("hello", 0), 0);
    /* Unterminated heap buffer: strnlen must stay inside it (ASan). */
    char *p = malloc(4);
    assert_non_null(p);
    memcpy(p, "abcd", 4);
    assert_int_equal(strnlen(p, 4), 4);
    free(p);
}

static void test_strcmp_strncmp(void **state)
{
    (void)state;
    assert_int_equal(strcmp("", ""), 0);
    assert_int_equal(strcmp("abc", "abc"), 0);
    assert_int_equal(sign(strcmp("abc", "abd")), -1);
    assert_int_equal(sign(strcmp("abd", "abc")), 1);
    assert_int_equal(sign(strcmp("ab", "abc")), -1); /* prefix sorts first */
    assert_int_equal(sign(strcmp("abc", "ab")), 1);
    assert_int_equal(sign(strcmp("", "a")), -1);
    assert_int_equal(sign(strcmp("\xe9", "z")), 1); /* compared as unsigned */
    assert_int_equal(strncmp("abcx", "abcy", 3), 0);
    assert_int_equal(sign(strncmp("abcx", "abcy", 4)), -1);
    assert_int_equal(strncmp("abc", "xyz", 0), 0);
    assert_int_equal(strncmp("ab", "ab", 100), 0); /* stops at the NUL */
    assert_int_equal(sign(strncmp("ab", "abc", 100)), -1);
    assert_int_equal(sign(strncmp("\xe9", "z", 1)), 1);
}

static void test_strchr_strrchr(void **state)
{
    (void)state;
    const char *s = "kernel.c.txt";
    assert_ptr_equal(strchr(s, 'k'), s);
    assert_ptr_equal(strchr(s, '.'), s + 6);
    assert_ptr_equal(strrchr(s, '.'), s + 8);
    assert_ptr_equal(strrchr(s, 'k'), s);
    assert_ptr_equal(strchr(s, 'z'), NULL);
    assert_ptr_equal(strrchr(s, 'z'), NULL);
    assert_ptr_equal(strchr(s, '\0'), s + 12); /* the terminator counts */
    assert_ptr_equal(strrchr(s, '\0'), s + 12);
    assert_ptr_equal(strchr(s, 0x100 + 'l'), s + 5); /* converted to char */
    assert_ptr_equal(strchr("", 'a'), NULL);
    const char *hi = "a\xe9z";
    assert_ptr_equal(strchr(hi, 0xe9), hi + 1);
    assert_ptr_equal(strrchr(hi, 0xe9), hi + 1);
}

static void test_strlcpy(void **state)
{
    (void)state;
    char b[8];

    memset(b, 'Z', sizeof b);
    assert_int_equal(strlcpy(b, "abc", sizeof b), 3);
    assert_string_equal(b, "abc");
    assert_int_equal(b[4], 'Z'); /* nothing written past the NUL */

    assert_int_equal(strlcpy(b, "abcdefg", sizeof b), 7); /* exactly fits */
    assert_string_equal(b, "abcdefg");

    assert_int_equal(strlcpy(b, "abcdefghijk", sizeof b), 11); /* truncated */
    assert_string_equal(b, "abcdefg");

    memset(b, 'Z', sizeof b);
    assert_int_equal(strlcpy(b, "abc", 1), 3);
    assert_int_equal(b[0], '\0');
    assert_int_equal(b[1], 'Z');

    memset(b, 'Z', sizeof b);
    assert_int_equal(strlcpy(b, "abc", 0), 3); /* size 0: untouched */
    assert_int_equal(b[0], 'Z');
    assert_int_equal(strlcpy(NULL, "xyz", 0), 3);

    assert_int_equal(strlcpy(b, "", sizeof b), 0);
    assert_string_equal(b, "");
}

/* One strtoul expectation: value and how many characters were consumed. */
struct strtoul_case {
    const char *s;
    int base;
    unsigned long value;
    size_t consumed;
};

static void test_strtoul_table(void **state)
{
    (void)state;
    static const struct strtoul_case cases[] = {
        {"0", 10, 0, 1},
        {"12345", 10, 12345, 5},
        {"  \t\n42xyz", 10, 42, 6},
        {"+17", 10, 17, 3},
        {"-1", 10, ULONG_MAX, 2},
        {"-0", 10, 0, 2},
        {"ff", 16, 255, 2},
        {"0xFF", 16, 255, 4},
        {"0Xab", 0, 171, 4},
        {"0x", 16, 0, 1},  /* no hex digit after 0x: just the 0 */
        {"0x", 0, 0, 1},
        {"0xg", 0, 0, 1},
        {"010", 0, 8, 3},  /* base 0: leading 0 means octal */
        {"08", 0, 0, 1},   /* 8 is no octal digit */
        {"0", 0, 0, 1},
        {"123", 0, 123, 3},
        {"777", 8, 511, 3},
        {"0x10", 10, 0, 1},
        {"101", 2, 5, 3},
        {"zZ", 36, 1295, 2},
        {"18446744073709551615", 10, ULONG_MAX, 20},
        {"18446744073709551616", 10, ULONG_MAX, 20}, /* overflow */
        {"99999999999999999999999x", 10, ULONG_MAX, 23},
        {"", 10, 0, 0},
        {"   ", 10, 0, 0},
        {"-", 10, 0, 0},
        {"+ 1", 10, 0, 0},
        {"xyz", 16, 0, 0},
        {"12", 1, 0, 0},   /* invalid bases */
        {"12", 37, 0, 0},
        {"12", -3, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct strtoul_case *c = &cases[i];
        char *end = (char *)0x1;
        unsigned long v = strtoul(c->s, &end, c->base);
        if (v != c->value || end != c->s + c->consumed)
            fail_msg("strtoul(\"%s\", %d): got %lu end+%td, want %lu end+%zu", c->s,
                     c->base, v, end - c->s, c->value, c->consumed);
    }
    assert_int_equal(strtoul("  99 ", NULL, 0), 99); /* NULL endptr is fine */
}

static void test_strtoul_vs_libc(void **state)
{
    (void)state;
    static const char *const pieces[] = {"", " ", "+", "-", "0", "0x", "0X", "1",
                                         "7", "8", "9", "a", "F", "z", "x", "19",
                                         "ffff", "4294967296", "1777777777777777777777",
                                         "18446744073709551615", "99999999999999999999"};
    static const int bases[] = {0, 2, 8, 10, 16, 36};
    const size_t np = sizeof pieces / sizeof *pieces;
    char s[128];
    int cases = 0;

    for (size_t a = 0; a < np; a++)
        for (size_t b = 0; b < np; b++)
            for (size_t c = 0; c < np; c++)
                for (size_t k = 0; k < sizeof bases / sizeof *bases; k++, cases++) {
                    snprintf(s, sizeof s, "%s%s%s", pieces[a], pieces[b], pieces[c]);
                    char *kend, *lend;
                    unsigned long kv = strtoul(s, &kend, bases[k]);
#undef strtoul /* the host C library's, as the reference */
                    unsigned long lv = strtoul(s, &lend, bases[k]);
#define strtoul libk_strtoul
                    if (kv != lv || kend != lend)
                        fail_msg("strtoul(\"%s\", %d): libk %lu end+%td, libc %lu end+%td",
                                 s, bases[k], kv, kend - s, lv, lend - s);
                }
    assert_true(cases > 50000);
}

static void test_glob_table(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *str;
        bool match;
    } cases[] = {
        {"", "", true},          {"", "a", false},        {"a", "", false},
        {"*", "", true},         {"*", "anything", true}, {"**", "", true},
        {"?", "", false},        {"?", "a", true},        {"?", "ab", false},
        {"*?", "", false},       {"*?", "a", true},       {"?*?", "ab", true},
        {"abc", "abc", true},    {"abc", "abd", false},   {"abc", "ab", false},
        {"a*b", "ab", true},     {"a*b", "axxb", true},   {"a*b", "axxbc", false},
        {"a*b", "abab", true},   {"*ab", "aab", true},    {"*.c", "list.c", true},
        {"*.c", "list.h", false}, {"frames_*", "frames_alloc_single", true},
        {"frames_*", "frame_alloc", false}, {"*alloc*", "frames_alloc_single", true},
        {"*a*b*c*", "aXbXc", true}, {"*a*b*c*", "aXcXb", false},
        {"lab?_*_test", "lab2_x_test", true}, {"lab?_*_test", "lab22_x_test", false},
        {"[ab]", "[ab]", true},  {"[ab]", "a", false},    /* no bracket syntax */
        {"\\*", "\\x", true},    {"a\\", "a\\", true},     /* no escapes either */
        {"*x", "xxxxxxxxxxxxy", false}, {"*x*", "yyyyyx", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (glob_match(cases[i].pattern, cases[i].str) != cases[i].match)
            fail_msg("glob_match(\"%s\", \"%s\") should be %s", cases[i].pattern,
                     cases[i].str, cases[i].match ? "true" : "false");
}

static void test_glob_no_blowup(void **state)
{
    (void)state;
    /* Exponential for naive recursion; quadratic at worst here. */
    size_t n = 20000;
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, 'a', n);
    s[n] = '\0';
    assert_false(glob_match("*a*a*a*a*a*a*a*a*a*a*b", s));
    assert_true(glob_match("*a*a*a*a*a*a*a*a*a*a*", s));
    assert_true(glob_match("a*a?a*", s));
    free(s);
}

static void test_glob_vs_fnmatch(void **state)
{
    (void)state;
    /* All patterns over {a,b,*,?} up to length 5 against all strings over
     * {a,b} up to length 6; fnmatch without brackets/backslashes agrees. */
    static const char palpha[] = "ab*?", salpha[] = "ab";
    char p[8], s[8];
    int cases = 0;

    for (int plen = 0; plen <= 5; plen++)
        for (int pi = 0; pi < (1 << (2 * plen)); pi++) {
            for (int k = 0; k < plen; k++)
                p[k] = palpha[(pi >> (2 * k)) & 3];
            p[plen] = '\0';
            for (int slen = 0; slen <= 6; slen++)
                for (int si = 0; si < (1 << slen); si++, cases++) {
                    for (int k = 0; k < slen; k++)
                        s[k] = salpha[(si >> k) & 1];
                    s[slen] = '\0';
                    bool want = fnmatch(p, s, 0) == 0;
                    if (glob_match(p, s) != want)
                        fail_msg("glob_match(\"%s\", \"%s\") != fnmatch", p, s);
                }
    }
    assert_true(cases > 100000);
}

static void test_ctype(void **state)
{
    (void)state;
    for (int c = -1; c <= 255; c++) { /* host C locale as the reference */
        assert_int_equal(k_isdigit(c), isdigit(c) != 0);
        assert_int_equal(k_isspace(c), isspace(c) != 0);
        assert_int_equal(k_isxdigit(c), isxdigit(c) != 0);
        assert_int_equal(k_isalpha(c), isalpha(c) != 0);
        assert_int_equal(k_tolower(c), tolower(c));
    }
    assert_false(k_isdigit(1000));
    assert_int_equal(k_tolower(1000), 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memcpy),
        cmocka_unit_test(test_memmove_overlap),
        cmocka_unit_test(test_memmove_simple),
        cmocka_unit_test(test_memset),
        cmocka_unit_test(test_memcmp),
        cmocka_unit_test(test_strlen_strnlen),
        cmocka_unit_test(test_strcmp_strncmp),
        cmocka_unit_test(test_strchr_strrchr),
        cmocka_unit_test(test_strlcpy),
        cmocka_unit_test(test_strtoul_table),
        cmocka_unit_test(test_strtoul_vs_libc),
        cmocka_unit_test(test_glob_table),
        cmocka_unit_test(test_glob_no_blowup),
        cmocka_unit_test(test_glob_vs_fnmatch),
        cmocka_unit_test(test_ctype),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
