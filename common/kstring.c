/* kstring.c: freestanding libk memory, string, number-parsing and glob functions. */
#include "kstring.h"

#include <stdint.h>

/*
 * The bulk copies and fills move one machine word at a time once the pointers
 * are aligned (demand-zero paging clears whole 4 KiB frames with memset).
 * word_t may alias anything, so this is not a strict-aliasing violation.
 *
 * LIBK_NO_LIBCALL stops GCC from recognising a byte loop below as "a memset"
 * and compiling it into a call to memset, which inside memset itself would
 * recurse forever.
 */
typedef unsigned long __attribute__((may_alias)) word_t;
#define WORD_SIZE sizeof(word_t)
#define WORD_MASK (WORD_SIZE - 1)
#define LIBK_NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

/* Copy N bytes upwards (lowest address first); safe when DST <= SRC. */
LIBK_NO_LIBCALL static void copy_forward(unsigned char *d, const unsigned char *s,
                                         size_t n)
{
    if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
        while (n > 0 && ((uintptr_t)d & WORD_MASK) != 0) {
            *d++ = *s++;
            n--;
        }
        for (; n >= WORD_SIZE; n -= WORD_SIZE) {
            *(word_t *)(void *)d = *(const word_t *)(const void *)s;
            d += WORD_SIZE;
            s += WORD_SIZE;
        }
    }
    while (n-- > 0)
        *d++ = *s++;
}

/* Copy N bytes downwards (highest address first); safe when DST >= SRC. */
LIBK_NO_LIBCALL static void copy_backward(unsigned char *d, const unsigned char *s,
                                          size_t n)
{
    d += n;
    s += n;
    if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
        while (n > 0 && ((uintptr_t)d & WORD_MASK) != 0) {
            *--d = *--s;
            n--;
        }
        for (; n >= WORD_SIZE; n -= WORD_SIZE) {
            d -= WORD_SIZE;
            s -= WORD_SIZE;
            *(word_t *)(void *)d = *(const word_t *)(const void *)s;
        }
    }
    while (n-- > 0)
        *--d = *--s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    copy_forward(dst, src, n);
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    if ((uintptr_t)dst <= (uintptr_t)src)
        copy_forward(dst, src, n);
    else
        copy_backward(dst, src, n);
    return dst;
}

LIBK_NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    unsigned char b = (unsigned char)c;

    while (n > 0 && ((uintptr_t)d & WORD_MASK) != 0) {
        *d++ = b;
        n--;
    }
    if (n >= WORD_SIZE) {
        word_t w = (word_t)-1 / 0xFF * b; /* b replicated into every byte */
#if defined(__i386__)
        /* One string instruction stores every word (a 4 KiB page: one
         * instruction instead of a 1,024-trip loop). */
        size_t words = n / WORD_SIZE;
        __asm__ volatile("rep stosl"
                         : "+D"(d), "+c"(words)
                         : "a"(w)
                         : "memory");
        n &= WORD_MASK;
#else
        for (; n >= WORD_SIZE; n -= WORD_SIZE) {
            *(word_t *)(void *)d = w;
            d += WORD_SIZE;
        }
#endif
    }
    while (n-- > 0)
        *d++ = b;
    return dst;
}

LIBK_NO_LIBCALL int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;

    for (; n > 0; n--, p++, q++) {
        if (*p != *q)
            return *p < *q ? -1 : 1;
    }
    return 0;
}

LIBK_NO_LIBCALL size_t strlen(const char *s)
{
    const char *p = s;

    while (*p != '\0')
        p++;
    return (size_t)(p - s);
}

LIBK_NO_LIBCALL size_t strnlen(const char *s, size_t maxlen)
{
    size_t n = 0;

    while (n < maxlen && s[n] != '\0')
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *q = (const unsigned char *)b;

    while (*p != '\0' && *p == *q) {
        p++;
        q++;
    }
    return (*p > *q) - (*p < *q);
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *q = (const unsigned char *)b;

    for (; n > 0; n--, p++, q++) {
        if (*p != *q)
            return *p < *q ? -1 : 1;
        if (*p == '\0')
            break;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    char ch = (char)c;

    for (;; s++) {
        if (*s == ch)
            return (char *)s;
        if (*s == '\0')
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    char ch = (char)c;
    const char *found = NULL;

    for (;; s++) {
        if (*s == ch)
            found = s;
        if (*s == '\0')
            return (char *)found;
    }
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

/* Value of C as a digit in bases up to 36, or 99 if it is not a digit. */
static int digit_value(char c)
{
    if (k_isdigit(c))
        return c - '0';
    if (k_isalpha(c))
        return k_tolower(c) - 'a' + 10;
    return 99;
}

unsigned long strtoul(const char *s, char **endptr, int base)
{
    const unsigned long max = (unsigned long)-1;
    const char *p = s;
    unsigned long value = 0;
    bool negative = false, overflow = false, any = false;

    if (base < 0 || base == 1 || base > 36) {
        if (endptr != NULL)
            *endptr = (char *)s;
        return 0;
    }
    while (k_isspace((unsigned char)*p))
        p++;
    if (*p == '+' || *p == '-')
        negative = *p++ == '-';
    /* A "0x" prefix counts only if a hex digit follows; otherwise the '0' is
     * the whole number and parsing stops at the 'x'. */
    if ((base == 0 || base == 16) && p[0] == '0' && k_tolower(p[1]) == 'x' &&
        k_isxdigit((unsigned char)p[2])) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    for (;; p++) {
        int d = digit_value(*p);
        if (d >= base)
            break;
        any = true;
        if (value > (max - (unsigned long)d) / (unsigned long)base)
            overflow = true;
        else
            value = value * (unsigned long)base + (unsigned long)d;
    }
    if (endptr != NULL)
        *endptr = (char *)(any ? p : s);
    if (!any)
        return 0;
    if (overflow)
        return max;
    return negative ? -value : value;
}

bool glob_match(const char *pattern, const char *str)
{
    /* After a '*', remember where the pattern resumes and where the string
     * was; on a mismatch, let that star swallow one more character and retry.
     * Only the latest star needs remembering: anything an earlier star could
     * absorb, the later one can absorb as well. */
    const char *p = pattern, *s = str;
    const char *star_p = NULL, *star_s = NULL;

    while (*s != '\0') {
        if (*p == '*') {
            star_p = ++p;
            star_s = s;
        } else if (*p != '\0' && (*p == '?' || *p == *s)) {
            p++;
            s++;
        } else if (star_p != NULL) {
            p = star_p;
            s = ++star_s;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}
