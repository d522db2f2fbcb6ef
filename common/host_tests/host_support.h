/* host_support.h: host-test doubles for panic_at and kprintf that capture what they print. */
#ifndef COMMON_HOST_TESTS_HOST_SUPPORT_H
#define COMMON_HOST_TESTS_HOST_SUPPORT_H

/*
 * common/host_tests/host_panic.c implements, for host unit tests:
 *
 *  - panic_at() (so KASSERT, PANIC and NOT_REACHED work): it formats
 *    "KPANIC file:line func: message", appends that line to the log, keeps it
 *    for host_last_panic(), then calls cmocka's mock_assert(0, ...). Inside
 *    expect_assert_failure(call) the panic therefore ends the call and the
 *    test goes on; anywhere else the running test fails with that message.
 *
 *  - kprintf() and kvprintf(): they format with libk's kvsnprintf and append
 *    the text to the log (copying it to stdout too when echo is on).
 *
 * Every host test binary links it (see common/host.mk). Nothing here is
 * thread-safe.
 */

#include <stdbool.h>

/* Everything kprintf'd (and every KPANIC line) since the last
 * host_clear_log(), as one NUL-terminated string; "" when nothing was. If
 * more than HOST_LOG_CAPACITY characters accumulate, the oldest are dropped.
 * The pointer stays valid until the next kprintf or host_clear_log. */
const char *host_last_log(void);

/* Empty the log (host_last_log() returns "" afterwards). */
void host_clear_log(void);

/* True iff NEEDLE occurs in host_last_log(). */
bool host_log_contains(const char *needle);

/* "KPANIC file:line func: message" of the latest panic_at() call, or "" if
 * there was none since the last host_clear_log(). */
const char *host_last_panic(void);

/* Also copy logged text to stdout (off by default, or on when the
 * environment variable HOST_TEST_ECHO is set to 1). */
void host_set_log_echo(bool on);

#define HOST_LOG_CAPACITY 65536

#endif
