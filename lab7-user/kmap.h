/* kmap.h: two kernel pages lab 7 points at any frame, to reach the pages and page tables of an address space that is not loaded. */
#ifndef LAB7_KMAP_H
#define LAB7_KMAP_H

#include <stdint.h>

#include "common/debug.h"
#include "common/intr_level.h"
#include "common/x86.h"
#include "lab3-paging/page_table.h"
#include "uspace.h"

/*
 * The slots are virtual pages at KMAP_BASE (uspace.h), in a kernel page
 * table every directory shares (uvm_setup pins it), so they work whichever
 * address space is loaded. A slot holds one frame from kmap() to kunmap():
 * interrupts stay off in between (nobody else may repoint it meanwhile).
 * Inline: fork's copy and the teardown call them for every page.
 */

#define KMAP_TABLE 0 /* slot for page tables */
#define KMAP_DATA  1 /* slot for page contents */

/* Map FRAME at slot SLOT, writable, and return its address. Interrupts off. */
static inline void *kmap(int slot, unsigned long frame)
{
    KASSERT(intr_get_level() == INTR_OFF && slot < KMAP_SLOTS);
    uint32_t va = KMAP_BASE + (uint32_t)slot * PAGE_SIZE;
    *paging_pte_ptr(va) = pte_make_frame(frame, PTE_PRESENT | PTE_WRITABLE);
    invlpg(va);
    return (void *)va;
}

/* Unmap slot SLOT (and drop its TLB entry). Interrupts off. */
static inline void kunmap(int slot)
{
    uint32_t va = KMAP_BASE + (uint32_t)slot * PAGE_SIZE;
    *paging_pte_ptr(va) = 0;
    invlpg(va);
}

#endif
