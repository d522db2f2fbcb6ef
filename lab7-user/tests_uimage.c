/* tests_uimage.c: the embedded program image: valid, holds the programs the system needs; every
 * program in it passes the ELF parser except the malformed bad_* ones, which it refuses. */
#include "common/ktest.h"
#include "elf.h"
#include "syscall_abi.h"
#include "tests_user_steps.h"
#include "uimage.h"

#define UIMAGE_TEST_LO 0x00400000u /* the user range programs must fit (user/README.md) */
#define UIMAGE_TEST_HI 0xC0000000u

KTEST(uimage_valid_with_programs)
{
    uint32_t size;
    const void *bytes = uimage_bytes(&size);
    const char *why = uimage_check(bytes, size);
    if (why != NULL)
        KT_FAIL("the embedded program image must be valid: %s", why);
    static const char *const needed[] = {"init", "sh", "hello", "args", "exitcode"};
    for (unsigned i = 0; i < sizeof needed / sizeof needed[0]; i++) {
        const void *data;
        uint32_t len;
        if (uimage_find(needed[i], &data, &len) != 0)
            KT_FAIL("the image must hold the program '%s'", needed[i]);
    }
    KT_ASSERT(uimage_count() >= 5);
    KT_ASSERT(uimage_name(uimage_count()) == NULL);
}

KTEST(uimage_every_program_parses)
{
    for (unsigned i = 0; i < uimage_count(); i++) {
        const void *data;
        uint32_t len;
        struct elf_image img;
        const char *why = NULL;
        const char *name = uimage_name(i);
        KT_ASSERT_EQ(uimage_find(name, &data, &len), 0);
        int r = elf_parse(data, len, UIMAGE_TEST_LO, UIMAGE_TEST_HI, &img, &why);
        if (strncmp(name, "bad_", 4) == 0) { /* tools/mkbadelf.py's malformed programs */
            if (r != -E_NOEXEC || why == NULL)
                KT_FAIL("malformed program '%s' must be refused with a reason, got %d", name, r);
            continue;
        }
        if (r != 0)
            KT_FAIL("program '%s' must pass the ELF parser: %s", name, why);
        KT_ASSERT_EQ_HEX(img.entry, 0x08048000u); /* crt0's _start comes first (user/user.ld) */
        KT_ASSERT(img.n_segments >= 1 && img.seg[0].executable && !img.seg[0].writable);
    }
}

/* A copy of 'hello' with the machine field (offset 18) made x86-64's: refused, with a reason. */
KTEST(uimage_broken_copy_refused)
{
    static uint8_t copy[16384];
    const void *data;
    uint32_t len;
    struct elf_image img;
    const char *why = NULL;
    KT_ASSERT_EQ(uimage_find("hello", &data, &len), 0);
    KT_ASSERT(len <= sizeof copy);
    memcpy(copy, data, len);
    copy[18] = 62;
    KT_ASSERT_EQ(elf_parse(copy, len, UIMAGE_TEST_LO, UIMAGE_TEST_HI, &img, &why), -E_NOEXEC);
    KT_ASSERT(why != NULL);
    memcpy(copy, data, len);
    KT_ASSERT_EQ(elf_parse(copy, len / 2, UIMAGE_TEST_LO, UIMAGE_TEST_HI, &img, &why), -E_NOEXEC);
}

/* Copies of good_tiny (tools/mkbadelf.py: one program header at offset 52, 14 bytes of code
 * at offset 84) with fields set to the edge values: each limit itself is allowed, one past it
 * is refused, with a reason that names the problem. */
#define TINY_ENTRY 24
#define TINY_PH    52
#define TINY_OFFSET (TINY_PH + 4)
#define TINY_VADDR  (TINY_PH + 8)
#define TINY_FILESZ (TINY_PH + 16)
#define TINY_MEMSZ  (TINY_PH + 20)

static void tiny_put(uint8_t *f, unsigned off, uint32_t v)
{
    memcpy(f + off, &v, sizeof v);
}

