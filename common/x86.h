/* x86.h: port I/O, control registers and other single-instruction helpers. */
#ifndef COMMON_X86_H
#define COMMON_X86_H

#ifndef STEPOS_KERNEL
#error "common/x86.h is kernel-only: it executes privileged instructions"
#endif

#include <stdint.h>

#include "port_trace.h"

#define EFLAGS_IF 0x00000200u /* interrupt enable flag */

#define CR0_PE 0x00000001u /* protection enable */
#define CR0_WP 0x00010000u /* supervisor writes honour read-only pages */
#define CR0_PG 0x80000000u /* paging */

/* The device's byte, with no trace (port_trace.c's traced inb uses it). */
static inline uint8_t inb_untraced(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint8_t inb(uint16_t port)
{
    if (__builtin_expect(port_trace_on, 0))
        return port_trace_inb(port); /* a test watches or stands in for the device */
    return inb_untraced(port);
}

static inline void outb(uint16_t port, uint8_t v)
{
    if (__builtin_expect(port_trace_on, 0))
        port_trace_record(port, v); /* a test is watching (port_trace.h) */
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

/* Read COUNT 16-bit words from PORT into BUF (ATA data transfers). */
static inline void insw(uint16_t port, void *buf, uint32_t count)
{
    if (__builtin_expect(port_trace_on, 0))
        port_trace_string(port, count, false);
    __asm__ volatile("cld; rep insw"
                     : "+D"(buf), "+c"(count)
                     : "d"(port)
                     : "memory");
}

/* Write COUNT 16-bit words from BUF to PORT. */
static inline void outsw(uint16_t port, const void *buf, uint32_t count)
{
    if (__builtin_expect(port_trace_on, 0))
        port_trace_string(port, count, true);
    __asm__ volatile("cld; rep outsw"
                     : "+S"(buf), "+c"(count)
                     : "d"(port)
                     : "memory");
}

/* A write to an unused port: roughly 1 us of delay for old devices (PIC). */
static inline void io_wait(void)
{
    outb(0x80, 0);
}

/* EFLAGS. Not volatile: a read whose value is unused (intr_set_level's
 * "previous level" when the caller ignores it) is dropped, which saves a
 * push and a pop on every context switch. The "memory" clobber keeps each
 * read in order with cli/sti (they clobber memory too) and stops the
 * compiler from merging two reads into one. */
static inline uint32_t read_eflags(void)
{
    uint32_t v;
    __asm__("pushfl; popl %0" : "=r"(v) : : "memory");
    return v;
}

static inline void cpu_cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void cpu_sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cpu_hlt(void) { __asm__ volatile("hlt" ::: "memory"); }

/* Enable interrupts and halt until the next one, with no window between. */
static inline void cpu_sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

static inline uint32_t read_cr0(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr0, %0" : "=r"(v));
    return v;
}

static inline void write_cr0(uint32_t v)
{
    __asm__ volatile("movl %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint32_t read_cr4(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr4, %0" : "=r"(v));
    return v;
}

static inline void write_cr4(uint32_t v)
{
    __asm__ volatile("movl %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint32_t read_cr2(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr2, %0" : "=r"(v));
    return v;
}

static inline uint32_t read_cr3(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr3, %0" : "=r"(v));
    return v;
}

/* Set by lab 1's double-fault setup: a copy of CR3 that must follow every
 * change (the double-fault task loads its page directory from it). */
extern uint32_t *x86_cr3_mirror;

/* Load the page directory V (and flush the TLB). */
static inline void write_cr3(uint32_t v)
{
    if (x86_cr3_mirror)
        *x86_cr3_mirror = v;
    __asm__ volatile("movl %0, %%cr3" : : "r"(v) : "memory");
}

/* Drop the TLB entry for the page containing ADDR. */
static inline void invlpg(uint32_t addr)
{
    __asm__ volatile("invlpg (%0)" : : "r"(addr) : "memory");
}

/* Time-stamp counter: instructions under Bochs/QEMU -icount, cycles otherwise. */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint32_t read_ebp(void)
{
    uint32_t v;
    __asm__ volatile("movl %%ebp, %0" : "=r"(v));
    return v;
}

/* Bochs magic breakpoint (xchg bx,bx): stops in the Bochs debugger when
 * magic_break is enabled; a no-op elsewhere. */
#define BOCHS_BREAK() __asm__ volatile("xchgw %bx, %bx")

#endif
