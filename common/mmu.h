/* mmu.h: the x86 page size and the kernel's address types, shared by every lab. */
#ifndef COMMON_MMU_H
#define COMMON_MMU_H

/* One page of virtual memory, and one frame of physical memory. */
#define PAGE_SHIFT 12
#define PAGE_SIZE  (1u << PAGE_SHIFT) /* 4096 */
#define PAGE_MASK  (PAGE_SIZE - 1)

/*
 * Addresses are unsigned long, as in the labs' public interfaces (frame
 * numbers in lab 2, VM pools in lab 3): 32 bits on this i386 kernel. The
 * names say which address space a value belongs to; a frame or page number
 * is a plain unsigned long (address >> PAGE_SHIFT). Values the hardware
 * defines bit by bit (page-table entries, CR3, descriptors) stay uint32_t.
 */
typedef unsigned long paddr_t; /* a physical address */
typedef unsigned long vaddr_t; /* a virtual address */

#endif
