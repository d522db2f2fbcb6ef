/* host_panic.c: host-test panic_at and kprintf that capture their output (see host_support.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/debug.h"
#include "common/format.h"
#include "common/host_tests/host_support.h"
#include "common/kprintf.h"

static char log_buf[HOST_LOG_CAPACITY + 1];
static size_t log_len;
static char last_panic[1024];
static int echo = -1; /* -1: not decided yet, read HOST_TEST_ECHO */

static bool echo_on(void)
{
    if (echo < 0) {
        const char *env = getenv("HOST_TEST_ECHO");
        echo = env != NULL && strcmp(env, "1") == 0;
    }
    return echo;
}

/* Append N characters of S to the log, dropping the oldest text on overflow. */
static void log_append(const char *s, size_t n)
{
    if (n > HOST_LOG_CAPACITY) {
        s += n - HOST_LOG_CAPACITY;
        n = HOST_LOG_CAPACITY;
    }
    if (log_len + n > HOST_LOG_CAPACITY) {
        size_t drop = log_len + n - HOST_LOG_CAPACITY;
        memmove(log_buf, log_buf + drop, log_len - drop);
        log_len -= drop;
    }
    memcpy(log_buf + log_len, s, n);
    log_len += n;
    log_buf[log_len] = '\0';
    if (echo_on()) {
        fwrite(s, 1, n, stdout);
        fflush(stdout);
    }
}

const char *host_last_log(void)
{
    return log_buf;
}

void host_clear_log(void)
{
    log_len = 0;
    log_buf[0] = '\0';
    last_panic[0] = '\0';
}

bool host_log_contains(const char *needle)
{
    return strstr(log_buf, needle) != NULL;
}

const char *host_last_panic(void)
{
    return last_panic;
}

void host_set_log_echo(bool on)
{
    echo = on;
}

int kvprintf(const char *fmt, va_list ap)
{
    char small[1024];
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = kvsnprintf(small, sizeof small, fmt, ap);
    if ((size_t)n < sizeof small) {
        log_append(small, (size_t)n);
    } else { /* long message: format again into a buffer that fits */
        char *big = malloc((size_t)n + 1);
        if (big == NULL)
            abort();
        kvsnprintf(big, (size_t)n + 1, fmt, ap2);
        log_append(big, (size_t)n);
        free(big);
    }
    va_end(ap2);
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}

void panic_at(const char *file, int line, const char *func, const char *fmt, ...)
{
    char msg[768];
    va_list ap;

    va_start(ap, fmt);
    kvsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ksnprintf(last_panic, sizeof last_panic, "KPANIC %s:%d %s: %s", file, line,
              func, msg);
    log_append(last_panic, strlen(last_panic));
    log_append("\n", 1);
    /* Inside expect_assert_failure() this longjmps back to the test; in any
     * other test it reports the message and fails that test. */
    mock_assert(0, last_panic, file, line);
    abort(); /* only reached outside any cmocka test */
}
