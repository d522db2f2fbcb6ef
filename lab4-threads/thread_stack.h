/* thread_stack.h: thread stacks: a VM pool of guarded regions, pre-touched, with a high-water pattern. */
#ifndef LAB4_THREAD_STACK_H
#define LAB4_THREAD_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/mmu.h"

/*
 * Stacks live in their own VM pool, [THREAD_STACK_POOL_BASE, +SIZE), backed
 * by the process frame pool. Each stack is a guarded region:
 *
 *   region            region + 4K                          region + 4K + size
 *   | guard page      | stack (grows down from the top)     |
 *   | never mapped:   | every page mapped at creation and   |
 *   | touching it     | filled with THREAD_STACK_PATTERN    |
 *   | faults          |                                     |
 *                     stack_base                            stack_top
 *
 * Why touch every page at creation instead of letting demand paging do it?
 * A page fault is delivered on the SAME stack (no privilege change): if the
 * stack page itself is missing, the CPU cannot push the fault's frame, which
 * faults again: a double fault. So a stack must be present before it is used.
 */

#define THREAD_STACK_POOL_BASE 0xD0000000u /* above the heap (0xC0000000 + 256 MiB) */
#define THREAD_STACK_POOL_SIZE 0x04000000u /* 64 MiB of address space */
#define THREAD_STACK_PATTERN   0x57AC57ACu /* "unused stack" fill */

struct vm_pool;

/* Create the stack pool in the kernel page table. Returns false (message
 * printed) if lab 3's VM is not up or the pool cannot be made. Boot only. */
bool thread_stack_init(void);

/* True once thread_stack_init() succeeded. */
bool thread_stack_ready(void);

/* A guarded stack of SIZE bytes (a page multiple): sets *REGION (guard page
 * start), *BASE and *TOP (see the picture). Every page is mapped and filled
 * with the pattern. Returns false (message printed) if the pool or the
 * frames run out. Thread context, any interrupt level; does not yield. */
bool thread_stack_alloc(size_t size, vaddr_t *region, vaddr_t *base, vaddr_t *top);

/* Give back the stack whose region starts at REGION (frames and address
 * range). Must not be the stack we run on. Any interrupt level. */
void thread_stack_free(vaddr_t region);

/* Bytes between TOP and the lowest word below it that is no longer the
 * pattern, scanning up from BASE: the high-water mark. Any context. */
size_t thread_stack_high_water(vaddr_t base, vaddr_t top);

/* Fill [BASE, LIMIT) with the pattern (word aligned). */
void thread_stack_fill(vaddr_t base, vaddr_t limit);

/* True if ADDR lies in the guard page of the stack region starting at
 * REGION. Pure. */
static inline bool thread_stack_in_guard(vaddr_t region, vaddr_t addr)
{
    return region != 0 && addr >= region && addr - region < PAGE_SIZE;
}

/* The stack pool (monitor, tests), NULL before thread_stack_init. */
struct vm_pool *thread_stack_pool(void);

#endif
