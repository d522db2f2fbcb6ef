/* test_usym.c: host unit tests of usym_find(): functions, labels, sections, and malformed files (every truncation, corruption) read nothing outside the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lab7-user/usym.h"

/* The file: ELF header, 5 section headers (null, .text, .data, .symtab,
 * .strtab), the symbols, the strings. */
#define SHOFF     64u
#define NSEC      5u
#define SYMOFF    (SHOFF + NSEC * 40u)
#define NSYM      10u
#define STROFF    (SYMOFF + NSYM * 16u)
#define TEXT_VA   0x08048000u
#define TEXT_SZ   0x100u
#define DATA_VA   0x08049000u
#define STT_NOTYPE 0
#define STT_OBJECT 1
#define STT_FUNC   2
#define SEC_TEXT   1
#define SEC_DATA   2

static const char strtab[] =
    "\0_start\0main\0main_alias\0helper\0tail_label\0data_obj\0data_label\0undef";
#define STR_SZ ((uint32_t)sizeof strtab) /* the final NUL included */
#define FILE_SZ (STROFF + STR_SZ)

static void put16(uint8_t *f, uint32_t off, uint16_t v) { f[off] = v & 0xFF; f[off + 1] = v >> 8; }
static void put32(uint8_t *f, uint32_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        f[off + i] = (v >> (8 * i)) & 0xFF;
}

static uint32_t str(const char *name)
{
    for (uint32_t i = 1; i < STR_SZ; i += (uint32_t)strlen(strtab + i) + 1)
        if (strcmp(strtab + i, name) == 0)
            return i;
    fail_msg("no string %s", name);
    return 0;
}

static void section(uint8_t *f, unsigned i, uint32_t type, uint32_t flags, uint32_t addr,
                    uint32_t off, uint32_t size, uint32_t link)
{
    uint32_t sh = SHOFF + 40u * i;
    put32(f, sh + 4, type);
    put32(f, sh + 8, flags);
    put32(f, sh + 12, addr);
    put32(f, sh + 16, off);
    put32(f, sh + 20, size);
    put32(f, sh + 24, link);
}

static void symbol(uint8_t *f, unsigned i, const char *name, uint32_t value, uint32_t size,
                   int type, uint16_t shndx)
{
    uint32_t s = SYMOFF + 16u * i;
    put32(f, s, name ? str(name) : 0);
    put32(f, s + 4, value);
    put32(f, s + 8, size);
    f[s + 12] = (uint8_t)type;
    put16(f, s + 14, shndx);
}

static void make_good(uint8_t *f)
{
    memset(f, 0, FILE_SZ);
    memcpy(f, "\x7f" "ELF", 4);
    put32(f, 32, SHOFF);
    put16(f, 46, 40);
    put16(f, 48, NSEC);
    section(f, SEC_TEXT, 1, 0x6 /* alloc, exec */, TEXT_VA, 0, TEXT_SZ, 0);
    section(f, SEC_DATA, 1, 0x3 /* write, alloc */, DATA_VA, 0, 0x40, 0);
    section(f, 3, 2 /* SHT_SYMTAB */, 0, 0, SYMOFF, NSYM * 16u, 4);
    section(f, 4, 3 /* SHT_STRTAB */, 0, 0, STROFF, STR_SZ, 0);
    symbol(f, 0, NULL, 0, 0, STT_NOTYPE, 0);
    symbol(f, 1, "_start", TEXT_VA, 0, STT_NOTYPE, SEC_TEXT);
    symbol(f, 2, "main", TEXT_VA + 0x10, 0x20, STT_FUNC, SEC_TEXT);
    symbol(f, 3, "main_alias", TEXT_VA + 0x10, 0, STT_NOTYPE, SEC_TEXT);
    symbol(f, 4, "helper", TEXT_VA + 0x40, 0x10, STT_FUNC, SEC_TEXT);
    symbol(f, 5, "tail_label", TEXT_VA + 0x80, 0, STT_NOTYPE, SEC_TEXT);
    symbol(f, 6, "data_obj", DATA_VA, 0x10, STT_OBJECT, SEC_DATA);
    symbol(f, 7, "data_label", DATA_VA + 0x10, 0, STT_NOTYPE, SEC_DATA);
    symbol(f, 8, "undef", 0, 0, STT_FUNC, 0);
    symbol(f, 9, NULL, TEXT_VA + 0x90, 4, STT_FUNC, SEC_TEXT); /* no name */
    memcpy(f + STROFF, strtab, STR_SZ);
}

/* usym_find on an exact-size heap copy, so AddressSanitizer sees any read past it; the name
 * found (inside the copy: checked) is copied to NAME (64 bytes) before the copy is freed. */
static bool find_copy(const uint8_t *f, uint32_t size, uint32_t addr, struct usym *out,
                      char *name)
{
    uint8_t *copy = malloc(size ? size : 1);
    assert_non_null(copy);
    memcpy(copy, f, size);
    bool ok = usym_find(copy, size, addr, out);
    bool inside = !ok || (out->name >= (const char *)copy &&
                          out->name + out->name_len <= (const char *)copy + size);
    if (ok && inside)
        snprintf(name, 64, "%.*s", (int)out->name_len, out->name);
    free(copy);
    if (!inside)
        fail_msg("the name found lies outside the file");
    return ok;
}

