/* vm_pool.h: VMPool, a range of virtual memory handed out in page-granular, lazily backed regions. */
#ifndef LAB3_VM_POOL_H
#define LAB3_VM_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/debug.h"
#include "lab2-frames/cont_frame_pool.h"
#include "page_table.h"
#include "vm_regions.h"

/*
 * A VM pool owns the virtual range [base, base + size) of one page table.
 * Its first page holds the pool's own bookkeeping (a struct vm_regions), so
 * that page is always legitimate; the rest is handed out by
 * vm_pool_allocate() in whole pages. Allocation only writes bookkeeping:
 * frames arrive one page at a time when the region is first touched, from
 * the page-fault handler, which asks vm_pool_is_legitimate() first. Release
 * gives back exactly the pages that were touched.
 *
 * Every function here disables interrupts around its work (labs 4-6 call
 * them from preemptible threads) and never sleeps. Bad input is reported
 * with one line starting "vm_pool NAME: " and changes nothing.
 */

#define VM_POOL_MAGIC 0x4C4F4F50u /* "POOL" */

/* Return codes of vm_pool_init / vm_pool_release (0 = success): either a
 * VM_REGIONS_ERR_* code (release) or one of these. */
#define VM_POOL_OK 0
#define VM_POOL_ERR_OVERLAP (-20)  /* init: overlaps a registered pool */
#define VM_POOL_ERR_RANGE (-21)    /* init: in the identity range or the window */
#define VM_POOL_ERR_NOT_POOL (-22) /* not an initialised pool */

struct vm_pool {
    unsigned long base;               /* first address (page aligned) */
    unsigned long size;               /* bytes (page multiple), bookkeeping page included */
    struct cont_frame_pool *frame_pool; /* where this pool's pages come from */
    struct page_table *pt;            /* the address space it belongs to */
    struct vm_regions *regions;       /* == (void *)base: the bookkeeping page */
    const char *name;                 /* for messages; "" if unnamed */
    struct vm_pool *next;             /* next pool registered in pt */
    uint32_t magic;                   /* VM_POOL_MAGIC while initialised */
    int last_error;                   /* code of the last refused request, 0 if none */
    unsigned long errors;             /* refused requests so far */
};

/* Set up POOL (caller memory that must outlive it) over [BASE_ADDRESS,
 * BASE_ADDRESS + SIZE) of page table PT, backed by FRAME_POOL, and register
 * it with PT; then write its bookkeeping into its first page (which faults
 * that page in). BASE_ADDRESS and SIZE page aligned, SIZE at least two pages,
 * PT loaded and paging on (KASSERT). Returns VM_POOL_OK, VM_POOL_ERR_RANGE
 * (range touches the identity range or the recursive window) or
 * VM_POOL_ERR_OVERLAP (overlaps a pool of PT); then nothing changes and a
 * message is printed. Interrupts any; does not sleep. */
int vm_pool_init(struct vm_pool *pool, unsigned long base_address,
                 unsigned long size, struct cont_frame_pool *frame_pool,
                 struct page_table *pt);

/* Name POOL for messages and the monitor (NAME must outlive the pool). */
void vm_pool_set_name(struct vm_pool *pool, const char *name);

/* Reserve SIZE bytes rounded up to whole pages, first fit. Nothing is mapped:
 * each page gets a zeroed frame when first touched. Returns the start
 * address, or 0 after printing why (SIZE 0, larger than the pool, no free
 * region large enough, out of region slots); nothing changes then. */
unsigned long vm_pool_allocate(struct vm_pool *pool, unsigned long size);

/* Like vm_pool_allocate(SIZE + one page), but the region's first page is a
 * guard: never legitimate, so touching it is reported (stack overflow
 * detection). Returns the region start; usable memory begins one page
 * later. Release with vm_pool_release(start). */
unsigned long vm_pool_allocate_guarded(struct vm_pool *pool, unsigned long size);

/* Release the region that starts at START_ADDRESS: free every page of it
 * that was mapped (and no other), give back page tables left empty, and
 * return the range to the free list (merged with free neighbours). Returns
 * VM_POOL_OK, or a VM_REGIONS_ERR_* (START_ADDRESS outside the pool, not the
 * start of an allocated region, already released) after printing it; then
 * nothing changes. */
int vm_pool_release(struct vm_pool *pool, unsigned long start_address);

/* True if ADDRESS may be touched: the pool's bookkeeping page, or any page of
 * an allocated region except a guard page. False outside the pool. Called
 * by the page-fault handler (interrupts off). Never faults on its own. */
bool vm_pool_is_legitimate(struct vm_pool *pool, unsigned long address);

/* If ADDRESS lies in an allocated region of POOL (not in its guard page),
 * set [*LO, *HI) to the legitimate part of that region and return true;
 * false for any other address (the bookkeeping page included). Interrupts
 * off (the fault handler); never faults. */
bool vm_pool_legitimate_range(struct vm_pool *pool, unsigned long address,
                              unsigned long *lo, unsigned long *hi);

/* Release every region, free the bookkeeping page and unregister POOL from
 * its page table; POOL may then be initialised again. Returns VM_POOL_OK or
 * VM_POOL_ERR_NOT_POOL. */
int vm_pool_destroy(struct vm_pool *pool);

/* True if POOL was initialised and not destroyed. */
bool vm_pool_is_live(const struct vm_pool *pool);

/* The frame pool backing POOL's pages (inline: every demand fault asks). */
static inline struct cont_frame_pool *vm_pool_frame_pool(const struct vm_pool *pool)
{
    KASSERT(pool != NULL && pool->frame_pool != NULL); /* live, or in vm_pool_init */
    return pool->frame_pool;
}

/* Pages of POOL mapped right now (bookkeeping page included). O(size/4K). */
unsigned long vm_pool_mapped_pages(struct vm_pool *pool);

/* Write into BUF (SIZE bytes) why ADDRESS is not legitimate in POOL, e.g.
 * "in a free region 0x...-0x... of VM pool heap". For fault reports. */
void vm_pool_explain(struct vm_pool *pool, unsigned long address, char *buf,
                     size_t size);

/* Print POOL and its regions, with mapped-page counts (monitor `pools`).
 * Thread context; walks every page of every region, so it is slow. */
void vm_pool_print(struct vm_pool *pool);

#endif
