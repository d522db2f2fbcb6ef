/* uimage.c: look programs up by name in the image tools/uimage.py packed (uimage_blob.asm embeds it). */
#include "uimage.h"

#include <stddef.h>

#include "common/kprintf.h"
#include "common/kstring.h"
#include "syscall_abi.h"

#ifndef UIMAGE_HOST_TEST /* host tests bring their own image */
#include "common/intr_level.h"

/* uimage_blob.asm: the compressed image, and the buffer it unpacks into. */
extern const unsigned char uimage_lz_start[], uimage_lz_end[];
extern unsigned char uimage_raw[];
extern const uint32_t uimage_raw_capacity;

static int uimage_state;      /* 0: not unpacked yet; 1: valid; -1: broken */
static uint32_t uimage_size;  /* bytes of the unpacked image */

bool uimage_init(void)
{
    enum intr_level old = intr_disable();
    if (uimage_state == 0) {
        const char *why = uimage_unpack(uimage_lz_start, (uint32_t)(uimage_lz_end - uimage_lz_start),
                                        uimage_raw, uimage_raw_capacity, &uimage_size);
        if (why == NULL)
            why = uimage_check(uimage_raw, uimage_size);
        if (why != NULL)
            kprintf("uimage: the embedded program image is broken: %s\n", why);
        uimage_state = why == NULL ? 1 : -1;
    }
    intr_set_level(old);
    return uimage_state == 1;
}

const void *uimage_bytes(uint32_t *size)
{
    *size = uimage_init() ? uimage_size : 0;
    return uimage_raw;
}
#endif

static uint32_t uimage_fnv1a(const unsigned char *p, uint32_t n)
{
    uint32_t h = 0x811C9DC5u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x01000193u;
    return h;
}

const char *uimage_unpack(const void *blob, uint32_t size, void *out, uint32_t capacity,
                          uint32_t *raw_size)
{
    const unsigned char *in = blob;
    unsigned char *dst = out;
    struct uimage_lz_header h;
    *raw_size = 0;
    if (size < sizeof h)
        return "compressed image shorter than its header";
    memcpy(&h, in, sizeof h);
    if (h.magic != UIMAGE_LZ_MAGIC || h.comp_size != size - sizeof h)
        return "bad compressed image header";
    if (h.raw_size > capacity)
        return "image larger than its buffer";
    uint32_t i = sizeof h, n = 0;
    while (n < h.raw_size) {
        if (i >= size)
            return "compressed stream ends early";
        unsigned flags = in[i++];
        for (int bit = 0; bit < 8 && n < h.raw_size; bit++) {
            if (flags & (1u << bit)) {
                if (i >= size)
                    return "compressed stream ends early";
                dst[n++] = in[i++];
                continue;
            }
            if (size - i < 3)
                return "compressed stream ends early";
            uint32_t dist = in[i] | (uint32_t)in[i + 1] << 8;
            uint32_t len = in[i + 2] + (uint32_t)UIMAGE_LZ_MIN;
            i += 3;
            if (dist == 0 || dist > n || len > h.raw_size - n)
                return "compressed stream refers outside the image";
            for (uint32_t k = 0; k < len; k++, n++)
                dst[n] = dst[n - dist]; /* byte by byte: the copy may overlap itself */
        }
    }
    if (uimage_fnv1a(dst, n) != h.checksum)
        return "compressed image checksum mismatch";
    *raw_size = n;
    return NULL;
}

const char *uimage_check(const void *image, uint32_t size)
{
    const unsigned char *bytes = image;
    struct uimage_header h;
    if (size < sizeof h)
        return "image shorter than its header";
    memcpy(&h, bytes, sizeof h);
    if (h.magic != UIMAGE_MAGIC)
        return "bad image magic";
    if (h.version != UIMAGE_VERSION)
        return "unknown image version";
    if (h.total != size)
        return "image size does not match its header";
    if (h.count > UIMAGE_MAX_COUNT)
        return "too many programs in the image";
    if (h.count * sizeof(struct uimage_entry) > size - sizeof h)
        return "program table outside the image";
    for (uint32_t i = 0; i < h.count; i++) {
        struct uimage_entry e;
        memcpy(&e, bytes + sizeof h + i * sizeof e, sizeof e);
        if (strnlen(e.name, UIMAGE_NAME) == UIMAGE_NAME || e.name[0] == '\0')
            return "a program name is empty or not terminated";
        if (e.offset > size || e.size > size - e.offset)
            return "a program lies outside the image";
    }
    return NULL;
}

/* The embedded image if it is valid (its program count in *COUNT), else NULL. */
static const unsigned char *uimage_valid(uint32_t *count)
{
    uint32_t size;
    const unsigned char *bytes = uimage_bytes(&size);
    struct uimage_header h;
    if (uimage_check(bytes, size) != NULL)
        return NULL;
    memcpy(&h, bytes, sizeof h);
    *count = h.count;
    return bytes;
}

/* The I-th table entry of the valid image BYTES, copied (entries may be unaligned). */
static struct uimage_entry uimage_entry_at(const unsigned char *bytes, unsigned i)
{
    struct uimage_entry e;
    memcpy(&e, bytes + sizeof(struct uimage_header) + i * sizeof e, sizeof e);
    return e;
}

unsigned uimage_count(void)
{
    uint32_t count;
    return uimage_valid(&count) != NULL ? count : 0;
}

const char *uimage_name(unsigned i)
{
    uint32_t count;
    const unsigned char *bytes = uimage_valid(&count);
    if (bytes == NULL || i >= count)
        return NULL;
    /* Names are NUL-terminated inside the table (uimage_check). */
    return (const char *)bytes + sizeof(struct uimage_header) + i * sizeof(struct uimage_entry);
}

int uimage_find(const char *name, const void **data, uint32_t *size)
{
    uint32_t count;
    const unsigned char *bytes = uimage_valid(&count);
    if (bytes == NULL || name == NULL)
        return -E_NOENT;
    for (unsigned i = 0; i < count; i++) {
        struct uimage_entry e = uimage_entry_at(bytes, i);
        if (strcmp(e.name, name) == 0) {
            *data = bytes + e.offset;
            *size = e.size;
            return 0;
        }
    }
    return -E_NOENT;
}
