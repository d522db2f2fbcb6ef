/* kstring.h: freestanding libk memory, string, number-parsing and glob functions. */
#ifndef COMMON_KSTRING_H
#define COMMON_KSTRING_H

/*
 * These carry the standard C names on purpose: GCC may emit calls to memcpy,
 * memmove, memset and memcmp by itself (struct copies, zeroing), even with
 * -ffreestanding, so the kernel must provide them under exactly those names.
 * Host unit tests rename them (common/host_tests/libk_rename.h) so they do not
 * clash with the host C library.
 *
 * Unless stated otherwise: pointers must be valid for the stated length (NULL
 * is allowed only when the length is 0), no function allocates, blocks or
 * touches interrupt state, and all may be called from any context.
 */

#include <stdbool.h>
#include <stddef.h>

/* Copy N bytes from SRC to DST (regions must not overlap); returns DST. */
void *memcpy(void *dst, const void *src, size_t n);

/* Copy N bytes from SRC to DST; the regions may overlap. Returns DST. */
void *memmove(void *dst, const void *src, size_t n);

/* Fill N bytes at DST with (unsigned char)C; returns DST. */
void *memset(void *dst, int c, size_t n);

/* Compare N bytes as unsigned char: <0, 0 or >0 as A sorts before, equal to
 * or after B. */
int memcmp(const void *a, const void *b, size_t n);

/* Length of the NUL-terminated string S, not counting the NUL. */
size_t strlen(const char *s);

/* Like strlen, but reads at most MAXLEN bytes and returns at most MAXLEN. */
size_t strnlen(const char *s, size_t maxlen);

/* Compare two strings as unsigned char: <0, 0 or >0 (like memcmp). */
int strcmp(const char *a, const char *b);

/* Like strcmp, but compares at most N characters. */
int strncmp(const char *a, const char *b, size_t n);

/* First occurrence of (char)C in S, or NULL. C == '\0' finds the terminator. */
char *strchr(const char *s, int c);

/* Last occurrence of (char)C in S, or NULL. C == '\0' finds the terminator. */
char *strrchr(const char *s, int c);

/* Copy SRC into DST of SIZE bytes, truncating; DST is NUL-terminated whenever
 * SIZE > 0. Returns strlen(SRC): truncation happened iff result >= SIZE. */
size_t strlcpy(char *dst, const char *src, size_t size);

/* Parse an unsigned number like C's strtoul: leading white space, optional
 * '+' or '-' (which negates the result modulo ULONG_MAX+1), then digits in
 * BASE (2..36; 16 accepts a "0x"/"0X" prefix; 0 picks 16 for "0x", 8 for a
 * leading "0", else 10). If ENDPTR is not NULL, *ENDPTR is set just past the
 * last digit used, or to S when there are no digits or BASE is invalid (then
 * 0 is returned). On overflow returns ULONG_MAX (there is no errno). */
unsigned long strtoul(const char *s, char **endptr, int base);

/* True iff all of STR matches PATTERN, where '*' matches any run of
 * characters (also empty), '?' matches exactly one, and every other character
 * matches itself. Iterative: O(strlen(PATTERN) * strlen(STR)) worst case. */
bool glob_match(const char *pattern, const char *str);

/* ---- Character classes (ASCII only; any int argument is safe) ---------- */

/* True for '0'..'9'. */
static inline bool k_isdigit(int c) { return c >= '0' && c <= '9'; }

/* True for space, \t, \n, \v, \f and \r. */
static inline bool k_isspace(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* True for 'A'..'Z' and 'a'..'z'. */
static inline bool k_isalpha(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* True for '0'..'9', 'a'..'f' and 'A'..'F'. */
static inline bool k_isxdigit(int c)
{
    return k_isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 'A'..'Z' become 'a'..'z'; anything else is returned unchanged. */
static inline int k_tolower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

#endif
