/* disk_pattern.h: the block contents tests write and check, reproducible from (seed, stream, block) by the grader too. */
#ifndef LAB6_DISK_PATTERN_H
#define LAB6_DISK_PATTERN_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A written block: bytes 0-7 "STEPOS6W", then seed, stream, block as
 * little-endian u32, then 116 words of xorshift32 output started from
 *     x = seed * 0x9E3779B1 ^ stream * 0x85EBCA77 ^ block * 0xC2B2AE3D ^ 0x5EED5EED
 * (0 becomes 1); each word: x ^= x << 13; x ^= x >> 17; x ^= x << 5; emit x.
 * The initial image (mkdata.py): bytes 0-31 "STEPOS6 DATA BLOCK %08u\n"
 * padded with '.', then byte i = (block * 7 + i * 13 + (block >> 8)) & 0xFF.
 * lab6-disk/checks.py implements both in Python. Pure: any context.
 */

/* Fill BUF (512 bytes) with the written pattern of (SEED, STREAM, BLOCK). */
void disk_pattern_fill(void *buf, uint32_t seed, uint32_t stream, uint32_t block);

/* True if BUF holds exactly that pattern. */
bool disk_pattern_check(const void *buf, uint32_t seed, uint32_t stream, uint32_t block);

/* Fill BUF with block BLOCK's contents as built by mkdata.py. */
void disk_pattern_initial(void *buf, uint32_t block);

/* The run's seed: seed= on the command line, or 0. */
uint32_t disk_pattern_seed(void);

#endif
