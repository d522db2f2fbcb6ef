/* large_page.h: lab 3's challenge: 4 MiB pages (CR4.PSE, a PDE with PS set) for physically contiguous regions. */
#ifndef LAB3_LARGE_PAGE_H
#define LAB3_LARGE_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "page_table.h"

/*
 * With CR4.PSE set, a directory entry with PS (PDE_LARGE_PAGE) set maps a
 * whole 4 MiB page itself: bits 31-22 hold the physical address of a 4 MiB-
 * aligned block of 1024 frames, and no page table is read (or needed). One
 * large page saves one page-table frame and covers in one TLB entry what
 * took 1024.
 *
 * Caveat: through the recursive window, a large-page PDE shows the large
 * page's first 4 KiB as if it were a page table: do not walk the page
 * tables (paging_pte_ptr, page_table_walk, the monitor's 'pt') of an
 * address inside a large page. large_page_frame() is the way to look one up.
 */

#define LP_FRAMES 1024u                 /* frames of one large page */
#define LP_SIZE (LP_FRAMES * PAGE_SIZE) /* 4 MiB */
#define LP_FRAME_MASK 0xFFC00000u       /* a large-page PDE's physical address bits */
#define CR4_PSE 0x00000010u             /* CR4 bit 4: page size extension */
#define CPUID_EDX_PSE 0x00000008u       /* CPUID.1:EDX bit 3: PSE supported */

/* Return codes (0 = success). */
#define LP_OK 0
#define LP_ERR_ALIGN (-1)         /* vaddr not 4 MiB aligned, or frame not 1024-aligned */
#define LP_ERR_RANGE (-2)         /* vaddr in the identity range or the window */
#define LP_ERR_BUSY (-3)          /* map: the directory entry is in use */
#define LP_ERR_NOT_MAPPED (-4)    /* unmap: no large page there */
#define LP_ERR_UNSUPPORTED (-5)   /* the CPU has no PSE */
#define LP_ERR_UNIMPLEMENTED (-6) /* the challenge is not written yet */


/* True if the CPU supports PSE (CPUID leaf 1, EDX bit 3). Any context. */
bool large_page_supported(void);

/* Set CR4.PSE so the MMU honours PS in directory entries. Returns LP_OK,
 * LP_ERR_UNSUPPORTED or LP_ERR_UNIMPLEMENTED. Idempotent; any context. */
int large_pages_enable(void);

/* Map the 4 MiB block starting at FRAME_NO (a multiple of LP_FRAMES) at
 * VADDR (4 MiB aligned, outside the identity range and the window) in the
 * loaded page table, with FLAGS (PTE_WRITABLE...; present and PS added):
 * one directory entry, no page table. Enables PSE if needed. The frames are
 * not owned by the page table (the caller allocated them and frees them
 * after large_page_unmap). Returns LP_OK or LP_ERR_*; on failure nothing
 * changes. Paging on; interrupts any (disabled inside); does not sleep. */
int large_page_map(vaddr_t vaddr, unsigned long frame_no, uint32_t flags);

/* Remove the large page at VADDR (4 MiB aligned) from the loaded page table
 * and drop its TLB entry (invlpg). Returns LP_OK, LP_ERR_ALIGN, LP_ERR_RANGE
 * or LP_ERR_NOT_MAPPED (no large page there: nothing changes). */
int large_page_unmap(vaddr_t vaddr);

/* The frame VADDR translates to through a large page of the loaded page
 * table (the block's first frame + the 4 KiB page within it), or 0 if the
 * directory entry for VADDR is not a present large page. Reads the
 * directory through the recursive window; never faults. */
unsigned long large_page_frame(vaddr_t vaddr);

/* Short text for an LP_* code. */
const char *large_page_strerror(int err);

#endif
