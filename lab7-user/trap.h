/* trap.h: the trap frame of a process's thread (what ring 3 left on the kernel stack) and the ring-3 entry points. */
#ifndef LAB7_TRAP_H
#define LAB7_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#include "lab1-boot/intr.h"

/* An interrupt, exception or system call from ring 3: lab 1's frame (the
 * registers isr.asm saves, then eip, cs, eflags pushed by the CPU), plus
 * the user stack the CPU pushes only on a change of privilege. It sits at
 * the very top of the thread's kernel stack (the TSS's esp0). */
struct trap_frame {
    struct intr_frame f;
    uint32_t user_esp, user_ss;
};
_Static_assert(sizeof(struct trap_frame) == 76, "syscall_entry.asm's TRAP_FRAME_SIZE");

#define EFLAGS_IF       0x00000200u
#define EFLAGS_RESERVED 0x00000002u
#define EFLAGS_IOPL     0x00003000u

/* True if FRAME interrupted ring 3. */
static inline bool trap_from_user(const struct intr_frame *frame)
{
    return (frame->cs & 3u) == 3u;
}

/* Copy lab 1's GDT into one with the user code and data segments (DPL 3),
 * and install the DPL-3 int 0x80 gate. lab7_setup, once, interrupts off. */
void ring3_init(void);

/* Write the 8 bytes of the int 0x80 gate to HANDLER into GATE (one IDT
 * entry): kernel code segment, present, 32-bit interrupt gate, DPL 3.
 * ring3_init writes the real one; tests encode into a scratch entry. Any
 * context. */
void ring3_gate_encode(uint8_t *gate, uint32_t handler);

/* Make the TSS's ring-0 stack ESP0 (the top of the running thread's kernel
 * stack): ring 3's next interrupt pushes its frame there. Interrupts off. */
void ring3_set_kernel_stack(uint32_t esp0);

/* The TSS's current ring-0 stack (tests). */
uint32_t ring3_kernel_stack(void);

/* Leave the kernel for ring 3 with the registers in TF: copy it to the top
 * of the running thread's kernel stack (STACK_TOP, where ring 3's next
 * interrupt will push its frame again) and iret through lab 1's
 * intr_return. TF must not lie on that stack. Interrupts off; never
 * returns. (syscall_entry.asm) */
void ring3_enter(const struct trap_frame *tf, uint32_t stack_top) __attribute__((noreturn));

/* The int 0x80 entry stub (syscall_entry.asm). */
void syscall_entry(void);

/* Called by the stub: serve the system call in FRAME (syscall.c). */
void syscall_dispatch(struct trap_frame *frame);

#endif
