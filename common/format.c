/* format.c: the printf formatting engine behind kprintf and ksnprintf (no I/O). */
#include "format.h"

#include <stdbool.h>
#include <stdint.h>

enum {
    F_LEFT = 1 << 0,  /* '-' */
    F_ZERO = 1 << 1,  /* '0' */
    F_PLUS = 1 << 2,  /* '+' */
    F_SPACE = 1 << 3, /* ' ' */
    F_ALT = 1 << 4,   /* '#' */
};

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

/* One parsed conversion specification. */
struct spec {
    unsigned flags;
    int width;     /* 0 when absent */
    int precision; /* -1 when absent */
    enum length length;
};

/* Output state: the sink and how many characters went to it. */
struct out {
    void (*emit)(char c, void *ctx);
    void *ctx;
    unsigned count;
};

static void put(struct out *o, char c)
{
    o->emit(c, o->ctx);
    o->count++;
}

static void put_n(struct out *o, char c, int n)
{
    for (; n > 0; n--)
        put(o, c);
}

static void put_str(struct out *o, const char *s, int n)
{
    for (int i = 0; i < n; i++)
        put(o, s[i]);
}

/* Divide *V by BASE (2..16) in place and return the remainder. Long division
 * on 16-bit pieces keeps every step in 32 bits, so a 32-bit kernel needs no
 * libgcc helper (__udivdi3/__umoddi3) for 64-bit values. */
static unsigned div_small(uint64_t *v, unsigned base)
{
    uint64_t q = 0;
    uint32_t r = 0;

    for (int shift = 48; shift >= 0; shift -= 16) {
        uint32_t cur = (r << 16) | (uint32_t)((*v >> shift) & 0xFFFF);
        q = (q << 16) | (cur / base);
        r = cur % base;
    }
    *v = q;
    return r;
}

/* Write the digits of V in BASE into the END of BUF, backwards; returns the
 * number of digits (0 for V == 0). */
static int to_digits(uint64_t v, unsigned base, bool upper, char *end)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;

    for (; (v >> 32) != 0; n++)
        *--end = digits[div_small(&v, base)];
    for (uint32_t w = (uint32_t)v; w != 0; w /= base, n++)
        *--end = digits[w % base];
    return n;
}

/* Emit one integer conversion. NEGATIVE tells the sign, MAG the magnitude. */
static void format_integer(struct out *o, const struct spec *sp, char conv,
                           bool negative, uint64_t mag)
{
    char buf[24]; /* 22 octal digits cover 64 bits */
    char *end = buf + sizeof buf;
    unsigned base = conv == 'o'                                 ? 8
                    : (conv == 'x' || conv == 'X' || conv == 'p') ? 16
                                                                  : 10;
    int ndigits = to_digits(mag, base, conv == 'X', end);
    int precision = sp->precision < 0 ? 1 : sp->precision;
    char prefix[2];
    int nprefix = 0;

    if (conv == 'd' || conv == 'i') {
        if (negative)
            prefix[nprefix++] = '-';
        else if (sp->flags & F_PLUS)
            prefix[nprefix++] = '+';
        else if (sp->flags & F_SPACE)
            prefix[nprefix++] = ' ';
    } else if (conv == 'p' || ((sp->flags & F_ALT) && base == 16 && mag != 0)) {
        prefix[nprefix++] = '0';
        prefix[nprefix++] = conv == 'X' ? 'X' : 'x';
    } else if ((sp->flags & F_ALT) && base == 8 && precision <= ndigits) {
        precision = ndigits + 1; /* '#' makes the first octal digit a 0 */
    }

    int zeros = precision > ndigits ? precision - ndigits : 0;
    int len = nprefix + zeros + ndigits;
    int pad = sp->width > len ? sp->width - len : 0;

    if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->precision < 0) {
        zeros += pad;
        pad = 0;
    }
    if (!(sp->flags & F_LEFT))
        put_n(o, ' ', pad);
    put_str(o, prefix, nprefix);
    put_n(o, '0', zeros);
    put_str(o, end - ndigits, ndigits);
    if (sp->flags & F_LEFT)
        put_n(o, ' ', pad);
}

/* Emit N characters of S, padded to the field width with spaces. */
static void format_text(struct out *o, const struct spec *sp, const char *s, int n)
{
    int pad = sp->width > n ? sp->width - n : 0;

    if (!(sp->flags & F_LEFT))
        put_n(o, ' ', pad);
    put_str(o, s, n);
    if (sp->flags & F_LEFT)
        put_n(o, ' ', pad);
}

/* Parse a run of decimal digits at *P, saturating instead of overflowing. */
static int parse_number(const char **p)
{
    int n = 0;

    for (; **p >= '0' && **p <= '9'; (*p)++) {
        int d = **p - '0';
        n = n > (__INT_MAX__ - d) / 10 ? __INT_MAX__ : n * 10 + d;
    }
    return n;
}

