/* vm.h: lab 3 in one call for later labs: frames, paging and the kernel heap. */
#ifndef LAB3_VM_H
#define LAB3_VM_H

#include <stdbool.h>

#include "kmalloc.h"
#include "page_table.h"
#include "vm_pool.h"

#define VM_SHARED_SIZE (4u * 1024u * 1024u) /* identity-mapped: the first 4 MiB */

/* Set up the frame pools (frames_init), paging with the kernel page table
 * (first 4 MiB identity-mapped, recursive entry) and the kernel heap
 * (kmalloc). Idempotent: later calls return the first call's result.
 * Returns false, after printing what is missing, if paging does not work
 * (the lab's solution is not written yet) or the heap cannot be created;
 * the kernel then keeps running without them. Boot only (lab_init),
 * interrupts on or off; does not sleep. */
bool vm_setup(void);

/* True if vm_setup() succeeded: paging on and kmalloc usable. */
bool vm_ready(void);

/* The kernel's page table (the one vm_setup loaded), or NULL before. */
struct page_table *paging_kernel_pt(void);

/* The heap's VM pool, or NULL before vm_setup (same as kmalloc_pool()). */
struct vm_pool *vm_heap_pool(void);

#endif
