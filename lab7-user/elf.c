/* elf.c: elf_parse(), the validating ELF32 parser: a bad file gets -E_NOEXEC and a reason, never a crash. */
#include "elf.h"

#include <stddef.h>

#include "common/kstring.h"
#include "syscall_abi.h"

/* The ELF32 structures and constants the parser reads (System V ABI, i386 supplement). */
#define EI_NIDENT     16
#define EI_CLASS      4
#define EI_DATA       5
#define EI_VERSION    6
#define ELFCLASS32    1
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC       2
#define EM_386        3
#define PT_LOAD       1
#define PT_DYNAMIC    2
#define PT_INTERP     3
#define PT_TLS        7
#define PF_X          1
#define PF_W          2

struct elf32_ehdr {
    unsigned char e_ident[EI_NIDENT];
    uint16_t e_type, e_machine;
    uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf32_phdr {
    uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
};

_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 file header is 52 bytes");
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header is 32 bytes");

static int elf_fail(const char **why, const char *reason)
{
    if (why != NULL)
        *why = reason;
    return -E_NOEXEC;
}

/* The file header's checks: NULL if EH describes an ELF32 i386 executable
 * whose program header table lies inside a file of SIZE bytes, else why not. */
static const char *elf_check_header(const struct elf32_ehdr *eh, uint32_t size)
{
    static const unsigned char magic[4] = {0x7F, 'E', 'L', 'F'};
    if (memcmp(eh->e_ident, magic, sizeof magic) != 0)
        return "not an ELF file (bad magic)";
    if (eh->e_ident[EI_CLASS] != ELFCLASS32)
        return "not a 32-bit ELF file (class)";
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return "not a little-endian ELF file (data encoding)";
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return "unknown ELF version";
    if (eh->e_machine != EM_386)
        return "not an i386 program (machine)";
    if (eh->e_type != ET_EXEC)
        return "not an executable (type is not ET_EXEC: relocatable, shared or core)";
    if (eh->e_ehsize != sizeof(struct elf32_ehdr))
        return "wrong ELF header size";
    if (eh->e_phentsize != sizeof(struct elf32_phdr))
        return "wrong program header entry size";
    if (eh->e_phnum == 0)
        return "no program headers";
    if (eh->e_phnum > ELF_MAX_PHNUM)
        return "too many program headers";
    uint32_t table = (uint32_t)eh->e_phnum * sizeof(struct elf32_phdr);
    if (eh->e_phoff > size || table > size - eh->e_phoff)
        return "program header table outside the file";
    return NULL;
}

/* One PT_LOAD's checks: NULL if PH's bytes lie inside a file of SIZE bytes
 * and its memory inside [LO, HI), else why not. */
static const char *elf_check_segment(const struct elf32_phdr *ph, uint32_t size,
                                     uint32_t lo, uint32_t hi)
{
    (void)ph, (void)size, (void)lo, (void)hi;
    /* LAB 7: TODO refuse a segment whose file bytes leave the file, whose file size exceeds
     * its memory size, whose memory size is unbounded or whose memory leaves [LO, HI)
     * (mind unsigned wraparound) */
    /* LAB 7: BEGIN SOLUTION full */
    if (ph->p_filesz > size || ph->p_offset > size - ph->p_filesz)
        return "segment extends past the end of the file";
    if (ph->p_filesz > ph->p_memsz)
        return "segment's file size exceeds its memory size";
    if (ph->p_memsz > ELF_MAX_MEMSZ)
        return "segment too large";
    if (ph->p_vaddr < lo || ph->p_vaddr >= hi || ph->p_memsz > hi - ph->p_vaddr)
        return "segment outside the user address range";
    /* LAB 7: END SOLUTION */
    return NULL;
}

/* First and last page (page numbers) of a segment with memsz > 0. */
static uint32_t elf_first_page(const struct elf_segment *s)
{
    return s->vaddr / ELF_PAGE_SIZE;
}

static uint32_t elf_last_page(const struct elf_segment *s)
{
    return (s->vaddr + (s->memsz - 1)) / ELF_PAGE_SIZE;
}

/* Add segment PH to OUT after checking it against the ones already there. */
static const char *elf_add_segment(struct elf_image *out, const struct elf32_phdr *ph,
                                   uint32_t *total)
{
    if (out->n_segments == ELF_MAX_SEGMENTS)
        return "too many loadable segments";
    if (ph->p_memsz > ELF_MAX_MEMSZ - *total)
        return "segments too large together";
    *total += ph->p_memsz;
    struct elf_segment *s = &out->seg[out->n_segments];
    s->vaddr = ph->p_vaddr;
    s->memsz = ph->p_memsz;
    s->filesz = ph->p_filesz;
    s->offset = ph->p_offset;
    s->writable = (ph->p_flags & PF_W) != 0;
    s->executable = (ph->p_flags & PF_X) != 0;
    for (unsigned i = 0; i < out->n_segments; i++) {
        const struct elf_segment *o = &out->seg[i];
        if (elf_first_page(s) <= elf_last_page(o) && elf_first_page(o) <= elf_last_page(s))
            return "two segments overlap or share a page";
    }
    out->n_segments++;
    return NULL;
}

/* NULL if ENTRY lies inside the file bytes of an executable segment of IMG. */
static const char *elf_check_entry(const struct elf_image *img, uint32_t entry)
{
    for (unsigned i = 0; i < img->n_segments; i++) {
        const struct elf_segment *s = &img->seg[i];
        if (s->executable && entry >= s->vaddr && entry - s->vaddr < s->filesz)
            return NULL;
    }
    return "entry point outside every executable segment";
}

int elf_parse(const void *file, uint32_t size, uint32_t user_lo, uint32_t user_hi,
              struct elf_image *out, const char **why)
{
    const unsigned char *bytes = file;
    struct elf32_ehdr eh;
    const char *problem;

    if (file == NULL || out == NULL)
        return elf_fail(why, "no file");
    if (user_lo >= user_hi)
        return elf_fail(why, "empty user address range");
    if (size < sizeof eh)
        return elf_fail(why, "file shorter than an ELF header");
    memcpy(&eh, bytes, sizeof eh); /* FILE may be unaligned */
    if ((problem = elf_check_header(&eh, size)) != NULL)
        return elf_fail(why, problem);

    out->entry = eh.e_entry;
    out->n_segments = 0;
    uint32_t total = 0;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        struct elf32_phdr ph;
        memcpy(&ph, bytes + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type == PT_DYNAMIC || ph.p_type == PT_INTERP)
            return elf_fail(why, "dynamically linked (only static programs run)");
        if (ph.p_type == PT_TLS)
            return elf_fail(why, "thread-local storage is not supported");
        if (ph.p_type != PT_LOAD)
            continue; /* notes, GNU_STACK...: nothing to load */
        if (ph.p_memsz == 0 && ph.p_filesz == 0)
            continue; /* an empty segment (ld writes one for an empty .data) maps nothing */
        if ((problem = elf_check_segment(&ph, size, user_lo, user_hi)) != NULL)
            return elf_fail(why, problem);
        if ((problem = elf_add_segment(out, &ph, &total)) != NULL)
            return elf_fail(why, problem);
    }
    if (out->n_segments == 0)
        return elf_fail(why, "no loadable segment");
    if ((problem = elf_check_entry(out, eh.e_entry)) != NULL)
        return elf_fail(why, problem);
    return 0;
}
