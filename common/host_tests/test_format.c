/* test_format.c: host tests of kformat/ksnprintf (exact strings, limits, libc cross-check). */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/format.h"
#include "common/host_tests/host_support.h"
#include "common/kprintf.h"
#include "common/kstring.h"

#define N_OF(a) (sizeof(a) / sizeof *(a))

/* Format with ksnprintf into a roomy buffer; check the text and the return. */
#define CHECK(expected, ...)                                                 \
    do {                                                                     \
        char buf_[512];                                                      \
        int n_ = ksnprintf(buf_, sizeof buf_, __VA_ARGS__);                  \
        assert_string_equal(buf_, (expected));                               \
        assert_int_equal(n_, (int)strlen(expected));                         \
    } while (0)

static void test_plain_text(void **state)
{
    (void)state;
    CHECK("", "%s", "");
    CHECK("hello, world\n", "hello, world\n");
    CHECK("100%", "100%%");
    CHECK("%%", "%%%%");
}

static void test_signed(void **state)
{
    (void)state;
    CHECK("0 1 -1 42", "%d %d %d %i", 0, 1, -1, 42);
    CHECK("2147483647", "%d", INT_MAX);
    CHECK("-2147483648", "%d", INT_MIN);
    CHECK("-2147483648", "%i", INT_MIN);
    CHECK("-9223372036854775808", "%ld", LONG_MIN);
    CHECK("9223372036854775807", "%ld", LONG_MAX);
    CHECK("-9223372036854775808", "%lld", LLONG_MIN);
    CHECK("-1234567890123", "%lli", -1234567890123LL);
    CHECK("-128 127", "%hhd %hhd", -128, 127);
    CHECK("-32768", "%hd", -32768);
    CHECK("-5", "%zd", (ptrdiff_t)-5);
}

static void test_unsigned(void **state)
{
    (void)state;
    CHECK("0 4294967295", "%u %u", 0u, UINT_MAX);
    CHECK("18446744073709551615", "%lu", ULONG_MAX);
    CHECK("18446744073709551615", "%llu", ULLONG_MAX);
    CHECK("4294967296", "%llu", 1ULL << 32);
    CHECK("10000000000000000000", "%llu", 10000000000000000000ULL);
    CHECK("255 65535", "%hhu %hu", 511, 131071);
    CHECK("123", "%zu", (size_t)123);
}

static void test_hex_octal(void **state)
{
    (void)state;
    CHECK("0 ff FF deadbeef", "%x %x %X %x", 0u, 255u, 255u, 0xdeadbeefu);
    CHECK("ffffffffffffffff", "%llx", ULLONG_MAX);
    CHECK("123456789ABCDEF0", "%llX", 0x123456789abcdef0ULL);
    CHECK("7fffffffffffffff", "%lx", LONG_MAX);
    CHECK("17 0", "%o %o", 15u, 0u);
    CHECK("1777777777777777777777", "%llo", ULLONG_MAX);
    CHECK("0x1f 0X1F 0 017", "%#x %#X %#x %#o", 31u, 31u, 0u, 15u);
}

static void test_char_string(void **state)
{
    (void)state;
    CHECK("a", "%c", 'a');
    CHECK("[  x]", "[%3c]", 'x');
    CHECK("[x  ]", "[%-3c]", 'x');
    CHECK("abc", "%s", "abc");
    const char *volatile null_str = NULL; /* hidden from GCC's checks */
    CHECK("(null)", "%s", null_str);
    CHECK("[  (null)]", "[%8s]", null_str);
    CHECK("(nu", "%.3s", null_str);
    CHECK("[   abc]", "[%6s]", "abc");
    CHECK("[abc   ]", "[%-6s]", "abc");
    CHECK("[ab]", "[%.2s]", "abc");
    CHECK("[abc]", "[%.9s]", "abc");
    CHECK("[    ab]", "[%6.2s]", "abc");
    CHECK("[ab    ]", "[%-6.2s]", "abc");
    CHECK("[]", "[%.0s]", "abc");
    CHECK("[ab]", "[%.*s]", 2, "abc");
    CHECK("[abc]", "[%.*s]", -1, "abc"); /* negative precision: none */
    CHECK("[abcdef]", "[%2s]", "abcdef"); /* width never truncates */
}

