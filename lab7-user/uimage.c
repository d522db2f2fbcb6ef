/* uimage.c: look programs up by name in the image tools/uimage.py packed (uimage_blob.asm embeds it). */
#include "uimage.h"

#include <stddef.h>

#include "common/kstring.h"
#include "syscall_abi.h"

#ifndef UIMAGE_HOST_TEST /* host tests bring their own image */
/* Bounds of the embedded image (uimage_blob.asm). */
extern const unsigned char uimage_start[], uimage_end[];

const void *uimage_bytes(uint32_t *size)
{
    *size = (uint32_t)(uimage_end - uimage_start);
    return uimage_start;
}
#endif

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
