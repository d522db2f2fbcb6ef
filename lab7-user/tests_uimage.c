/* tests_uimage.c: the embedded program image: valid, holds the programs the system needs; every
 * program in it passes the ELF parser except the malformed bad_* ones, which it refuses. */
#include "common/ktest.h"
#include "elf.h"
#include "syscall_abi.h"
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
