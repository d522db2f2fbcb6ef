/* usym.c: find the function of a user program containing an address, from the program's ELF symbol table (bounds-checked). */
#include "usym.h"

#ifndef USYM_HOST_TEST /* host tests call usym_find alone */
#include "common/format.h"
#include "uimage.h"
#endif

#define ELF_SHOFF     32
#define ELF_SHENTSIZE 46
#define ELF_SHNUM     48
#define ELF_HDR_SIZE  52
#define SH_SIZE       40 /* an ELF32 section header */
#define SH_TYPE       4
#define SH_FLAGS      8
#define SH_ADDR       12
#define SH_OFFSET     16
#define SH_BYTES      20
#define SH_LINK       24
#define SHT_SYMTAB    2
#define SHF_EXECINSTR 0x4
#define SYM_SIZE      16 /* an ELF32 symbol */
#define STT_NOTYPE    0
#define STT_FUNC      2
#define USYM_MAX_SECTIONS 256

static uint32_t get32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t get16(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8;
}

/* True if [OFF, OFF + LEN) lies inside a file of SIZE bytes. */
static bool inside(uint32_t off, uint32_t len, uint32_t size)
{
    return off <= size && len <= size - off;
}

bool usym_find(const void *file, uint32_t size, uint32_t addr, struct usym *out)
{
    const uint8_t *f = file;
    if (f == NULL || size < ELF_HDR_SIZE || f[0] != 0x7F || f[1] != 'E' || f[2] != 'L' ||
        f[3] != 'F')
        return false;
    uint32_t shoff = get32(f + ELF_SHOFF), shnum = get16(f + ELF_SHNUM);
    if (get16(f + ELF_SHENTSIZE) != SH_SIZE || shnum > USYM_MAX_SECTIONS ||
        !inside(shoff, shnum * SH_SIZE, size))
        return false;
    const uint8_t *sh = f + shoff;
    bool found = false;
    uint32_t best = 0;
    for (uint32_t s = 0; s < shnum; s++) {
        const uint8_t *tab = sh + s * SH_SIZE;
        uint32_t link = get32(tab + SH_LINK);
        if (get32(tab + SH_TYPE) != SHT_SYMTAB || link >= shnum)
            continue;
        uint32_t sym_off = get32(tab + SH_OFFSET), sym_len = get32(tab + SH_BYTES);
        uint32_t str_off = get32(sh + link * SH_SIZE + SH_OFFSET);
        uint32_t str_len = get32(sh + link * SH_SIZE + SH_BYTES);
        if (!inside(sym_off, sym_len, size) || !inside(str_off, str_len, size))
            continue;
        for (uint32_t i = 0; i + SYM_SIZE <= sym_len; i += SYM_SIZE) {
            const uint8_t *sym = f + sym_off + i;
            uint32_t name = get32(sym), value = get32(sym + 4), len = get32(sym + 8);
            uint32_t type = sym[12] & 0xF, shndx = get16(sym + 14);
            if ((type != STT_FUNC && type != STT_NOTYPE) || shndx == 0 || shndx >= shnum ||
                value > addr || (found && value < best) || name == 0 || name >= str_len)
                continue;
            const uint8_t *sec = sh + shndx * SH_SIZE;
            if (!(get32(sec + SH_FLAGS) & SHF_EXECINSTR))
                continue;
            uint32_t sec_end = get32(sec + SH_ADDR) + get32(sec + SH_BYTES);
            if (len != 0 ? addr - value >= len : addr >= sec_end)
                continue;
            const char *text = (const char *)f + str_off + name;
            uint32_t n = 0, room = str_len - name;
            while (n < room && text[n] != '\0')
                n++;
            if (n == room || n == 0)
                continue; /* not terminated inside the table, or empty */
            /* of two at the same start, the one with a size (a function) wins */
            if (found && value == best && len == 0)
                continue;
            found = true;
            best = value;
            out->name = text;
            out->name_len = n;
            out->offset = addr - value;
        }
    }
    return found;
}

#ifndef USYM_HOST_TEST
void usym_describe(const char *program, uint32_t addr, char *buf, size_t size)
{
    const void *file;
    uint32_t file_size;
    struct usym s;
    if (size == 0)
        return;
    buf[0] = '\0';
    if (uimage_find(program, &file, &file_size) != 0 || !usym_find(file, file_size, addr, &s))
        return;
    int n = s.name_len > USYM_NAME_MAX ? USYM_NAME_MAX : (int)s.name_len;
    ksnprintf(buf, size, " (%.*s+0x%lx)", n, s.name, (unsigned long)s.offset);
}
#endif