/* True if NEEDLE occurs in HAY. */
static bool tiny_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay != '\0'; hay++)
        if (strncmp(hay, needle, n) == 0)
            return true;
    return false;
}

/* Parse a copy of good_tiny after EDIT; expect WANT (a substring of the reason) or, if
 * WANT is NULL, acceptance. */
static void tiny_expect(const char *what, void (*edit)(uint8_t *f, uint32_t size), const char *want)
{
    static uint8_t copy[256];
    const void *data;
    uint32_t len;
    struct elf_image img;
    const char *why = NULL;
    KT_ASSERT_EQ(uimage_find("good_tiny", &data, &len), 0);
    KT_ASSERT(len <= sizeof copy);
    memcpy(copy, data, len);
    edit(copy, len);
    int r = elf_parse(copy, len, UIMAGE_TEST_LO, UIMAGE_TEST_HI, &img, &why);
    if (want == NULL && r != 0)
        KT_FAIL("%s: a valid program at the limit must parse, refused: %s", what, why);
    if (want != NULL && (r != -E_NOEXEC || why == NULL || !tiny_contains(why, want)))
        KT_FAIL("%s: must be refused naming \"%s\", got %d (%s)", what, want, r,
                why != NULL ? why : "accepted");
}

static void at_user_lo(uint8_t *f, uint32_t n)
{
    (void)n;
    tiny_put(f, TINY_VADDR, UIMAGE_TEST_LO);
    tiny_put(f, TINY_ENTRY, UIMAGE_TEST_LO);
}
static void below_user_lo(uint8_t *f, uint32_t n)
{
    (void)n;
    tiny_put(f, TINY_VADDR, UIMAGE_TEST_LO - 1);
    tiny_put(f, TINY_ENTRY, UIMAGE_TEST_LO - 1);
}
static void ends_at_user_hi(uint8_t *f, uint32_t n)
{
    (void)n;
    tiny_put(f, TINY_VADDR, UIMAGE_TEST_HI - 0x1000);
    tiny_put(f, TINY_ENTRY, UIMAGE_TEST_HI - 0x1000);
    tiny_put(f, TINY_MEMSZ, 0x1000);
}
static void ends_past_user_hi(uint8_t *f, uint32_t n)
{
    ends_at_user_hi(f, n);
    tiny_put(f, TINY_MEMSZ, 0x1001);
}
static void memsz_at_limit(uint8_t *f, uint32_t n)
{
    (void)n;
    tiny_put(f, TINY_MEMSZ, ELF_MAX_MEMSZ);
}
static void memsz_past_limit(uint8_t *f, uint32_t n)
{
    (void)n;
    tiny_put(f, TINY_MEMSZ, ELF_MAX_MEMSZ + 1);
}
static void whole_file(uint8_t *f, uint32_t n) /* one segment maps the file from its first byte */
{
    tiny_put(f, TINY_OFFSET, 0);
    tiny_put(f, TINY_FILESZ, n);
    tiny_put(f, TINY_MEMSZ, n);
    tiny_put(f, TINY_ENTRY, 0x08048000u + TINY_PH + 32);
}
static void one_byte_past_end(uint8_t *f, uint32_t n)
{
    tiny_put(f, TINY_FILESZ, n - (TINY_PH + 32) + 1);
    tiny_put(f, TINY_MEMSZ, n);
}

KTEST(uimage_parser_limits)
{
    tiny_expect("a segment at the bottom of the user range", at_user_lo, NULL);
    tiny_expect("a segment one byte below the user range", below_user_lo,
                "outside the user address range");
    tiny_expect("a segment ending at the top of the user range", ends_at_user_hi, NULL);
    tiny_expect("a segment one byte past the top", ends_past_user_hi,
                "outside the user address range");
    tiny_expect("a segment of ELF_MAX_MEMSZ bytes", memsz_at_limit, NULL);
    tiny_expect("a segment one byte over ELF_MAX_MEMSZ", memsz_past_limit, "segment too large");
    tiny_expect("a segment mapping the whole file", whole_file, NULL);
    tiny_expect("file bytes one past the end of the file", one_byte_past_end,
                "past the end of the file");
}