static void test_precision_reads_no_further(void **state)
{
    (void)state;
    /* Not NUL-terminated: %.4s must not read a fifth byte (ASan checks). */
    char *p = malloc(4);
    assert_non_null(p);
    memcpy(p, "wxyz", 4);
    CHECK("wxyz", "%.4s", p);
    CHECK("wx", "%.2s", p);
    free(p);
}

static void test_width_and_flags(void **state)
{
    (void)state;
    CHECK("[   42]", "[%5d]", 42);
    CHECK("[42   ]", "[%-5d]", 42);
    CHECK("[00042]", "[%05d]", 42);
    CHECK("[-0042]", "[%05d]", -42);
    /* GCC warns that these flags are ignored: that is what is tested. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    CHECK("[-42  ]", "[%-05d]", -42); /* '-' beats '0' */
    CHECK("[  007]", "[%05.3d]", 7);  /* precision disables '0' */
#pragma GCC diagnostic pop
    CHECK("[  -42]", "[%5d]", -42);
    CHECK("[-000000000002147483648]", "[%022d]", INT_MIN);
    CHECK("[42]", "[%1d]", 42);
    CHECK("[0000ff]", "[%06x]", 255u);
    CHECK("[0x00ff]", "[%#06x]", 255u);
    CHECK("[   42]", "[%*d]", 5, 42);
    CHECK("[42   ]", "[%*d]", -5, 42); /* negative width: left-justify */
    CHECK("[+42 -42]", "[%+d %+d]", 42, -42);
    CHECK("[ 42 -42]", "[% d % d]", 42, -42);
    CHECK("[  007]", "[%5.3d]", 7);
    CHECK("[]", "[%.0d]", 0);
    CHECK("[-000123]", "[%.6d]", -123);
    CHECK("[1234567890123456789]", "[%5lld]", 1234567890123456789LL);
    CHECK("[    18446744073709551615]", "[%24llu]", ULLONG_MAX);
}

static void test_pointer(void **state)
{
    (void)state;
    char expected[64];
    int digits = (int)(2 * sizeof(void *));

    snprintf(expected, sizeof expected, "0x%0*llx", digits, 0x1234ULL);
    CHECK(expected, "%p", (void *)0x1234);
    snprintf(expected, sizeof expected, "0x%0*llx", digits, 0ULL);
    CHECK(expected, "%p", (void *)NULL);
    snprintf(expected, sizeof expected, "0x%llx", (unsigned long long)UINTPTR_MAX);
    CHECK(expected, "%p", (void *)UINTPTR_MAX);
    /* in a field wider than the pointer: right- then left-justified */
    char p_text[40];
    snprintf(p_text, sizeof p_text, "0x%0*llx", digits, 0xabULL);
    snprintf(expected, sizeof expected, "[%-*s]", digits + 6, p_text);
    CHECK(expected, "[%-*p]", digits + 6, (void *)0xab);
    snprintf(expected, sizeof expected, "[%*s]", digits + 6, p_text);
    CHECK(expected, "[%*p]", digits + 6, (void *)0xab);
}

/* These formats are deliberately invalid for printf, so hide them from GCC's
 * format checker. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
static void test_unknown_and_truncated_specs(void **state)
{
    (void)state;
    CHECK("%q", "%q");
    CHECK("a%qb", "a%qb");
    CHECK("%5q|7", "%5q|%d", 7);
    CHECK("%-08.3lq", "%-08.3lq");
    CHECK("abc%", "abc%");
    CHECK("%-5", "%-5");
    CHECK("%l", "%l");
    CHECK("%ll", "%ll");
}
#pragma GCC diagnostic pop

static void test_truncation(void **state)
{
    (void)state;
    char buf[16];

    memset(buf, 'Z', sizeof buf);
    assert_int_equal(ksnprintf(buf, 5, "hello world"), 11);
    assert_string_equal(buf, "hell");
    assert_int_equal(buf[5], 'Z'); /* nothing written past SIZE */

    memset(buf, 'Z', sizeof buf);
    assert_int_equal(ksnprintf(buf, 6, "%d", -123456), 7);
    assert_string_equal(buf, "-1234");

    memset(buf, 'Z', sizeof buf);
    assert_int_equal(ksnprintf(buf, 1, "abc"), 3);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], 'Z');

    memset(buf, 'Z', sizeof buf);
    assert_int_equal(ksnprintf(buf, 0, "abc"), 3);
    assert_int_equal(buf[0], 'Z'); /* size 0: untouched */
    assert_int_equal(ksnprintf(NULL, 0, "%d%s", 12345, "xyz"), 8);

    memset(buf, 'Z', sizeof buf);
    assert_int_equal(ksnprintf(buf, 4, "abc"), 3); /* exactly fits */
    assert_string_equal(buf, "abc");
    assert_int_equal(ksnprintf(buf, 3, "abc"), 3); /* one short */
    assert_string_equal(buf, "ab");
}

