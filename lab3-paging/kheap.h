/* kheap.h: the kernel heap's block lists: arenas of boundary-tagged blocks, first fit (pure, host-testable). */
#ifndef LAB3_KHEAP_H
#define LAB3_KHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/list.h"

/*
 * The heap takes memory from a SOURCE in page-granular chunks (the kernel's
 * source is a VM pool; host tests use aligned_alloc) and carves it up:
 *
 *  - small requests (below large_min) come from ARENAS of arena_size bytes.
 *    An arena is a header followed by blocks that tile it, ended by a
 *    sentinel block of size 0:
 *
 *      | arena hdr | hdr payload... | hdr payload... | ... | end (size 0) |
 *
 *    Each block starts with a 16-byte header: a magic word (USED or FREE,
 *    XORed with the header's own address, so a stray copy elsewhere does not
 *    validate), its size, the size of the block before it (boundary tag:
 *    both neighbours are found in O(1)) and the bytes requested. Free blocks
 *    also hold links of the one free list. Allocation is first fit on that
 *    list; a block that fits with room to spare is split from its END, so
 *    the free part keeps its place on the list. Freeing coalesces with free
 *    neighbours at once, so no two free blocks are ever adjacent; a free
 *    block before the freed one absorbs it in place. So the usual
 *    alloc-then-free pair relinks nothing. An arena left empty goes back to
 *    the source, except the last small arena (kept to avoid thrashing).
 *
 *  - large requests get an arena of their own, one block, returned to the
 *    source by kheap_free.
 *
 * kheap_free validates before touching anything: the pointer must lie in an
 * arena, on a 16-byte boundary, behind a header whose magic says USED. A
 * pointer outside every arena (foreign), a FREE header (double free) or no
 * header at all (interior or stale pointer) is reported with one "kheap: "
 * line and changes nothing.
 *
 * Payloads are 16-byte aligned. Not thread-safe: the caller serialises
 * (kmalloc disables interrupts). Never sleeps.
 */

#define KHEAP_ALIGN 16u
#define KHEAP_BLOCK_HDR 16u /* bytes before every payload */
#define KHEAP_ARENA_HDR 32u /* bytes before an arena's first block */

#define KHEAP_OK 0
#define KHEAP_ERR_FOREIGN (-1)     /* not inside any arena */
#define KHEAP_ERR_DOUBLE_FREE (-2) /* header says FREE */
#define KHEAP_ERR_NOT_BLOCK (-3)   /* no valid header: interior or stale pointer */
#define KHEAP_ERR_BUSY (-4)        /* destroy: blocks still in use */

/* Where arenas come from. GET returns BYTES (a multiple of page_size) of
 * page-aligned memory, or NULL; PUT gives back exactly what GET returned. */
struct kheap_source {
    void *(*get)(size_t bytes, void *ctx);
    void (*put)(void *mem, size_t bytes, void *ctx);
    void *ctx;
};

struct kheap_stats {
    unsigned long blocks_in_use;   /* allocated blocks (small and large) */
    unsigned long bytes_requested; /* sum of the sizes asked for, in use */
    unsigned long small_arenas;    /* arenas for small blocks */
    unsigned long large_arenas;    /* one per large block */
    unsigned long bad_frees;       /* refused kheap_free calls */
};

struct kheap {
    uint32_t magic;
    size_t arena_size, large_min, page_size;
    struct kheap_source src;
    struct list arenas;      /* every arena, small and large */
    struct list free_blocks; /* free blocks of small arenas */
    struct kheap_stats stats;
    int last_error;          /* of the last refused kheap_free, 0 if none */
};

/* Initialise H over SRC. PAGE_SIZE: power of two; ARENA_SIZE: a multiple of
 * it, at least 4 * KHEAP_BLOCK_HDR + LARGE_MIN; LARGE_MIN: requests of at
 * least this many bytes get their own arena. KASSERTs on bad parameters. */
void kheap_init(struct kheap *h, const struct kheap_source *src, size_t arena_size,
                size_t large_min, size_t page_size);

/* SIZE bytes, 16-byte aligned, contents undefined; NULL if SIZE is 0 or the
 * source is exhausted (nothing changes then). */
void *kheap_alloc(struct kheap *h, size_t size);

/* Free P (NULL: nothing happens, KHEAP_OK). Returns KHEAP_OK or a
 * KHEAP_ERR_* after printing it; nothing changes on error. */
int kheap_free(struct kheap *h, void *p);

/* Give every arena back to the source; H must then be initialised again
 * before use. Returns KHEAP_OK, or KHEAP_ERR_BUSY (nothing changes) while
 * blocks are in use. */
int kheap_destroy(struct kheap *h);

/* Bytes requested for the live block P (a valid pointer from kheap_alloc). */
size_t kheap_size_of(struct kheap *h, void *p);

/* Check every invariant (arena and block magics, tiling, boundary tags, no
 * adjacent free blocks, free list == free blocks, counters, no empty small
 * arena beside others). Returns NULL if sound, else a description of the
 * first problem. */
const char *kheap_check(struct kheap *h);

/* Short text for a KHEAP_* code. */
const char *kheap_strerror(int err);

#endif
