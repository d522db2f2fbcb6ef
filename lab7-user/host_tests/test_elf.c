/* test_elf.c: host unit tests of elf_parse(): a good program, each check broken alone, every truncation, random corruption. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lab7-user/elf.h"
#include "lab7-user/syscall_abi.h"

#define USER_LO   0x00400000u
#define USER_HI   0xC0000000u
#define TEXT_VA   0x08048000u
#define DATA_VA   0x0804A000u
#define PHOFF     52u
#define MAX_PH    12u
#define BODY      (PHOFF + MAX_PH * 32u) /* file bytes start here */
#define TEXT_SZ   0x180u
#define DATA_SZ   0x40u
#define DATA_MEM  0x1800u
#define FILE_SZ   (BODY + TEXT_SZ + DATA_SZ)

/* Little-endian field writers (the file is a byte array, like on disk). */
static void put16(uint8_t *f, uint32_t off, uint16_t v) { f[off] = v & 0xFF; f[off + 1] = v >> 8; }
static void put32(uint8_t *f, uint32_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        f[off + i] = (v >> (8 * i)) & 0xFF;
}

/* Offsets of the fields the table edits. */
enum { E_TYPE = 16, E_MACHINE = 18, E_VERSION = 20, E_ENTRY = 24, E_PHOFF = 28,
       E_EHSIZE = 40, E_PHENTSIZE = 42, E_PHNUM = 44 };
enum { P_TYPE = 0, P_OFFSET = 4, P_VADDR = 8, P_FILESZ = 16, P_MEMSZ = 20, P_FLAGS = 24 };
#define PH(i, field) (PHOFF + 32u * (i) + (field))

static void set_phdr(uint8_t *f, unsigned i, uint32_t type, uint32_t off, uint32_t va,
                     uint32_t filesz, uint32_t memsz, uint32_t flags)
{
    put32(f, PH(i, P_TYPE), type);
    put32(f, PH(i, P_OFFSET), off);
    put32(f, PH(i, P_VADDR), va);
    put32(f, PH(i, 12), va);
    put32(f, PH(i, P_FILESZ), filesz);
    put32(f, PH(i, P_MEMSZ), memsz);
    put32(f, PH(i, P_FLAGS), flags);
    put32(f, PH(i, 28), 16);
}

/* A valid program: text (R-X) then data+bss (RW-) on a later page, a
 * GNU_STACK header between them; the data's file bytes end the file, so any
 * truncation cuts a segment. */
static void make_good(uint8_t *f)
{
    memset(f, 0, FILE_SZ);
    memcpy(f, "\x7f" "ELF\x01\x01\x01", 7);
    put16(f, E_TYPE, 2);
    put16(f, E_MACHINE, 3);
    put32(f, E_VERSION, 1);
    put32(f, E_ENTRY, TEXT_VA + 0x10);
    put32(f, E_PHOFF, PHOFF);
    put16(f, E_EHSIZE, 52);
    put16(f, E_PHENTSIZE, 32);
    put16(f, E_PHNUM, 3);
    set_phdr(f, 0, 1, BODY, TEXT_VA, TEXT_SZ, TEXT_SZ, 5);
    set_phdr(f, 1, 0x6474e551, 0, 0, 0, 0, 6); /* PT_GNU_STACK: ignored */
    set_phdr(f, 2, 1, BODY + TEXT_SZ, DATA_VA, DATA_SZ, DATA_MEM, 6);
    for (uint32_t i = BODY; i < FILE_SZ; i++)
        f[i] = (uint8_t)(i * 7);
}

/* Parse BYTES (SIZE) from an exact-size heap copy, so ASan sees any read past the end. */
static int parse_copy(const uint8_t *bytes, uint32_t size, uint32_t lo, uint32_t hi,
                      struct elf_image *img, const char **why)
{
    uint8_t *copy = malloc(size ? size : 1);
    assert_non_null(copy);
    memcpy(copy, bytes, size);
    *why = NULL;
    int r = elf_parse(copy, size, lo, hi, img, why);
    free(copy);
    return r;
}

