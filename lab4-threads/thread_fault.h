/* thread_fault.h: what happens to a thread that overflows its stack or takes a fatal exception. */
#ifndef LAB4_THREAD_FAULT_H
#define LAB4_THREAD_FAULT_H

#include <stdbool.h>

struct thread;

/*
 * A thread other than main that runs into its guard page, or takes a CPU
 * exception nobody handles (#DE, #UD, #GP, a bad page fault), is ENDED with a
 * report line, and the kernel keeps running:
 *
 *   thread: stack overflow in thread 7 (deep): fault at 0xd0001ffc, guard page 0xd0001000-0xd0001fff, eip 0x0010c2a1 (recurse+0x11); thread ended
 *   thread: exception 6 #UD Invalid Opcode in thread 8 (bad) at eip 0x...; thread ended
 *
 * How an overflow is caught. A push below stack_base touches the guard page:
 *   - if ESP itself went into the guard page (deep recursion), the CPU cannot
 *     push the page fault's frame either: that is a double fault, which runs
 *     in its own hardware task (lab1-boot/double_fault.c) with a good stack.
 *     Our hook finds the thread whose guard page holds the saved ESP and
 *     rewrites the saved EIP to thread_abort_entry (switch.asm);
 *   - if only a write went there (a big local array), it is an ordinary
 *     page fault on a good stack; lab 3's handler reports it and we redirect
 *     the return to thread_abort_entry the same way.
 * thread_abort_entry moves ESP back to the top of the thread's own stack
 * (its frames are dead) and calls thread_abort(), which prints the report
 * and ends the thread: its stack and control block are freed as for any
 * other ending thread. A later lab that gives threads more to free (lab 7's
 * processes) registers an abort hook, called just before the thread exits.
 *
 * Faults of main (the boot context: tests, monitor) keep lab 1's behaviour:
 * the running test fails, or the kernel panics.
 */

/* Install the double-fault hook, the exception handlers and the name hook
 * for page-fault reports. Called by scheduler_init(). Boot only. */
void thread_fault_init(void);

/* End the running thread T after a fatal fault recorded in T (end reason,
 * vector, address, EIP): print the report, then thread_exit_with().
 * Called by thread_abort_entry with interrupts off; never returns. */
void thread_abort(struct thread *t) __attribute__((noreturn));

/* A hook thread_abort calls for the thread T it ends, in T, interrupts off,
 * after the report line and before T exits: lab 7 ends the process T runs
 * (a kernel bug that faulted in its system call must not leave the process
 * behind). It may end T itself (it never returns then); if it returns, T
 * ends as usual. NULL removes it; a second, different hook panics. Boot only. */
typedef void thread_abort_hook_fn(struct thread *t);
void thread_fault_set_abort_hook(thread_abort_hook_fn *hook);

/* The last report line (without newline), "" if none. Any context. */
const char *thread_fault_last_report(void);

/* Threads ended by a stack overflow / by another exception so far. */
unsigned long thread_fault_overflows(void);
unsigned long thread_fault_exceptions(void);

#endif