static void test_exact_size_heap_buffers(void **state)
{
    (void)state;
    /* Every size from 1 to the full length, in a malloc of exactly that size:
     * ASan reports any write past the end. */
    const char *full = "value=-2147483648 name=frames";
    size_t len = strlen(full);
    for (size_t size = 1; size <= len + 1; size++) {
        char *b = malloc(size);
        assert_non_null(b);
        int n = ksnprintf(b, size, "value=%d name=%s", INT_MIN, "frames");
        assert_int_equal(n, (int)len);
        assert_int_equal(strlen(b), size - 1 < len ? size - 1 : len);
        assert_int_equal(memcmp(b, full, strlen(b)), 0);
        free(b);
    }
}

/* A kformat sink that records into a fixed array. */
struct sink {
    char text[128];
    int calls;
};

static void sink_emit(char c, void *ctx)
{
    struct sink *s = ctx;
    if (s->calls < (int)sizeof s->text - 1)
        s->text[s->calls] = c;
    s->calls++;
}

static int via_kformat(struct sink *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    memset(s, 0, sizeof *s);
    int n = kformat(sink_emit, s, fmt, ap);
    va_end(ap);
    return n;
}

static void test_kformat_sink(void **state)
{
    (void)state;
    struct sink s;

    assert_int_equal(via_kformat(&s, "x=%d %s%c", -7, "ab", '!'), 8);
    assert_int_equal(s.calls, 8);
    assert_string_equal(s.text, "x=-7 ab!");
    assert_int_equal(via_kformat(&s, ""), 0);
    assert_int_equal(s.calls, 0);
    /* An embedded NUL from %c is emitted like any other character. */
    assert_int_equal(via_kformat(&s, "a%cb", 0), 3);
    assert_memory_equal(s.text, "a\0b", 3);
}

/* Deterministic pseudo-random numbers (xorshift64*). */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Compare ksnprintf with the host's snprintf for one format and value; both
 * get the argument with the C type the length modifier names. */
static void cross_check(const char *fmt, char length, char conv, uint64_t v)
{
    char want[256], got[256];
    int nw, ng;
    bool is_signed = conv == 'd' || conv == 'i';

#define BOTH(arg)                                                            \
    (nw = snprintf(want, sizeof want, fmt, arg),                             \
     ng = ksnprintf(got, sizeof got, fmt, arg))
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    if (conv == 'c')
        BOTH((int)(v % 94 + 33));
    else if (length == 'L') /* ll */
        is_signed ? BOTH((long long)v) : BOTH((unsigned long long)v);
    else if (length == 'l')
        is_signed ? BOTH((long)v) : BOTH((unsigned long)v);
    else if (length == 'z')
        is_signed ? BOTH((ptrdiff_t)v) : BOTH((size_t)v);
    else if (length == 'h')
        is_signed ? BOTH((int)(short)v) : BOTH((unsigned)(unsigned short)v);
    else if (length == 'H') /* hh */
        is_signed ? BOTH((int)(signed char)v) : BOTH((unsigned)(unsigned char)v);
    else
        is_signed ? BOTH((int)v) : BOTH((unsigned)v);
#pragma GCC diagnostic pop
#undef BOTH
    if (nw != ng || strcmp(want, got) != 0)
        fail_msg("format \"%s\" value 0x%llx: libc \"%s\" (%d), ksnprintf \"%s\" (%d)",
                 fmt, (unsigned long long)v, want, nw, got, ng);
}

