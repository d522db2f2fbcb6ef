/* test_uimage.c: host unit tests of uimage.c: look-ups in a good image; a malformed or cut image holds no program. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lab7-user/syscall_abi.h"
#include "lab7-user/uimage.h"

/* The image uimage.c reads (it calls uimage_bytes): an exact-size heap copy. */
static uint8_t *image;
static uint32_t image_size;

const void *uimage_bytes(uint32_t *size)
{
    *size = image_size;
    return image;
}

static void use_image(const uint8_t *bytes, uint32_t size)
{
    free(image);
    image = malloc(size ? size : 1);
    assert_non_null(image);
    memcpy(image, bytes, size);
    image_size = size;
}

static const char *const names[] = {"sh", "hello", "a_longer-name.2"};
#define NPROG 3
#define MAXIMG 512

/* Pack the three programs as tools/uimage.py does; program I is I+5 bytes of value 'A'+I. */
static uint32_t make_good(uint8_t *img)
{
    struct uimage_header h = {UIMAGE_MAGIC, UIMAGE_VERSION, NPROG, 0};
    uint32_t off = sizeof h + NPROG * sizeof(struct uimage_entry);
    memset(img, 0, MAXIMG);
    for (unsigned i = 0; i < NPROG; i++) {
        struct uimage_entry e;
        memset(&e, 0, sizeof e);
        strcpy(e.name, names[i]);
        off = (off + UIMAGE_ALIGN - 1) / UIMAGE_ALIGN * UIMAGE_ALIGN;
        e.offset = off;
        e.size = i + 5;
        memset(img + off, 'A' + i, e.size);
        memcpy(img + sizeof h + i * sizeof e, &e, sizeof e);
        off += e.size;
    }
    h.total = off;
    memcpy(img, &h, sizeof h);
    return off;
}

static void teardown_image(void)
{
    free(image);
    image = NULL;
    image_size = 0;
}

static void test_good_image(void **state)
{
    (void)state;
    uint8_t img[MAXIMG];
    uint32_t size = make_good(img);
    use_image(img, size);
    assert_null(uimage_check(image, size));
    assert_int_equal(uimage_count(), NPROG);
    for (unsigned i = 0; i < NPROG; i++) {
        const void *data = NULL;
        uint32_t len = 0;
        assert_string_equal(uimage_name(i), names[i]);
        assert_int_equal(uimage_find(names[i], &data, &len), 0);
        assert_int_equal(len, i + 5);
        assert_int_equal(((const uint8_t *)data - image) % UIMAGE_ALIGN, 0);
        assert_int_equal(*(const uint8_t *)data, 'A' + i);
    }
    const void *data;
    uint32_t len;
    assert_null(uimage_name(NPROG));
    assert_int_equal(uimage_find("nosuch", &data, &len), -E_NOENT);
    assert_int_equal(uimage_find("hell", &data, &len), -E_NOENT);
    assert_int_equal(uimage_find("", &data, &len), -E_NOENT);
    assert_int_equal(uimage_find(NULL, &data, &len), -E_NOENT);
    teardown_image();
}

static void put32(uint8_t *img, uint32_t off, uint32_t v) { memcpy(img + off, &v, 4); }
#define ENTRY(i) (sizeof(struct uimage_header) + (i) * sizeof(struct uimage_entry))

static void test_malformed_images(void **state)
{
    (void)state;
    struct { const char *name, *why; uint32_t at, value; } cases[] = {
        {"magic", "magic", 0, 0x4D495554},
        {"version", "version", 4, 2},
        {"count past the table", "outside", 8, 40},
        {"count huge", "too many", 8, 0xFFFFFFFFu},
        {"total too small", "size", 12, 100},
        {"file offset past the end", "outside the image", ENTRY(1) + 32, 0x10000},
        {"file size past the end", "outside the image", ENTRY(2) + 36, 0xFFFFFFF0u},
        {"name unterminated", "name", ENTRY(0), 0x41414141},
        {"name empty", "name", ENTRY(1), 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t img[MAXIMG];
        uint32_t size = make_good(img);
        if (strcmp(cases[i].name, "name unterminated") == 0)
            memset(img + ENTRY(0), 'x', UIMAGE_NAME);
        else
            put32(img, cases[i].at, cases[i].value);
        use_image(img, size);
        const char *why = uimage_check(image, size);
        if (why == NULL || strstr(why, cases[i].why) == NULL)
            fail_msg("%s: a malformed image must be refused naming \"%s\", got \"%s\"",
                     cases[i].name, cases[i].why, why ? why : "(accepted)");
        const void *data;
        uint32_t len;
        assert_int_equal(uimage_count(), 0);
        assert_int_equal(uimage_find("sh", &data, &len), -E_NOENT);
        assert_null(uimage_name(0));
    }
    teardown_image();
}

static void test_every_truncation(void **state)
{
    (void)state;
    uint8_t img[MAXIMG];
    uint32_t size = make_good(img);
    for (uint32_t len = 0; len < size; len++) {
        use_image(img, len);
        if (uimage_check(image, len) == NULL || uimage_count() != 0)
            fail_msg("an image cut to %u of %u bytes must hold no program", len, size);
    }
    teardown_image();
}

/* ---- uimage_unpack: the compressed form ---- */
static uint32_t fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 0x811C9DC5u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x01000193u;
    return h;
}

