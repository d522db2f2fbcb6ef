/* ucow.h: copy-on-write fork (lab 7's challenge): per-frame reference counts of user pages, sharing at fork, the copy at the first write. */
#ifndef LAB7_UCOW_H
#define LAB7_UCOW_H

#include <stdbool.h>
#include <stdint.h>

#include "uspace.h"

/*
 * A page-table entry available bit (bits 9-11 are the software's): this
 * read-only page was writable before fork shared it. A write fault on it
 * is not a protection violation but the moment to copy (ucow_break).
 */
#define PTE_COW 0x200u

/*
 * The reference counts. refs(f) for a frame F of the process pool is the
 * number of present user page-table entries, over every live address
 * space, that map F. So:
 *   - the sum of every count is uvm_total_pages();
 *   - a count of 0: F is no user page (free, a page table, the kernel's);
 *   - a count of 2 or more: every entry that maps F is read-only (with
 *     PTE_COW if the page was writable), so no process can change what the
 *     others see;
 *   - F goes back to the pool when its count drops to 0, never before.
 * Every change happens with interrupts off (one CPU). uvm.c keeps the count
 * of every page it maps and unmaps; fork's sharing and the copy are below.
 */

/* The table, one count per frame of the process pool. uvm_setup, once. */
void ucow_setup(void);

/* F (a process-pool frame with count 0) was just mapped as a user page: count 1. */
void ucow_ref_new(unsigned long f);

/* One entry that maps F is gone: its count down by one; F is released when
 * it reaches 0. Returns the new count. */
unsigned ucow_ref_drop(unsigned long f);

/* F's count (0 for a frame outside the process pool). Tests. */
unsigned ucow_ref_count(unsigned long f);

/* The sum of every count, and how many frames have a count of 2 or more. Tests. */
unsigned long ucow_ref_total(void);
unsigned long ucow_frames_shared(void);

/* Is fork copy-on-write (boot option fork=cow)? Off: fork copies every page. */
bool ucow_enabled(void);

/* Turn copy-on-write fork on or off (tests and benchmarks); the old setting. */
bool ucow_set_enabled(bool on);

/* Fork's share of one page. *PARENT is a present user entry of the loaded
 * address space, at VA; the child's entry for the same page goes to *CHILD.
 * Both map the same frame, whose count goes up by one; a writable page
 * becomes read-only with PTE_COW in both (the parent's TLB entry dropped).
 * Interrupts off. 0, or -E_NOSYS if not written yet (fork then copies). */
int ucow_share(uint32_t *parent, uint32_t va, uint32_t *child);

/* A write to the COW page at VA of the loaded address space, whose
 * directory is PD (identity-mapped): give it a page of its own: a copy if
 * the frame is shared, else the same frame made writable again. 0, -E_FAULT
 * (not a COW page), -E_NOMEM (no frame for the copy: nothing changed) or
 * -E_NOSYS (not written yet). Thread context. */
int ucow_break(uint32_t *pd, uint32_t va);

/* Copy-on-write events since boot (benchmarks, the monitor). */
struct ucow_stats {
    unsigned long shared; /* pages fork shared */
    unsigned long copies; /* write faults that copied a shared page */
    unsigned long reuses; /* write faults on a page no longer shared: made writable */
};
void ucow_get_stats(struct ucow_stats *out);

#endif
