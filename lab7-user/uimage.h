/* uimage.h: the user-program image embedded in the kernel: find a program's ELF file by name. */
#ifndef LAB7_UIMAGE_H
#define LAB7_UIMAGE_H

#include <stdbool.h>
#include <stdint.h>

/* The image format (written by tools/uimage.py, documented in user/README.md).
 * All numbers little-endian; offsets from the start of the image.
 *   header  : magic UIMAGE_MAGIC, version UIMAGE_VERSION, count, total size (4 x u32)
 *   table   : count entries of { char name[UIMAGE_NAME] (NUL-padded, NUL-terminated),
 *             u32 offset, u32 size }
 *   files   : each starting at a multiple of UIMAGE_ALIGN */
#define UIMAGE_MAGIC     0x4D495553u /* "SUIM" */
#define UIMAGE_VERSION   1
#define UIMAGE_NAME      32
#define UIMAGE_ALIGN     16
#define UIMAGE_MAX_COUNT 256

struct uimage_header {
    uint32_t magic, version, count, total;
};

struct uimage_entry {
    char name[UIMAGE_NAME];
    uint32_t offset, size;
};

/* The ELF file of program NAME: *DATA and *SIZE set, 0 returned; or -E_NOENT
 * (no such program, or no valid image: see uimage_check). Any context. */
int uimage_find(const char *name, const void **data, uint32_t *size);

/* How many programs the image holds (0 if it is not valid), and the name of
 * the I-th (NULL past the end). Any context. */
unsigned uimage_count(void);
const char *uimage_name(unsigned i);

/* The kernel embeds the image compressed (tools/uimage.py --lz, format in its
 * docstring and user/README.md): a header, then LZ items in groups of 8 under a
 * flag byte (bit set: a literal byte; clear: u16 distance, u8 length - 4). */
#define UIMAGE_LZ_MAGIC 0x5A495553u /* "SUIZ" */
#define UIMAGE_LZ_MIN   4
struct uimage_lz_header {
    uint32_t magic, raw_size, comp_size, checksum; /* checksum: FNV-1a 32 of the raw image */
};

/* The embedded image, unpacked at the first call into a buffer in .bss
 * (uimage_blob.asm), and its size (0 if it does not unpack). The first call
 * unpacks with interrupts off (~100 KiB: call uimage_init() at boot to pay
 * it there). Any context. */
const void *uimage_bytes(uint32_t *size);

/* Unpack the image now if it is not yet; true if it is valid. Any context. */
bool uimage_init(void);

/* Unpack the compressed image BLOB (SIZE bytes) into OUT (CAPACITY bytes);
 * *RAW_SIZE = its size. NULL, or why not (bad header, a reference outside the
 * output, the stream ending early, a checksum mismatch): never reads or writes
 * outside BLOB and OUT. Any context. */
const char *uimage_unpack(const void *blob, uint32_t size, void *out, uint32_t capacity,
                          uint32_t *raw_size);

/* NULL if the SIZE bytes at IMAGE form a valid image (magic, version, count
 * bounded, table and every file inside the image, names terminated), else
 * why not. Any context. */
const char *uimage_check(const void *image, uint32_t size);

#endif