static void test_good_program(void **state)
{
    (void)state;
    uint8_t f[FILE_SZ];
    struct elf_image img;
    const char *why;
    make_good(f);
    assert_int_equal(parse_copy(f, FILE_SZ, USER_LO, USER_HI, &img, &why), 0);
    assert_int_equal(img.entry, TEXT_VA + 0x10);
    assert_int_equal(img.n_segments, 2);
    assert_int_equal(img.seg[0].vaddr, TEXT_VA);
    assert_int_equal(img.seg[0].filesz, TEXT_SZ);
    assert_int_equal(img.seg[0].offset, BODY);
    assert_true(img.seg[0].executable && !img.seg[0].writable);
    assert_int_equal(img.seg[1].vaddr, DATA_VA);
    assert_int_equal(img.seg[1].memsz, DATA_MEM);
    assert_int_equal(img.seg[1].filesz, DATA_SZ);
    assert_true(img.seg[1].writable && !img.seg[1].executable);
}

/* One way to break the good file: EDIT changes it; the parser must refuse it
 * with a reason containing WHY. */
struct bad_case {
    const char *name;
    void (*edit)(uint8_t *f);
    const char *why;
    uint32_t lo, hi; /* 0, 0: the usual user range */
};

#define EDIT(name, body) static void name(uint8_t *f) { body; }
EDIT(bad_magic0, f[0] = 0x7e)
EDIT(bad_magic3, f[3] = 'f')
EDIT(class64, f[4] = 2)
EDIT(class_none, f[4] = 0)
EDIT(big_endian, f[5] = 2)
EDIT(ident_version, f[6] = 0)
EDIT(file_version, put32(f, E_VERSION, 2))
EDIT(machine_x86_64, put16(f, E_MACHINE, 62))
EDIT(type_rel, put16(f, E_TYPE, 1))
EDIT(type_dyn, put16(f, E_TYPE, 3))
EDIT(type_core, put16(f, E_TYPE, 4))
EDIT(ehsize, put16(f, E_EHSIZE, 64))
EDIT(phentsize, put16(f, E_PHENTSIZE, 56))
EDIT(phnum_zero, put16(f, E_PHNUM, 0))
EDIT(phnum_huge, put16(f, E_PHNUM, 0xFFFF))
EDIT(phnum_past_limit, put16(f, E_PHNUM, ELF_MAX_PHNUM + 1))
EDIT(phoff_past_end, put32(f, E_PHOFF, FILE_SZ + 1))
EDIT(phoff_straddles_end, put32(f, E_PHOFF, FILE_SZ - 40))
EDIT(phoff_wraps, put32(f, E_PHOFF, 0xFFFFFFF0u))
EDIT(interp, put32(f, PH(1, P_TYPE), 3))
EDIT(dynamic, put32(f, PH(1, P_TYPE), 2))
EDIT(tls, put32(f, PH(1, P_TYPE), 7))
EDIT(seg_offset_past_end, put32(f, PH(0, P_OFFSET), FILE_SZ + 1))
EDIT(seg_bytes_past_end, put32(f, PH(2, P_FILESZ), DATA_SZ + 1); put32(f, PH(2, P_MEMSZ), DATA_MEM))
EDIT(seg_offset_wraps, put32(f, PH(0, P_OFFSET), 0xFFFFFF00u))
EDIT(seg_filesz_huge, put32(f, PH(0, P_FILESZ), 0xFFFFFFFFu); put32(f, PH(0, P_MEMSZ), 0xFFFFFFFFu))
EDIT(filesz_over_memsz, put32(f, PH(0, P_MEMSZ), TEXT_SZ - 1))
EDIT(memsz_huge, put32(f, PH(2, P_MEMSZ), ELF_MAX_MEMSZ + 1))
EDIT(memsz_max_u32, put32(f, PH(2, P_MEMSZ), 0xFFFFFFFFu))
EDIT(total_too_large, put32(f, PH(0, P_MEMSZ), ELF_MAX_MEMSZ / 2 + 0x1000);
     put32(f, PH(2, P_VADDR), 0x10000000u); put32(f, PH(2, P_MEMSZ), ELF_MAX_MEMSZ / 2 + 0x1000))
