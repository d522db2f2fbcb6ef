/* disk_pattern.c: reproducible block patterns (seeded written blocks, the image's initial contents). */
#include <stddef.h>

#include "common/format.h"
#include "common/kstring.h"
#include "disk.h"
#include "disk_pattern.h"
#include "lab1-boot/cmdline.h"

#define MAGIC "STEPOS6W"

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void disk_pattern_fill(void *buf, uint32_t seed, uint32_t stream, uint32_t block)
{
    uint8_t *b = buf;
    uint32_t x = seed * 0x9E3779B1u ^ stream * 0x85EBCA77u ^ block * 0xC2B2AE3Du ^ 0x5EED5EEDu;

    if (x == 0)
        x = 1;
    memcpy(b, MAGIC, 8);
    put32(b + 8, seed);
    put32(b + 12, stream);
    put32(b + 16, block);
    for (int i = 20; i < DISK_BLOCK_SIZE; i += 4) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        put32(b + i, x);
    }
}

bool disk_pattern_check(const void *buf, uint32_t seed, uint32_t stream, uint32_t block)
{
    uint8_t want[DISK_BLOCK_SIZE];
    disk_pattern_fill(want, seed, stream, block);
    return memcmp(buf, want, DISK_BLOCK_SIZE) == 0;
}

void disk_pattern_initial(void *buf, uint32_t block)
{
    uint8_t *b = buf;
    char head[33];

    ksnprintf(head, sizeof head, "STEPOS6 DATA BLOCK %08lu\n", (unsigned long)block);
    memset(b, '.', 32);
    memcpy(b, head, strlen(head));
    for (int i = 32; i < DISK_BLOCK_SIZE; i++)
        b[i] = (uint8_t)((block * 7u + (uint32_t)i * 13u + (block >> 8)) & 0xFF);
}

uint32_t disk_pattern_seed(void)
{
    return (uint32_t)cmdline_get_ulong("seed", 0);
}
