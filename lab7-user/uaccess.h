/* uaccess.h: every system call reaches user memory through these: checked copies from and to the running process. */
#ifndef LAB7_UACCESS_H
#define LAB7_UACCESS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A user pointer is only a number until checked: it may be NULL, point into
 * the kernel, at an unmapped page, or be a buffer that runs off its mapping
 * into the kernel. These functions check every page of a buffer BEFORE the
 * kernel touches it: mapped with PTE_USER (and PTE_WRITABLE for a write),
 * or legitimate but not yet touched (a mem_alloc region, the stack), which
 * is then mapped now. So a copy never faults in the kernel, and a bad
 * pointer gives -E_FAULT, never a panic. The running thread must be a
 * process's (its address space is the loaded one). Thread context.
 */

/* 0 if [UADDR, UADDR + LEN) is user memory the running process may read
 * (WRITE: and write), demand-mapping legitimate pages; -E_FAULT if not. LEN
 * 0 is always fine. */
int uaccess_check(uint32_t uaddr, uint32_t len, bool write);

/* Copy LEN bytes from user address USRC to kernel DST: 0 or -E_FAULT. */
int copy_from_user(void *dst, uint32_t usrc, uint32_t len);

/* Copy LEN bytes from kernel SRC to user address UDST: 0 or -E_FAULT. */
int copy_to_user(uint32_t udst, const void *src, uint32_t len);

/* Copy the NUL-terminated string at USRC into DST (MAX bytes, NUL
 * included): its length, -E_FAULT (a bad byte before the end), or
 * -E_NAMETOOLONG (no NUL within MAX bytes). */
int strncpy_from_user(char *dst, uint32_t usrc, uint32_t max);

#endif
