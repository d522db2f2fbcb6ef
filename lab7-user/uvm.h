/* uvm.h: process address spaces: a page directory per process sharing the kernel's part, demand-paged user memory. */
#ifndef LAB7_UVM_H
#define LAB7_UVM_H

#include <stdbool.h>
#include <stdint.h>

#include "uspace.h"

/*
 * A process's directory is a frame of the kernel pool (identity-mapped, so
 * the kernel reads it anywhere). Its kernel part (PDE 0 = identity map,
 * PDEs of USER_HI and up) is a copy of the kernel directory's entries made
 * at creation: they point at the same page tables, which uvm_setup()
 * creates up front for the heap, the thread stacks and the kmap slots and
 * pins (lab 3 never frees them), so a mapping the kernel adds later is
 * seen by every process at once. The user part (PDEs 1..767) is private:
 * page tables and pages from the process frame pool, every entry with
 * PTE_USER (with copy-on-write fork, ucow.h, pages but never tables may be
 * shared, read-only, between a parent and its children). Lab 3's "current page table" stays the kernel's: a process
 * directory is loaded with write_cr3 only, so kernel pools (heap, stacks)
 * keep working in any address space.
 *
 * Everything here disables interrupts while it uses a kmap slot, never
 * sleeps, and reaches another address space's tables through kmap, so it
 * works whether US is loaded or not (except where it says so).
 */

struct uregion {
    uint32_t start, size; /* size 0: a free slot */
};

struct uspace {
    unsigned long pd_frame; /* 0: not created */
    uint32_t *pd;           /* the directory, identity-mapped */
    unsigned pages;         /* user pages mapped now */
    unsigned tables;        /* user page tables now */
    struct uregion heap[UHEAP_REGIONS]; /* mem_alloc regions */
    uint32_t heap_bytes;    /* sum of their sizes */
};

/* What uvm_fault() decided. */
#define UVM_MAPPED 0 /* a legitimate page: mapped now, resume */
/* otherwise an ABI_KILLED_* reason (syscall_abi.h) */

/* Create and pin the kernel tables every directory shares. lab7_setup, once. */
void uvm_setup(void);

/* A new address space with an empty user part: 0 or -E_NOMEM. */
int uvm_create(struct uspace *us);

/* Free every user page, user page table and the directory. US must not be
 * loaded (uvm_activate(NULL) first). Idempotent. */
void uvm_destroy(struct uspace *us);

/* Load US's directory (NULL: lab 3's current page table, the kernel's but
 * while a test has loaded its own: kernel threads see what lab 3 loaded).
 * Interrupts off. */
void uvm_activate(struct uspace *us);

/* The directory physical address of US (NULL: lab 3's current one). */
uint32_t uvm_cr3(const struct uspace *us);

/* Map a fresh zeroed page at VA (page aligned, user range, not mapped yet),
 * user-accessible, writable if WRITABLE: 0 or -E_NOMEM. */
int uvm_map_zero(struct uspace *us, uint32_t va, bool writable);

/* Make the mapped page at VA writable (or not). */
void uvm_set_writable(struct uspace *us, uint32_t va, bool writable);

/* The page-table entry of VA in US (0 if its table or page is missing). */
uint32_t uvm_pte(struct uspace *us, uint32_t va);

/* Copy LEN bytes from kernel memory SRC to VA in US, whose pages must be
 * mapped (writable or not): 0, or -E_FAULT if a page is missing. */
int uvm_write(struct uspace *us, uint32_t va, const void *src, uint32_t len);

/* Fill DST (created, empty) with a copy of every user page of SRC, which
 * must be the loaded address space, and of its heap regions: 0 or -E_NOMEM
 * (DST then holds part of the copy: destroy it). With copy-on-write fork
 * on (ucow.h) the pages are shared instead, read-only, until a write. */
int uvm_copy(struct uspace *dst, struct uspace *src);

/* True if VA may be demand-mapped in US: a mem_alloc region or the stack
 * range. */
bool uvm_legitimate(const struct uspace *us, uint32_t va);

/* A fault at VA of US (a write to a read-only page included): maps a legitimate page,
 * or gives a copy-on-write page (ucow.h) its own copy, and returns UVM_MAPPED, else the
 * ABI_KILLED_* reason to end the process. */
int uvm_fault(struct uspace *us, uint32_t va);

/* mem_alloc: reserve SIZE bytes (rounded up to pages) as a new region,
 * first fit in [UHEAP_BASE, UHEAP_END): its start, or -E_INVAL (size 0) or
 * -E_NOMEM (quota, slots or room exhausted). Pages arrive on first touch. */
int32_t uvm_heap_alloc(struct uspace *us, uint32_t size);

/* mem_free: release the region that starts at START and its pages: 0 or
 * -E_INVAL (not the start of a region). */
int uvm_heap_free(struct uspace *us, uint32_t start);

/* Pages and page tables mapped in every live address space (tests). */
unsigned long uvm_total_pages(void);

#endif
