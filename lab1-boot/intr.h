/* intr.h: interrupt frames, dispatch, IRQ and exception handler registration. */
#ifndef LAB1_INTR_H
#define LAB1_INTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/intr_level.h"
#include "common/mmu.h"

#define INTR_EXCEPTIONS 32 /* vectors 0-31: CPU exceptions */
#define INTR_IRQ_BASE   32 /* IRQ n arrives on vector 32 + n */
#define INTR_IRQS       16

/* CPU exception vectors (Intel SDM vol. 3, 6.3.1): the only names for them;
 * exception_name() gives the long names. */
enum intr_vector {
    VEC_DIVIDE = 0,          /* #DE divide error */
    VEC_DEBUG = 1,           /* #DB */
    VEC_NMI = 2,
    VEC_BREAKPOINT = 3,      /* #BP int3 (a trap: resumes after it) */
    VEC_OVERFLOW = 4,        /* #OF into */
    VEC_BOUND = 5,           /* #BR bound */
    VEC_INVALID_OPCODE = 6,  /* #UD e.g. ud2 */
    VEC_DEVICE_NA = 7,       /* #NM */
    VEC_DOUBLE_FAULT = 8,    /* #DF (a task gate, lab1-boot/double_fault.c) */
    VEC_INVALID_TSS = 10,    /* #TS */
    VEC_SEGMENT_NP = 11,     /* #NP */
    VEC_STACK_FAULT = 12,    /* #SS */
    VEC_GP = 13,             /* #GP general protection */
    VEC_PAGE_FAULT = 14,     /* #PF (CR2 holds the address) */
};

/* Registers as saved by lab1-boot/isr.asm, lowest address first. */
struct intr_frame {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_at_pushad, ebx, edx, ecx, eax; /* pushad */
    uint32_t vector;     /* pushed by the stub */
    uint32_t error_code; /* pushed by the CPU, or 0 by the stub */
    uint32_t eip, cs, eflags; /* pushed by the CPU */
};

/* An IRQ handler. Runs with interrupts off; the PIC has already been sent
 * its end-of-interrupt, so the handler may switch threads. */
typedef void irq_handler_fn(struct intr_frame *frame);

/* An exception handler. Returns true if it dealt with the exception (execution
 * resumes at frame->eip), false to fall back to the default report. */
typedef bool exception_handler_fn(struct intr_frame *frame);

/* Route IRQ (0-15) to HANDLER and unmask it at the PIC. One handler per IRQ;
 * registering a second one panics. Boot code, interrupts off or on. */
void irq_register(int irq, irq_handler_fn *handler);

/* Install HANDLER for exception VECTOR (0-31), in place of the default
 * report. VECTOR must have no handler yet: replacing one silently would drop
 * what an earlier lab installed, so a second registration panics (extend a
 * handler with exception_chain). Boot code. */
void exception_register(int vector, exception_handler_fn *handler);

/* Install HANDLER (NULL: none) for exception VECTOR in place of the current
 * one, which is returned: HANDLER must pass what it does not handle itself to
 * it (lab 4's page-fault handler calls lab 3's this way), and whoever
 * installs a handler for a while (a test) puts the returned one back with a
 * second call. Boot or thread code. */
exception_handler_fn *exception_chain(int vector, exception_handler_fn *handler);

/* How deep exceptions may nest (a fault inside an exception handler) before
 * the kernel stops with one report naming every level. */
#define EXCEPTION_NEST_MAX 3

/* One exception being served: its frame and what it was about. */
struct exception_level {
    struct intr_frame *frame;
    uint32_t vector, eip, cr2; /* cr2 as read on entry (page faults) */
};

/* Stop the kernel: exception FRAME arrived while LEVELS[0..DEPTH-1] were
 * being served. Prints one KPANIC report (vectors, addresses, symbols, and
 * the page-table entries of the outer fault's address via the describe
 * hook) and powers off. */
void exception_nested_fatal(const struct intr_frame *frame,
                            const struct exception_level *levels, int depth)
    __attribute__((noreturn));

/* Forget the exceptions being served: for paths that leave a handler by
 * klongjmp (expected faults in tests, abandoned tests). */
void exception_nesting_reset(void);

/* How many exceptions are being served now (0 in a thread outside every
 * handler): tests check that a handler that never returns forgot its level. */
int exception_nesting_depth(void);

/* A hook that prints what the page tables hold for ADDR (lab 3 sets it); it
 * may fault, which the nesting report survives. */
typedef void exception_describe_addr_fn(vaddr_t addr);
void exception_set_describe_hook(exception_describe_addr_fn *hook);

/* Called by isr.asm for every exception (and by tests for any vector):
 * routes FRAME by its vector. */
void intr_dispatch(struct intr_frame *frame);

/* Called by isr.asm's IRQ stubs, without intr_dispatch's routing: FRAME's
 * vector is an IRQ's (INTR_IRQ_BASE..+15). Interrupts off. */
void irq_dispatch(struct intr_frame *frame);

/* True while an external interrupt (IRQ) handler is running. */
bool intr_in_irq(void);

/* Number of spurious IRQ 7 / IRQ 15 interrupts ignored so far. */
unsigned long intr_spurious_count(void);

/* Build the IDT and load it. Boot only, interrupts off. */
void idt_init(void);

/* True if the CPU's IDT register holds the kernel's table (base and limit);
 * *BASE and *LIMIT get what it holds. Any context. */
bool idt_loaded(uint32_t *base, uint16_t *limit);

/* Where the kernel's IDT is (whether loaded or not). Any context. */
uint32_t idt_address(void);

/* Mark the gate of VECTOR present or not (tests use it to provoke a double
 * fault). Interrupts off while a gate is missing. */
void idt_set_present(int vector, bool present);

/* Name of exception VECTOR ("#PF Page Fault"), or "unknown". */
const char *exception_name(uint32_t vector);

/* Report an unhandled exception: name, error code, CR2, EIP with symbol and
 * registers. If a test is running, the test fails and the runner continues;
 * otherwise the kernel panics. Does not return. */
void exception_unhandled(struct intr_frame *frame) __attribute__((noreturn));

/* Write exception F's one-line report (vector, name, error code, CR2 for a
 * page fault, EIP with its symbol) into BUF (SIZE bytes, NUL-terminated).
 * CR2 is the value read on entry. Any context. */
void exception_describe(char *buf, size_t size, const struct intr_frame *f,
                        uint32_t cr2);

/* Stop with a report naming lab 1's step 6: exception F came back from
 * exception_dispatch() neither handled nor reported. Fails the running test
 * (the runner continues) or panics. Does not return. */
void exception_not_dispatched(struct intr_frame *f) __attribute__((noreturn));

/* Print the register dump of FRAME (used by exception reports). */
void intr_frame_dump(const struct intr_frame *frame);

#endif
