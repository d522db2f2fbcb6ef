/* kmalloc.h: the kernel heap: kmalloc/kfree on a VM pool, interrupt-safe. */
#ifndef LAB3_KMALLOC_H
#define LAB3_KMALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include "kheap.h"
#include "page_table.h"
#include "vm_pool.h"

/*
 * The heap's memory is the VM pool [KMALLOC_HEAP_BASE, +KMALLOC_HEAP_SIZE),
 * backed by the process frame pool and paged in on demand. Small requests
 * are packed into 64 KiB arenas (kheap.h); requests of KMALLOC_LARGE_MIN
 * bytes or more get whole pages of their own (a region of the pool).
 */
#define KMALLOC_HEAP_BASE  0xC0000000u
#define KMALLOC_HEAP_SIZE  0x10000000u /* 256 MiB of address space */
#define KMALLOC_ARENA_SIZE (64u * 1024u)
#define KMALLOC_LARGE_MIN  (8u * 1024u)

/* Create the heap pool in PT (loaded, paging on) over FRAMES. Returns false
 * (message printed) if the pool cannot be created. Boot only, once. */
bool kmalloc_init(struct page_table *pt, struct cont_frame_pool *frames);

/* True once kmalloc_init() succeeded. */
bool kmalloc_ready(void);

/* SIZE bytes of kernel memory, 16-byte aligned, contents undefined; NULL if
 * SIZE is 0 or the heap is exhausted (a message says why when the pool ran
 * out). Interrupt-safe: runs with interrupts off inside, so it may be
 * called from threads under preemption and from interrupt handlers; the
 * page faults it takes are served with interrupts off; never sleeps. */
void *kmalloc(size_t size);

/* Free PTR from kmalloc. kfree(NULL) does nothing. A pointer kmalloc did
 * not return (foreign, interior) or one already freed is reported with a
 * "kheap: " line and ignored: the heap is left unchanged. Interrupt-safe. */
void kfree(void *ptr);

/* The heap's VM pool and its block lists (monitor, tests, later labs). */
struct vm_pool *kmalloc_pool(void);
struct kheap *kmalloc_heap(void);

/* Check the heap's invariants (kheap_check) with interrupts off: NULL if
 * sound, else what is wrong. */
const char *kmalloc_check(void);

#endif
