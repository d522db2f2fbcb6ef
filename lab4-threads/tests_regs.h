/* tests_regs.h: register canaries for thread tests (tests_regs.asm): switch probe, canaried calls, spinners. */
#ifndef LAB4_TESTS_REGS_H
#define LAB4_TESTS_REGS_H

#include <stdint.h>

#include "thread.h"

/* Masks: one bit per general register found changed. */
#define REGS_EAX 0x01u
#define REGS_ECX 0x02u
#define REGS_EDX 0x04u
#define REGS_EBX 0x08u
#define REGS_ESI 0x10u
#define REGS_EDI 0x20u
#define REGS_EBP 0x40u
#define REGS_CALLEE_SAVED (REGS_EBX | REGS_ESI | REGS_EDI | REGS_EBP)

/* The canaries switch_probe_run loads (tests_regs.asm): A's before its first
 * and second switch, the partner's before its switch. Order ebx esi edi ebp. */
#define REGS_PROBE_A1 {0xA1000B01u, 0xA1000E05u, 0xA1000D09u, 0xA1000B0Du}
#define REGS_PROBE_A2 {0xA2000B11u, 0xA2000E15u, 0xA2000D19u, 0xA2000B1Du}
#define REGS_PROBE_B {0xB0000B21u, 0xB0000E25u, 0xB0000D29u, 0xB0000B2Du}

/* thread_switch tested on its own, on two bare contexts. Field offsets are
 * fixed (tests_regs.asm). */
struct switch_probe {
    struct thread *a;      /* the probe's context: only saved_esp is used */
    struct thread *b;      /* the partner: saved_esp at a first frame whose
                            * return address is switch_probe_partner */
    uint32_t b_entry;      /* eax when the partner first ran (want: a) */
    uint32_t a_ret1;       /* eax in A when its first switch returned (want: b) */
    uint32_t a_regs1[4];   /* ebx esi edi ebp in A then (want: REGS_PROBE_A1) */
    uint32_t b_ret;        /* eax in the partner when its switch returned (want: a) */
    uint32_t b_regs[4];    /* ebx esi edi ebp in the partner then (want: REGS_PROBE_B) */
    uint32_t a_ret2;       /* eax in A when its second switch returned (want: b) */
    uint32_t a_regs2[4];   /* ebx esi edi ebp in A then (want: REGS_PROBE_A2) */
};

/* Run A -> partner (first run) -> A -> partner (resumed) -> A, with distinct
 * canaries in ebx esi edi ebp at every switch, recording what each side
 * finds after it. Interrupts must be off. */
void switch_probe_run(struct switch_probe *p);

/* The partner's entry point, to put where a first frame has thread_start. */
void switch_probe_partner(void);

/* Call FN(ARG) with canaries in ebx esi edi ebp; returns the mask of those
 * that differ when FN returns (0: all preserved). */
uint32_t regs_canary_call(void (*fn)(void *), void *arg);

/* Spin with canaries in every general register but esp until regs_spin_stop
 * is non-zero, checking them on every iteration; returns the mask of the
 * registers that changed (the spin ends at the first change). Never yields:
 * only an interrupt (a preemption) can take the CPU away meanwhile. */
uint32_t regs_canary_spin(void);
extern volatile uint32_t regs_spin_stop;

/* "ebx esi" etc.: the names of the registers in MASK, into BUF (>= 32 bytes). */
const char *regs_mask_names(uint32_t mask, char *buf);

#endif
