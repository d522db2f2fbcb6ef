/* ksyms.h: the kernel's own symbol table, embedded by the build, for backtraces. */
#ifndef COMMON_KSYMS_H
#define COMMON_KSYMS_H

#include <stdint.h>

/* Name of the function containing ADDR, or NULL if unknown; *OFFSET gets the
 * distance from the function's start. Any context. */
const char *ksyms_lookup(uint32_t addr, uint32_t *offset);

/* Address of the function called NAME, or 0. Any context. */
uint32_t ksyms_address(const char *name);

/* Print "  #i 0xADDR func+0xOFF" for each frame of the EBP chain starting at
 * EBP (at most 16). Needs -fno-omit-frame-pointer. Any context. */
void backtrace_print(uint32_t ebp);

/* The return addresses of the EBP chain starting at EBP, innermost first,
 * into RETS (at most MAX); returns how many. Any context. */
int backtrace_collect(uint32_t ebp, uint32_t *rets, int max);

#endif
