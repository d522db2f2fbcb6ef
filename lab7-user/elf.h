/* elf.h: the validating ELF32 parser the program loader trusts (no I/O, no allocation). */
#ifndef LAB7_ELF_H
#define LAB7_ELF_H

#include <stdint.h>

#define ELF_MAX_SEGMENTS 8          /* PT_LOAD segments one program may have */
#define ELF_MAX_PHNUM    32         /* program headers one file may have */
#define ELF_MAX_MEMSZ    0x01000000 /* bytes of all segments together: 16 MiB */
#define ELF_PAGE_SIZE    4096       /* no two segments may share a page */

/* One loadable segment: map [vaddr, vaddr + memsz), copy filesz bytes from
 * the file at offset, zero the rest. */
struct elf_segment {
    uint32_t vaddr, memsz, filesz, offset;
    int writable, executable;
};

/* What the loader needs of a valid program. */
struct elf_image {
    uint32_t entry;
    unsigned n_segments;
    struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/* Validate FILE (SIZE bytes) as a static ELF32 i386 executable whose loadable
 * segments lie inside [USER_LO, USER_HI); fill OUT. Returns 0, or -E_NOEXEC
 * with *WHY set to a one-line reason (a static string). Every field the loader
 * uses is checked: identification, machine, type, header sizes, the program
 * header table inside the file, each PT_LOAD's file bytes inside the file,
 * filesz <= memsz, sizes bounded, segments inside the user range without
 * wraparound, no two segments sharing a page, the entry inside the file bytes
 * of an executable segment. Reads only FILE[0, SIZE); any alignment of FILE.
 * Any context; OUT is written even on failure (its contents are then unspecified). */
int elf_parse(const void *file, uint32_t size, uint32_t user_lo, uint32_t user_hi,
              struct elf_image *out, const char **why);

#endif