EDIT(below_user, put32(f, PH(0, P_VADDR), USER_LO - 0x1000); put32(f, E_ENTRY, USER_LO - 0x1000))
EDIT(null_vaddr, put32(f, PH(0, P_VADDR), 0); put32(f, E_ENTRY, 0x10))
EDIT(at_user_hi, put32(f, PH(2, P_VADDR), USER_HI))
EDIT(kernel_vaddr, put32(f, PH(2, P_VADDR), 0x00100000u))
EDIT(ends_past_user_hi, put32(f, PH(2, P_VADDR), USER_HI - 0x1000))
EDIT(wraps_around, put32(f, PH(2, P_VADDR), 0xFFFFF000u); put32(f, PH(2, P_MEMSZ), 0x2000))
EDIT(overlap, put32(f, PH(2, P_VADDR), TEXT_VA + 0x80))
EDIT(same_page, put32(f, PH(2, P_VADDR), TEXT_VA + 0x800))
EDIT(last_page_shared, put32(f, PH(2, P_VADDR), TEXT_VA - 0x1000); put32(f, PH(2, P_MEMSZ), 0x1001))
EDIT(too_many_segments, put16(f, E_PHNUM, ELF_MAX_SEGMENTS + 1);
     for (unsigned i = 0; i <= ELF_MAX_SEGMENTS; i++)
         set_phdr(f, i, 1, BODY, TEXT_VA + 0x1000 * i, 0x10, 0x10, 5))
EDIT(no_load, put32(f, PH(0, P_TYPE), 4); put32(f, PH(2, P_TYPE), 4))
EDIT(entry_in_data, put32(f, E_ENTRY, DATA_VA))
EDIT(entry_in_bss_of_text, put32(f, PH(0, P_MEMSZ), TEXT_SZ + 0x100); put32(f, E_ENTRY, TEXT_VA + TEXT_SZ))
EDIT(entry_past_text, put32(f, E_ENTRY, TEXT_VA + TEXT_SZ))
EDIT(entry_before_text, put32(f, E_ENTRY, TEXT_VA - 1))
EDIT(entry_zero, put32(f, E_ENTRY, 0))
EDIT(entry_text_not_exec, put32(f, PH(0, P_FLAGS), 4))
EDIT(nothing, (void)f)

