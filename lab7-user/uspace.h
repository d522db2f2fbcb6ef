/* uspace.h: the layout of a process's address space (user range, stack, heap) and the kernel addresses lab 7 adds. */
#ifndef LAB7_USPACE_H
#define LAB7_USPACE_H

/*
 *  0xFFFFFFFF +-----------------------------+
 *             | recursive window (PDE 1023) |  kernel, supervisor only,
 *  0xFFC00000 +-----------------------------+  the same page tables in
 *             | kmap slots 0xF0000000       |  every directory
 *             | thread stacks 0xD0000000    |
 *             | kernel heap   0xC0000000    |
 *  0xC0000000 +=============================+ USER_HI
 *             | (unmapped page)             |
 *  0xBFFFF000 +-----------------------------+ USTACK_TOP
 *             | user stack, grows down on   |
 *             | demand, at most USTACK_MAX  |
 *  0xBFEFF000 +-----------------------------+ USTACK_LIMIT
 *             | guard page (never mapped)   |
 *  0xBFEFE000 +-----------------------------+
 *             |            ...              |
 *  0x80000000 +-----------------------------+ UHEAP_END
 *             | mem_alloc regions (first    |
 *             | fit, demand-paged, zeroed)  |
 *  0x40000000 +-----------------------------+ UHEAP_BASE
 *             |            ...              |
 *             | program segments (ELF,      |
 *  0x08048000 | loaded at spawn)            | USER_LOAD_BASE
 *             |            ...              |
 *  0x00400000 +=============================+ USER_LO
 *             | identity map (kernel image, |  kernel, supervisor only
 *  0x00000000 | kernel frame pool)          |
 *             +-----------------------------+
 */

#define USER_LO        0x00400000u /* lowest user address */
#define USER_HI        0xC0000000u /* one past the highest user address: the kernel starts here */
#define USER_LOAD_BASE 0x08048000u /* where user/user.ld links programs */

#define USTACK_TOP   0xBFFFF000u              /* the stack's first push lands below this */
#define USTACK_MAX   (1024u * 1024u)          /* the stack grows on demand up to this */
#define USTACK_LIMIT (USTACK_TOP - USTACK_MAX) /* lowest stack address */
#define USTACK_GUARD (USTACK_LIMIT - 4096u)   /* the guard page: touching it ends the process */
#define USTACK_INITIAL_PAGES 1                /* mapped at spawn (argc/argv live there) */

#define UHEAP_BASE   0x40000000u /* mem_alloc regions lie in [UHEAP_BASE, UHEAP_END) */
#define UHEAP_END    0x80000000u
#define UHEAP_QUOTA  (8u * 1024u * 1024u) /* bytes of mem_alloc regions one process may hold */
#define UHEAP_REGIONS 32                  /* mem_alloc regions one process may hold */

/* Kernel virtual pages lab 7 maps frames at to reach another address space
 * (uvm_kmap): in a pinned kernel page table shared by every directory. */
#define KMAP_BASE  0xF0000000u
#define KMAP_SLOTS 2

/* Segment selectors (lab7-user/ring3.c adds the user segments after lab 1's five). */
#define GDT_USER_CODE 0x28
#define GDT_USER_DATA 0x30
#define SEL_RPL3      3
#define USER_CS (GDT_USER_CODE | SEL_RPL3)
#define USER_DS (GDT_USER_DATA | SEL_RPL3)

#define PROC_MAX 80                 /* processes at once (zombies included) */
#define PROC_KSTACK (16u * 1024u)   /* kernel stack of a process's thread */

#endif
