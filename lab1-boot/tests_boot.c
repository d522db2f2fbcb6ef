/* tests_boot.c: lab 1 in-kernel tests of the boot record, E820 map and command line. */
#include "bootinfo.h"
#include "cmdline.h"
#include "common/kstring.h"
#include "common/ktest.h"
#include "kernel.h"

KTEST(boot_info_valid)
{
    const struct boot_info *bi = boot_info();
    KT_ASSERT_EQ_HEX(bi->magic, BOOTINFO_MAGIC);
    KT_ASSERT_EQ_HEX(bi->boot_drive, 0x80); /* first hard disk */
    KT_ASSERT(bi->kernel_sectors > 0);
    KT_ASSERT(bi->kernel_sectors * 512 >=
              (uint32_t)(__kernel_end - __kernel_start) / 4); /* sane */
    KT_ASSERT(bi->e820_count > 0 && bi->e820_count <= BOOTINFO_E820_MAX);
}

KTEST(kernel_loaded_at_1mib)
{
    extern char _start[];
    KT_ASSERT_EQ_HEX((uint32_t)_start, 0x100000);
    KT_ASSERT_EQ_HEX((uint32_t)__kernel_start, 0x100000);
    KT_ASSERT((uint32_t)__kernel_end <= 0x200000); /* below the frame pools */
    /* The first instruction is entry.asm's cld (0xFC): the image is in place. */
    KT_ASSERT_EQ_HEX(*(const uint8_t *)_start, 0xFC);
}

KTEST(e820_map_sane)
{
    const struct boot_info *bi = boot_info();
    uint64_t usable = 0;
    int low_usable = 0, above_1m = 0;

    for (uint32_t i = 0; i < bi->e820_count; i++) {
        const struct e820_entry *e = &bi->e820[i];
        KT_ASSERT(e->length > 0);
        KT_ASSERT(e->type >= E820_USABLE && e->type <= 12);
        if (e->type != E820_USABLE)
            continue;
        usable += e->length;
        if (e->base == 0)
            low_usable = 1;
        if (e->base <= 0x100000 && e->base + e->length > 0x200000)
            above_1m = 1;
        for (uint32_t j = 0; j < bi->e820_count; j++) { /* no overlap */
            const struct e820_entry *o = &bi->e820[j];
            if (j == i || o->type != E820_USABLE)
                continue;
            KT_ASSERT(e->base + e->length <= o->base ||
                      o->base + o->length <= e->base);
        }
    }
    KT_ASSERT(low_usable);  /* conventional memory at 0 */
    KT_ASSERT(above_1m);    /* extended memory holding the kernel */
    KT_ASSERT(usable >= 30u * 1024 * 1024); /* 32 MiB machine */
    KT_ASSERT(usable <= 32u * 1024 * 1024);
}

KTEST(cmdline_parse)
{
    static struct cmdline cl;

    cmdline_parse(&cl, "  test=exc_*,timer_*  bench seed=42 quantum=5 seed=7 ");
    KT_ASSERT_EQ(cl.count, 5);
    KT_ASSERT_STR_EQ(cmdline_lookup(&cl, "test"), "exc_*,timer_*");
    KT_ASSERT_STR_EQ(cmdline_lookup(&cl, "bench"), "");
    KT_ASSERT_STR_EQ(cmdline_lookup(&cl, "seed"), "7"); /* last one wins */
    KT_ASSERT(cmdline_lookup(&cl, "quantum") != NULL);
    KT_ASSERT(cmdline_lookup(&cl, "missing") == NULL);
    cmdline_parse(&cl, "");
    KT_ASSERT_EQ(cl.count, 0);
    /* The boot command line reached us: we are running under test=. */
    KT_ASSERT(cmdline_get("test") != NULL);
}

/* Numbers on the command line: decimal or 0x hex, nothing else, in range. */
static bool number_ok(const char *text, unsigned long min, unsigned long max,
                      unsigned long want)
{
    unsigned long n = 12345;
    const char *why = NULL;
    return cmdline_parse_number(text, min, max, &n, &why) && n == want && why == NULL;
}

static bool number_bad(const char *text, unsigned long min, unsigned long max,
                       const char *want_why)
{
    unsigned long n = 12345;
    const char *why = NULL;
    return !cmdline_parse_number(text, min, max, &n, &why) && n == 12345 && why != NULL &&
           strncmp(why, want_why, strlen(want_why)) == 0;
}

KTEST(cmdline_numbers)
{
    const unsigned long any = (unsigned long)-1;

    KT_ASSERT(number_ok("0", 0, any, 0));
    KT_ASSERT(number_ok("10", 0, any, 10));
    KT_ASSERT(number_ok("4294967295", 0, any, 4294967295ul));
    KT_ASSERT(number_ok("0x3badf00c", 0, any, 0x3badf00cul));
    KT_ASSERT(number_ok("0XFF", 0, any, 255));
    KT_ASSERT(number_ok("10000", 1, 10000, 10000));
    KT_ASSERT(number_bad("010", 0, any, "leading zero"));        /* not octal 8 */
    KT_ASSERT(number_bad("-4294967295", 0, any, "not a decimal")); /* no wrap to 1 */
    KT_ASSERT(number_bad("+5", 0, any, "not a decimal"));
    KT_ASSERT(number_bad("abc", 0, any, "not a decimal"));        /* not 0 */
    KT_ASSERT(number_bad("", 0, any, "no number"));
    KT_ASSERT(number_bad("12ms", 0, any, "not a decimal"));
    KT_ASSERT(number_bad(" 5", 0, any, "not a decimal"));
    KT_ASSERT(number_bad("0x", 0, any, "no hex digits"));
    KT_ASSERT(number_bad("0x1g", 0, any, "not a hex"));
    KT_ASSERT(number_bad("4294967296", 0, any, "too large"));
    KT_ASSERT(number_bad("0x100000000", 0, any, "too large"));
    KT_ASSERT(number_bad("0", 1, 10000, "out of range"));
    KT_ASSERT(number_bad("10001", 1, 10000, "out of range"));
    KT_ASSERT_EQ(cmdline_get_ulong("missing_number", 77), 77);
}
