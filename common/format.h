/* format.h: the printf formatting engine behind kprintf and ksnprintf (no I/O). */
#ifndef COMMON_FORMAT_H
#define COMMON_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Supported conversion specifications: %[flags][width][.precision][length]conv
 *
 *   conv       d i (signed), u o x X (unsigned), c, s, p, and %% for '%'.
 *   flags      '-' left-justify, '0' pad numbers with zeros (ignored with '-'
 *              or with a precision), '+' and ' ' sign of positive signed
 *              numbers, '#' "0x"/"0X" before non-zero hex, leading 0 in octal.
 *   width      decimal digits or '*' (an int argument; negative means '-').
 *   precision  '.' then digits or '*' (negative means none). For s: at most
 *              that many characters are read. For integers: minimum number
 *              of digits (".0" prints nothing for the value 0).
 *   length     hh h (char, short), l (long), ll (long long, 64-bit), z (size_t).
 *
 * %p prints "0x" and then every hex digit of the pointer (8 on 32-bit x86).
 * A NULL %s prints "(null)" (cut by the precision like any string).
 * Anything else after '%' (an unknown conversion, or the end of the string in
 * the middle of a specification) is printed literally: "%q" gives "%q".
 * No floating point. 64-bit values are converted without libgcc helpers.
 */

/* Format FMT with the arguments in AP, handing each produced character to
 * EMIT(c, CTX) in order. Returns the number of characters emitted.
 * Re-entrant, allocates nothing; context is whatever EMIT tolerates. */
int kformat(void (*emit)(char c, void *ctx), void *ctx, const char *fmt,
            va_list ap) __attribute__((format(printf, 3, 0)));

/* Format into BUF of SIZE bytes. Stores at most SIZE-1 characters and always
 * NUL-terminates when SIZE > 0 (BUF may be NULL when SIZE is 0). Returns the
 * length the full output has, so the output was cut iff result >= SIZE. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same as ksnprintf, with the arguments in AP. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