static const struct bad_case bad_cases[] = {
    {"magic byte 0", bad_magic0, "magic", 0, 0},
    {"magic byte 3", bad_magic3, "magic", 0, 0},
    {"ELF64 class", class64, "32-bit", 0, 0},
    {"no class", class_none, "32-bit", 0, 0},
    {"big-endian", big_endian, "little-endian", 0, 0},
    {"e_ident version", ident_version, "version", 0, 0},
    {"e_version", file_version, "version", 0, 0},
    {"x86-64 machine", machine_x86_64, "i386", 0, 0},
    {"relocatable", type_rel, "executable", 0, 0},
    {"shared object", type_dyn, "executable", 0, 0},
    {"core file", type_core, "executable", 0, 0},
    {"header size", ehsize, "header size", 0, 0},
    {"phentsize", phentsize, "entry size", 0, 0},
    {"no program headers", phnum_zero, "no program headers", 0, 0},
    {"phnum 65535", phnum_huge, "too many program headers", 0, 0},
    {"phnum past the limit", phnum_past_limit, "too many program headers", 0, 0},
    {"phoff past the end", phoff_past_end, "outside the file", 0, 0},
    {"table straddles the end", phoff_straddles_end, "outside the file", 0, 0},
    {"phoff wraps", phoff_wraps, "outside the file", 0, 0},
    {"PT_INTERP", interp, "dynamically linked", 0, 0},
    {"PT_DYNAMIC", dynamic, "dynamically linked", 0, 0},
    {"PT_TLS", tls, "thread-local", 0, 0},
    {"segment offset past the end", seg_offset_past_end, "past the end of the file", 0, 0},
    {"segment bytes past the end", seg_bytes_past_end, "past the end of the file", 0, 0},
    {"offset + filesz wraps", seg_offset_wraps, "past the end of the file", 0, 0},
    {"filesz 4 GiB", seg_filesz_huge, "past the end of the file", 0, 0},
    {"filesz > memsz", filesz_over_memsz, "exceeds its memory size", 0, 0},
    {"memsz past the bound", memsz_huge, "too large", 0, 0},
    {"memsz 4 GiB", memsz_max_u32, "too large", 0, 0},
    {"segments too large together", total_too_large, "too large together", 0, 0},
    {"below the user range", below_user, "outside the user address range", 0, 0},
    {"at address 0", null_vaddr, "outside the user address range", 0, 0},
    {"at the top of the user range", at_user_hi, "outside the user address range", 0, 0},
    {"in the kernel", kernel_vaddr, "outside the user address range", 0, 0},
    {"ends past the user range", ends_past_user_hi, "outside the user address range", 0, 0},
    {"wraps around 4 GiB", wraps_around, "outside the user address range", USER_LO, 0xFFFFFFFFu},
    {"segments overlap", overlap, "overlap", 0, 0},
    {"segments share a page", same_page, "share a page", 0, 0},
    {"last page shared", last_page_shared, "share a page", 0, 0},
    {"too many segments", too_many_segments, "too many loadable segments", 0, 0},
    {"no PT_LOAD", no_load, "no loadable segment", 0, 0},
    {"entry in data", entry_in_data, "entry point", 0, 0},
    {"entry in text's bss", entry_in_bss_of_text, "entry point", 0, 0},
    {"entry past text", entry_past_text, "entry point", 0, 0},
    {"entry before text", entry_before_text, "entry point", 0, 0},
    {"entry 0", entry_zero, "entry point", 0, 0},
    {"text not executable", entry_text_not_exec, "entry point", 0, 0},
    {"empty user range", nothing, "empty user address range", USER_HI, USER_HI},
    {"inverted user range", nothing, "empty user address range", USER_HI, USER_LO},
};