/* Fetch a signed argument of the spec's length; returns its sign and magnitude. */
static uint64_t fetch_signed(const struct spec *sp, va_list *ap, bool *negative)
{
    long long v;

    switch (sp->length) {
    case LEN_CHAR: v = (signed char)va_arg(*ap, int); break;
    case LEN_SHORT: v = (short)va_arg(*ap, int); break;
    case LEN_LONG: v = va_arg(*ap, long); break;
    case LEN_LLONG: v = va_arg(*ap, long long); break;
    case LEN_SIZE: v = va_arg(*ap, ptrdiff_t); break;
    default: v = va_arg(*ap, int); break;
    }
    *negative = v < 0;
    /* 0 - (uint64_t)v is the magnitude even for LLONG_MIN (no overflow). */
    return *negative ? 0 - (uint64_t)v : (uint64_t)v;
}

/* Fetch an unsigned argument of the spec's length. */
static uint64_t fetch_unsigned(const struct spec *sp, va_list *ap)
{
    switch (sp->length) {
    case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned);
    case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned);
    case LEN_LONG: return va_arg(*ap, unsigned long);
    case LEN_LLONG: return va_arg(*ap, unsigned long long);
    case LEN_SIZE: return va_arg(*ap, size_t);
    default: return va_arg(*ap, unsigned);
    }
}

/* Parse the specification after the '%' at *P (flags to length), leaving *P
 * on the conversion character. */
static void parse_spec(const char **p, struct spec *sp, va_list *ap)
{
    const char *s = *p;

    sp->flags = 0;
    sp->width = 0;
    sp->precision = -1;
    sp->length = LEN_INT;
    for (;; s++) {
        if (*s == '-') sp->flags |= F_LEFT;
        else if (*s == '0') sp->flags |= F_ZERO;
        else if (*s == '+') sp->flags |= F_PLUS;
        else if (*s == ' ') sp->flags |= F_SPACE;
        else if (*s == '#') sp->flags |= F_ALT;
        else break;
    }
    if (*s == '*') {
        int w = va_arg(*ap, int);
        s++;
        if (w < 0) {
            sp->flags |= F_LEFT;
            w = w < -__INT_MAX__ ? __INT_MAX__ : -w;
        }
        sp->width = w;
    } else {
        sp->width = parse_number(&s);
    }
    if (*s == '.') {
        s++;
        if (*s == '*') {
            int prec = va_arg(*ap, int);
            s++;
            sp->precision = prec < 0 ? -1 : prec;
        } else {
            sp->precision = parse_number(&s);
        }
    }
    if (*s == 'h') {
        s++;
        sp->length = LEN_SHORT;
        if (*s == 'h') s++, sp->length = LEN_CHAR;
    } else if (*s == 'l') {
        s++;
        sp->length = LEN_LONG;
        if (*s == 'l') s++, sp->length = LEN_LLONG;
    } else if (*s == 'z') {
        s++;
        sp->length = LEN_SIZE;
    }
    *p = s;
}

int kformat(void (*emit)(char c, void *ctx), void *ctx, const char *fmt,
            va_list ap_in)
{
    struct out o = {emit, ctx, 0};
    va_list ap;

    /* A copy we can pass by address: va_list is an array type on some ABIs. */
    va_copy(ap, ap_in);
    while (*fmt != '\0') {
        if (*fmt != '%') {
            put(&o, *fmt++);
            continue;
        }
        const char *start = fmt++;
        struct spec sp;
        parse_spec(&fmt, &sp, &ap);
        char conv = *fmt;
        bool negative = false;
        uint64_t mag;

        switch (conv) {
        case 'd':
        case 'i':
            mag = fetch_signed(&sp, &ap, &negative);
            format_integer(&o, &sp, conv, negative, mag);
            break;
        case 'u':
        case 'o':
        case 'x':
        case 'X':
            mag = fetch_unsigned(&sp, &ap);
            format_integer(&o, &sp, conv, false, mag);
            break;
        case 'p': {
            struct spec ps = {sp.flags & F_LEFT, sp.width,
                              (int)(2 * sizeof(void *)), LEN_INT};
            format_integer(&o, &ps, 'p', false, (uintptr_t)va_arg(ap, void *));
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            format_text(&o, &sp, &c, 1);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            int n = 0;
            if (s == NULL)
                s = "(null)";
            while ((sp.precision < 0 || n < sp.precision) && s[n] != '\0')
                n++;
            format_text(&o, &sp, s, n);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default:
            /* Unknown, or the string ended inside the specification: print
             * what was there, as written. */
            put_str(&o, start, (int)(fmt - start) + (conv != '\0'));
            if (conv == '\0')
                goto done;
            break;
        }
        fmt++;
    }
done:
    va_end(ap);
    return o.count > (unsigned)__INT_MAX__ ? __INT_MAX__ : (int)o.count;
}

/* ksnprintf's sink: a bounded buffer that counts what did not fit. */
struct bounded {
    char *buf;
    size_t size;
    size_t pos;
};

static void emit_bounded(char c, void *ctx)
{
    struct bounded *b = ctx;

    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct bounded b = {buf, size, 0};
    int n = kformat(emit_bounded, &b, fmt, ap);

    if (size > 0)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