static void test_cross_check_integers(void **state)
{
    (void)state;
    static const char *flag_sets[] = {"", "-", "0", "+", " ", "#", "-+", "0+", "- ", "#0", "-#"};
    static const char *widths[] = {"", "1", "5", "12", "25"};
    static const char *precs[] = {"", ".0", ".1", ".5", ".21"};
    static const char *lengths[] = {"", "hh", "h", "l", "ll", "z"};
    static const char length_codes[] = " HhlLz"; /* what cross_check expects */
    static const char convs[] = "diuxXoc";
    static const uint64_t fixed[] = {
        0, 1, 7, 8, 9, 10, 15, 16, 99, 100, 255, 256, 32767, 32768, 65535,
        0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000ULL, 999999999999ULL,
        0x7FFFFFFFFFFFFFFFULL, 0x8000000000000000ULL, ~0ULL, (uint64_t)-1000,
        (uint64_t)-2147483648LL, 10000000000000000000ULL};
    int cases = 0;

    for (const char *c = convs; *c; c++)
        for (size_t f = 0; f < N_OF(flag_sets); f++)
            for (size_t w = 0; w < N_OF(widths); w++)
                for (size_t p = 0; p < N_OF(precs); p++)
                    for (size_t l = 0; l < N_OF(lengths); l++) {
                        const char *flags = flag_sets[f];
                        bool is_signed = *c == 'd' || *c == 'i';
                        /* Skip what C leaves undefined. */
                        if (*c == 'c' && (precs[p][0] || lengths[l][0] ||
                                          strchr(flags, '0') || strchr(flags, '#')))
                            continue;
                        if (strchr(flags, '#') && (is_signed || *c == 'u'))
                            continue;
                        char fmt[32];
                        snprintf(fmt, sizeof fmt, "[%%%s%s%s%s%c]", flags, widths[w],
                                 precs[p], lengths[l], *c);
                        char len = length_codes[l];
                        for (size_t i = 0; i < N_OF(fixed); i++, cases++)
                            cross_check(fmt, len, *c, fixed[i]);
                        for (int i = 0; i < 8; i++, cases++) {
                            uint64_t r = rng();
                            cross_check(fmt, len, *c, r >> (rng() % 64));
                        }
                    }
    assert_true(cases > 50000);
}

static void test_cross_check_strings(void **state)
{
    (void)state;
    static const char *strs[] = {"", "a", "kernel", "a much longer string here"};
    static const char *specs[] = {"%s", "%3s", "%-3s", "%10s", "%-10s", "%.0s", "%.3s",
                                  "%8.2s", "%-8.2s", "%30.30s", "<%s|%5s>"};
    for (size_t i = 0; i < N_OF(strs); i++)
        for (size_t j = 0; j < N_OF(specs); j++) {
            char want[128], got[128];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            int nw = snprintf(want, sizeof want, specs[j], strs[i], strs[i]);
            int ng = ksnprintf(got, sizeof got, specs[j], strs[i], strs[i]);
#pragma GCC diagnostic pop
            assert_string_equal(got, want);
            assert_int_equal(ng, nw);
        }
}

/* The host kprintf double (common/host_tests/host_panic.c) captures output. */
static void test_host_kprintf_capture(void **state)
{
    (void)state;
    host_clear_log();
    assert_string_equal(host_last_log(), "");
    assert_int_equal(kprintf("frame %lu of %d\n", 5ul, 9), 13);
    assert_string_equal(host_last_log(), "frame 5 of 9\n");
    kprintf("%s", "more");
    assert_string_equal(host_last_log(), "frame 5 of 9\nmore");
    assert_true(host_log_contains("5 of 9"));
    assert_false(host_log_contains("6 of 9"));
    host_clear_log();
    assert_string_equal(host_last_log(), "");

    /* Longer than the double's stack buffer, and more than the capacity. */
    char *big = malloc(3000);
    assert_non_null(big);
    memset(big, 'q', 2999);
    big[2999] = '\0';
    assert_int_equal(kprintf("<%s>", big), 3001);
    assert_int_equal(strlen(host_last_log()), 3001);
    for (int i = 0; i < 30; i++)
        kprintf("%s", big);
    kprintf("END");
    assert_int_equal(strlen(host_last_log()), HOST_LOG_CAPACITY);
    assert_non_null(strstr(host_last_log(), "qqqEND"));
    free(big);
    host_clear_log();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text),
        cmocka_unit_test(test_signed),
        cmocka_unit_test(test_unsigned),
        cmocka_unit_test(test_hex_octal),
        cmocka_unit_test(test_char_string),
        cmocka_unit_test(test_precision_reads_no_further),
        cmocka_unit_test(test_width_and_flags),
        cmocka_unit_test(test_pointer),
        cmocka_unit_test(test_unknown_and_truncated_specs),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_exact_size_heap_buffers),
        cmocka_unit_test(test_kformat_sink),
        cmocka_unit_test(test_cross_check_integers),
        cmocka_unit_test(test_cross_check_strings),
        cmocka_unit_test(test_host_kprintf_capture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