static void test_each_check_broken_alone(void **state)
{
    (void)state;
    unsigned failures = 0;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        uint8_t f[FILE_SZ];
        struct elf_image img;
        const char *why;
        make_good(f);
        c->edit(f);
        uint32_t lo = c->hi ? c->lo : USER_LO, hi = c->hi ? c->hi : USER_HI;
        int r = parse_copy(f, FILE_SZ, lo, hi, &img, &why);
        if (r != -E_NOEXEC) {
            print_error("%s: a malformed program must be refused with -E_NOEXEC, got %d\n",
                        c->name, r);
            failures++;
        } else if (why == NULL || strstr(why, c->why) == NULL) {
            print_error("%s: the reason must name the problem (\"%s\"), got \"%s\"\n", c->name,
                        c->why, why ? why : "(none)");
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void test_every_truncation_refused(void **state)
{
    (void)state;
    uint8_t f[FILE_SZ];
    make_good(f);
    for (uint32_t len = 0; len < FILE_SZ; len++) {
        struct elf_image img;
        const char *why;
        int r = parse_copy(f, len, USER_LO, USER_HI, &img, &why);
        if (r != -E_NOEXEC || why == NULL)
            fail_msg("the program cut to %u of %u bytes must be refused with a reason "
                     "(its last segment's bytes are missing), got %d", len, FILE_SZ, r);
    }
}

static void test_ignored_and_empty_headers(void **state)
{
    (void)state;
    uint8_t f[FILE_SZ];
    struct elf_image img;
    const char *why;
    make_good(f);
    put16(f, E_PHNUM, 5);
    set_phdr(f, 3, 4, 0xFFFFFFF0u, 0xFFFFFFF0u, 0x100, 0x100, 4); /* PT_NOTE: never loaded */
    set_phdr(f, 4, 1, 0, 0, 0, 0, 6);                             /* an empty PT_LOAD */
    assert_int_equal(parse_copy(f, FILE_SZ, USER_LO, USER_HI, &img, &why), 0);
    assert_int_equal(img.n_segments, 2);
    /* An unaligned buffer parses the same (fields are copied, not cast). */
    uint8_t *odd = malloc(FILE_SZ + 1);
    assert_non_null(odd);
    memcpy(odd + 1, f, FILE_SZ);
    assert_int_equal(elf_parse(odd + 1, FILE_SZ, USER_LO, USER_HI, &img, &why), 0);
    free(odd);
    assert_int_equal(elf_parse(NULL, FILE_SZ, USER_LO, USER_HI, &img, &why), -E_NOEXEC);
}

/* Random corruption: whatever the parser accepts must satisfy every promise
 * the loader relies on; nothing may read outside the file (ASan). */
static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void assert_image_sound(const struct elf_image *img, uint32_t size)
{
    bool entry_ok = false;
    assert_true(img->n_segments >= 1 && img->n_segments <= ELF_MAX_SEGMENTS);
    for (unsigned i = 0; i < img->n_segments; i++) {
        const struct elf_segment *s = &img->seg[i];
        assert_true(s->filesz <= s->memsz && s->memsz > 0);
        assert_true(s->offset <= size && s->filesz <= size - s->offset);
        assert_true(s->vaddr >= USER_LO && s->memsz <= USER_HI - s->vaddr);
        for (unsigned j = 0; j < i; j++) {
            const struct elf_segment *o = &img->seg[j];
            bool apart = (s->vaddr + s->memsz - 1) / ELF_PAGE_SIZE < o->vaddr / ELF_PAGE_SIZE ||
                         (o->vaddr + o->memsz - 1) / ELF_PAGE_SIZE < s->vaddr / ELF_PAGE_SIZE;
            assert_true(apart);
        }
        if (s->executable && img->entry >= s->vaddr && img->entry - s->vaddr < s->filesz)
            entry_ok = true;
    }
    assert_true(entry_ok);
}

static void test_random_corruption(void **state)
{
    (void)state;
    unsigned accepted = 0;
    for (int round = 0; round < 20000; round++) {
        uint8_t f[FILE_SZ];
        struct elf_image img;
        const char *why;
        make_good(f);
        int flips = 1 + rng() % 4;
        for (int k = 0; k < flips; k++) {
            uint32_t at = rng() % BODY; /* headers: where the parser looks */
            f[at] = (rng() % 3 == 0) ? 0xFF : (uint8_t)rng();
        }
        uint32_t size = (rng() % 8 == 0) ? rng() % (FILE_SZ + 1) : FILE_SZ;
        int r = parse_copy(f, size, USER_LO, USER_HI, &img, &why);
        if (r == 0) {
            accepted++;
            assert_image_sound(&img, size);
        } else {
            assert_int_equal(r, -E_NOEXEC);
            assert_non_null(why);
        }
    }
    assert_true(accepted > 0); /* some flips land in ignored bytes */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_program),
        cmocka_unit_test(test_each_check_broken_alone),
        cmocka_unit_test(test_every_truncation_refused),
        cmocka_unit_test(test_ignored_and_empty_headers),
        cmocka_unit_test(test_random_corruption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