static void expect(const uint8_t *f, uint32_t addr, const char *name, uint32_t offset)
{
    struct usym s;
    char got[64];
    bool ok = find_copy(f, FILE_SZ, addr, &s, got);
    if (name == NULL && ok)
        fail_msg("0x%08x lies in no function, but %s+0x%x was named", addr, got, s.offset);
    if (name != NULL && !ok)
        fail_msg("0x%08x must be %s+0x%x, nothing was found", addr, name, offset);
    if (name != NULL && (strcmp(got, name) != 0 || s.offset != offset))
        fail_msg("0x%08x must be %s+0x%x, got %s+0x%x", addr, name, offset, got, s.offset);
}

static void test_functions_and_labels(void **state)
{
    (void)state;
    static uint8_t f[FILE_SZ];
    make_good(f);
    expect(f, TEXT_VA, "_start", 0);
    expect(f, TEXT_VA + 5, "_start", 5);
    expect(f, TEXT_VA + 0x10, "main", 0);      /* a function beats a label at its start */
    expect(f, TEXT_VA + 0x2f, "main", 0x1f);
    expect(f, TEXT_VA + 0x30, "main_alias", 0x20); /* past main's end: the label at its start */
    expect(f, TEXT_VA + 0x45, "helper", 5);
    expect(f, TEXT_VA + 0x92, "tail_label", 0x12); /* a nameless symbol is never named */
    expect(f, TEXT_VA + TEXT_SZ - 1, "tail_label", 0x7f);
}

static void test_outside_every_function(void **state)
{
    (void)state;
    static uint8_t f[FILE_SZ];
    make_good(f);
    expect(f, 0, NULL, 0);                  /* an undefined symbol has value 0 */
    expect(f, TEXT_VA - 1, NULL, 0);
    expect(f, TEXT_VA + TEXT_SZ, NULL, 0);  /* a label reaches only its section's end */
    expect(f, DATA_VA, NULL, 0);            /* data symbols are not functions */
    expect(f, DATA_VA + 0x14, NULL, 0);
    expect(f, 0xC0001000u, NULL, 0);
}

static void test_malformed_files(void **state)
{
    (void)state;
    static uint8_t f[FILE_SZ];
    struct usym s;
    char got[64];
    make_good(f);
    f[0] = 0;
    assert_false(find_copy(f, FILE_SZ, TEXT_VA, &s, got)); /* not ELF */
    make_good(f);
    put16(f, 46, 32);
    assert_false(find_copy(f, FILE_SZ, TEXT_VA, &s, got)); /* section header size */
    make_good(f);
    put16(f, 48, 0xFFFF);
    assert_false(find_copy(f, FILE_SZ, TEXT_VA, &s, got)); /* too many sections */
    make_good(f);
    put32(f, SHOFF + 3 * 40 + 24, NSEC);
    assert_false(find_copy(f, FILE_SZ, TEXT_VA, &s, got)); /* string table link out of range */
    make_good(f);
    put32(f, SHOFF + 3 * 40 + 20, 0xFFFFFFF0u);
    assert_false(find_copy(f, FILE_SZ, TEXT_VA, &s, got)); /* symbols past the file's end */
    make_good(f);
    f[FILE_SZ - 1] = 'x'; /* "undef" not terminated: only it is lost */
    expect(f, TEXT_VA + 0x45, "helper", 5);
    make_good(f);
    put32(f, SHOFF + 4 * 40 + 20, str("main") + 2); /* the table ends inside "main" */
    assert_true(find_copy(f, FILE_SZ, TEXT_VA + 0x12, &s, got));
    assert_string_equal(got, "_start"); /* main dropped, the label before it named */
}

static void test_every_truncation(void **state)
{
    (void)state;
    static uint8_t f[FILE_SZ];
    struct usym s;
    char got[64];
    make_good(f);
    for (uint32_t size = 0; size < FILE_SZ; size++) {
        bool ok = find_copy(f, size, TEXT_VA + 0x45, &s, got);
        if (size < STROFF)
            assert_false(ok); /* the symbols or their strings are cut */
    }
}

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static void test_random_corruption(void **state)
{
    (void)state;
    static uint8_t f[FILE_SZ];
    struct usym s;
    char got[64];
    for (int round = 0; round < 20000; round++) {
        make_good(f);
        int flips = 1 + rng() % 4;
        for (int k = 0; k < flips; k++)
            f[rng() % FILE_SZ] = (rng() % 3 == 0) ? 0xFF : (uint8_t)rng();
        uint32_t size = (rng() % 8 == 0) ? rng() % (FILE_SZ + 1) : FILE_SZ;
        uint32_t addr = (rng() % 2) ? TEXT_VA + rng() % (TEXT_SZ + 0x10) : rng() << 8;
        if (find_copy(f, size, addr, &s, got)) /* whatever is found lies inside the file */
            assert_true(s.name_len > 0 && strlen(got) == s.name_len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_functions_and_labels),
        cmocka_unit_test(test_outside_every_function),
        cmocka_unit_test(test_malformed_files),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_random_corruption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
