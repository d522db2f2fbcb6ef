/* readline.c: line input from fd 0, and small helpers (atoi, the test programs' checks). */
#include "ulib.h"

int readline(char *buf, size_t size)
{
    size_t len = 0;
    if (size == 0)
        return -1;
    for (;;) {
        char c;
        int n = read(0, &c, 1);
        if (n <= 0) {
            buf[len] = '\0';
            return len > 0 ? (int)len : -1;
        }
        if (c == '\n' || c == '\r') {
            buf[len] = '\0';
            return (int)len;
        }
        if (len + 1 < size)
            buf[len++] = c; /* the rest of an over-long line is dropped */
    }
}

int atoi(const char *s)
{
    int sign = 1;
    while (k_isspace(*s))
        s++;
    if (*s == '-' || *s == '+')
        sign = *s++ == '-' ? -1 : 1;
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    return sign * (int)strtoul(s, NULL, hex ? 16 : 10);
}

static unsigned check_failures;

void check_that(bool ok, const char *file, int line, const char *fmt, ...)
{
    if (ok)
        return;
    check_failures++;
    va_list ap;
    va_start(ap, fmt);
    dprintf(2, "FAIL %s:%d: ", file, line);
    vdprintf(2, fmt, ap);
    dprintf(2, "\n");
    va_end(ap);
}

int check_verdict(const char *name)
{
    if (check_failures == 0) {
        printf("%s: PASS\n", name);
        return TEST_PASS;
    }
    printf("%s: FAIL (%u checks)\n", name, check_failures);
    return TEST_FAIL;
}
