/* usym.h: the function of a user program containing an address, from the program's ELF symbol table (for fault reports). */
#ifndef LAB7_USYM_H
#define LAB7_USYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest function name a report shows (longer ones are cut). */
#define USYM_NAME_MAX 40

/* A function found: NAME (NAME_LEN bytes, not NUL-terminated: it points into
 * the file's string table) and ADDR's offset from its start. */
struct usym {
    const char *name;
    uint32_t name_len;
    uint32_t offset;
};

/* The function of the ELF32 file FILE (SIZE bytes) containing ADDR: a
 * function or untyped symbol of an executable section whose [value, value +
 * size) holds ADDR, or, for a symbol of size 0 (an assembly label), the
 * nearest one at or below ADDR in its section; of several, the highest
 * start. True and *OUT set, or false (no symbol table, no such function, or
 * a malformed file: never reads outside FILE[0, SIZE)). Any context. */
bool usym_find(const void *file, uint32_t size, uint32_t addr, struct usym *out);

/* " (main+0x1a)": PROGRAM's function containing ADDR, PROGRAM's ELF file
 * looked up by name in the program image, written into BUF (SIZE bytes;
 * the name cut at USYM_NAME_MAX); "" if the program or the function is not
 * found. Any context (no allocation, no lock). */
void usym_describe(const char *program, uint32_t addr, char *buf, size_t size);

#endif
