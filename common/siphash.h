/* siphash.h: SipHash-2-4, the keyed hash that tags KTEST result lines (grade/linetag.py is its twin). */
#ifndef COMMON_SIPHASH_H
#define COMMON_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_BYTES 16

/* SipHash-2-4 of the LEN bytes at MSG under the 128-bit KEY (Aumasson and
 * Bernstein, 2012; k0 = the first 8 key bytes read little-endian, k1 the
 * last 8). Returns the 64-bit value whose little-endian bytes are the
 * reference implementation's output. Pure; any context. */
uint64_t siphash24(const uint8_t key[SIPHASH_KEY_BYTES], const void *msg, size_t len);

#endif