/* "abcd" as literals, then a match of 8 at distance 4 (overlapping itself), then "Z":
 * unpacks to "abcdabcdabcdZ". */
static size_t make_lz(uint8_t *blob)
{
    static const char raw[] = "abcdabcdabcdZ";
    const uint8_t stream[] = {0x2F, 'a', 'b', 'c', 'd', 4, 0, 8 - UIMAGE_LZ_MIN, 'Z'};
    struct uimage_lz_header h = {UIMAGE_LZ_MAGIC, 13, sizeof stream, fnv1a((const uint8_t *)raw, 13)};
    memcpy(blob, &h, sizeof h);
    memcpy(blob + sizeof h, stream, sizeof stream);
    return sizeof h + sizeof stream;
}

/* Unpack from exact-size heap copies (ASan sees any access outside them). */
static const char *unpack_copy(const uint8_t *blob, size_t size, uint32_t capacity, uint8_t *result)
{
    uint8_t *in = malloc(size ? size : 1), *out = malloc(capacity ? capacity : 1);
    assert_non_null(in);
    assert_non_null(out);
    memcpy(in, blob, size);
    uint32_t raw = 12345;
    const char *why = uimage_unpack(in, (uint32_t)size, out, capacity, &raw);
    if (why == NULL) {
        assert_true(raw <= capacity);
        if (result != NULL)
            memcpy(result, out, raw);
    } else {
        assert_int_equal(raw, 0);
    }
    free(in);
    free(out);
    return why;
}

static void test_unpack_good(void **state)
{
    (void)state;
    uint8_t blob[64], out[32] = {0};
    size_t n = make_lz(blob);
    assert_null(unpack_copy(blob, n, 13, out));
    assert_memory_equal(out, "abcdabcdabcdZ", 13);
    assert_null(unpack_copy(blob, n, 4096, out));
}

static void test_unpack_malformed(void **state)
{
    (void)state;
    struct { const char *name, *why; size_t at; uint8_t value; uint32_t capacity; } cases[] = {
        {"magic", "header", 0, 'X', 64},
        {"comp_size", "header", 8, 99, 64},
        {"raw size past the buffer", "larger than its buffer", 0, 0, 12},
        {"distance 0", "outside", 16 + 5, 0, 64},
        {"distance past the output", "outside", 16 + 5, 5, 64},
        {"length past the raw size", "outside", 16 + 7, 200, 64},
        {"checksum", "checksum", 12, 0x55, 64},
        {"a literal byte changed", "checksum", 16 + 1, 'x', 64},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t blob[64];
        size_t n = make_lz(blob);
        if (cases[i].at != 0 || cases[i].value != 0)
            blob[cases[i].at] = cases[i].value;
        const char *why = unpack_copy(blob, n, cases[i].capacity, NULL);
        if (why == NULL || strstr(why, cases[i].why) == NULL)
            fail_msg("%s: a malformed compressed image must be refused naming \"%s\", got \"%s\"",
                     cases[i].name, cases[i].why, why ? why : "(accepted)");
    }
    uint8_t blob[64];
    size_t n = make_lz(blob);
    for (size_t len = 0; len < n; len++) /* every truncation (comp_size made to match) */ {
        uint8_t cut[64];
        memcpy(cut, blob, len);
        if (len >= sizeof(struct uimage_lz_header)) {
            uint32_t comp = (uint32_t)(len - sizeof(struct uimage_lz_header));
            memcpy(cut + 8, &comp, 4);
        }
        if (unpack_copy(cut, len, 64, NULL) == NULL)
            fail_msg("a compressed image cut to %zu of %zu bytes must be refused", len, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_image),
        cmocka_unit_test(test_malformed_images),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_unpack_good),
        cmocka_unit_test(test_unpack_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
