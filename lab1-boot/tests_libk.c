/* tests_libk.c: lab 1 in-kernel tests of libk (formatting, strings, lists). */
#include <stddef.h>

#include "common/format.h"
#include "common/kstring.h"
#include "common/ktest.h"
#include "common/list.h"

KTEST(kprintf_formats)
{
    char buf[96];

    ksnprintf(buf, sizeof buf, "%d %i %u %x %X %c %s %%", -42, 7, 3000000000u,
              0xbeefu, 0xbeefu, 'z', "str");
    KT_ASSERT_STR_EQ(buf, "-42 7 3000000000 beef BEEF z str %");
    ksnprintf(buf, sizeof buf, "%p", (void *)0x1234);
    KT_ASSERT_STR_EQ(buf, "0x00001234");
    ksnprintf(buf, sizeof buf, "%ld %lu %lx", -2147483647L - 1, 4294967295UL,
              0xdeadbeefUL);
    KT_ASSERT_STR_EQ(buf, "-2147483648 4294967295 deadbeef");
    const char *volatile null_str = NULL; /* hidden from gcc's format check */
    ksnprintf(buf, sizeof buf, "%s", null_str);
    KT_ASSERT_STR_EQ(buf, "(null)");
}

KTEST(kprintf_width_pad)
{
    char buf[64];

    ksnprintf(buf, sizeof buf, "[%5d][%-5d][%05d][%08x][%3s]", 42, 42, -42,
              0xabcu, "ab");
    KT_ASSERT_STR_EQ(buf, "[   42][42   ][-0042][00000abc][ ab]");
    KT_ASSERT_EQ(ksnprintf(buf, 4, "%d", 123456), 6); /* would-be length */
    KT_ASSERT_STR_EQ(buf, "123");                     /* truncated, NUL-ended */
}

KTEST(string_functions)
{
    char buf[16];

    KT_ASSERT_EQ(strlen("stepos"), 6);
    KT_ASSERT(strcmp("abc", "abd") < 0);
    KT_ASSERT_EQ(strncmp("abcx", "abcy", 3), 0);
    KT_ASSERT_EQ(strlcpy(buf, "truncate me please", 9), 18);
    KT_ASSERT_STR_EQ(buf, "truncate");
    memset(buf, 'x', sizeof buf);
    memcpy(buf, "12345", 5);
    memmove(buf + 2, buf, 5); /* overlapping, forward */
    KT_ASSERT_EQ(memcmp(buf, "1212345x", 8), 0);
    KT_ASSERT_EQ(strtoul("0x1F", NULL, 0), 31);
    KT_ASSERT(glob_match("exc_*", "exc_breakpoint"));
    KT_ASSERT(!glob_match("exc_?", "exc_ab"));
}

struct item {
    int value;
    struct list_elem elem;
};

KTEST(list_operations)
{
    struct list l;
    struct item items[5];
    int expect[] = {3, 0, 1, 4}, i = 0;

    list_init(&l);
    KT_ASSERT(list_empty(&l));
    for (int k = 0; k < 5; k++) {
        items[k].value = k;
        list_push_back(&l, &items[k].elem);
    }
    list_remove(&items[2].elem);
    list_push_front(&l, list_pop_back(&l)); /* 4 0 1 3 */
    list_push_front(&l, list_pop_back(&l)); /* 3 4 0 1 */
    list_remove(&items[4].elem);
    list_push_back(&l, &items[4].elem); /* 3 0 1 4 */
    KT_ASSERT_EQ(list_size(&l), 4);
    for (struct list_elem *e = list_begin(&l); e != list_end(&l); e = list_next(e))
        KT_ASSERT_EQ(LIST_ENTRY(e, struct item, elem)->value, expect[i++]);
    KT_ASSERT_EQ(i, 4);
    KT_ASSERT_EQ(LIST_ENTRY(list_front(&l), struct item, elem)->value, 3);
    KT_ASSERT_EQ(LIST_ENTRY(list_back(&l), struct item, elem)->value, 4);
}
