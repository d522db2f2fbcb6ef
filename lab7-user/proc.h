/* proc.h: processes: the table, spawn, fork, exit, wait, kill, and the thread that runs each one in ring 3. */
#ifndef LAB7_PROC_H
#define LAB7_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include "lab4-threads/thread.h"
#include "syscall_abi.h"
#include "trap.h"
#include "uvm.h"

/*
 * Life of a process:
 *
 *   spawn/fork --> ALIVE (its thread runs in ring 3, enters the kernel on
 *                  system calls, interrupts and faults)
 *      exit(status), a fatal fault, kill() --> its memory is freed at once,
 *                  its thread ends, its children go to pid 1 --> ZOMBIE
 *      the parent's wait() --> FREE (the slot and pid are given back)
 *
 * The parent of a process the kernel spawned (tests, lab7 main.c) is the
 * kernel, pid 0: a kernel thread waits for it with proc_wait(). A process
 * whose parent ends is adopted by the first process: the live one with the
 * lowest pid whose parent is the kernel (pid 1, init, in the running
 * system); if there is none, by the kernel, which reaps it itself when it
 * ends (nobody else would).
 *
 * Locking: the table is read and written with interrupts off (one CPU).
 */

enum proc_state { PROC_FREE, PROC_ALIVE, PROC_ZOMBIE };

struct process {
    int pid, ppid;
    enum proc_state state;
    char name[ABI_PROC_NAME];
    int status;                  /* ZOMBIE: what wait() reports */
    struct uspace us;            /* ALIVE: its address space */
    struct thread *thread;       /* ALIVE: the thread that runs it */
    struct thread *waiter;       /* its thread while blocked in wait(), else NULL */
    int kill_reason;             /* non-zero: end it with this reason at the next chance */
    bool entered;                /* its thread has entered ring 3 */
    bool autoreap;               /* adopted by the kernel: freed when it ends */
    struct trap_frame start;     /* the registers its thread first enters ring 3 with */
    unsigned long syscalls;      /* system calls made */
};

/* ring 3, the switch hook, the shared kernel tables, the fault handlers.
 * lab7_setup, once. */
void proc_init(void);

/* The running process (NULL in a kernel thread). Any context. */
struct process *proc_current(void);

/* The live (ALIVE or ZOMBIE) process with pid PID, or NULL. Interrupts off. */
struct process *proc_by_pid(int pid);

/* Start program PATH (a name in the image) with ARGC kernel strings ARGV
 * (argv[0] first) as a child of the running process (the kernel: pid 0):
 * its pid, or -E_NOENT, -E_NOEXEC, -E_2BIG, -E_AGAIN, -E_NOMEM. Thread
 * context. */
int proc_spawn(const char *path, int argc, char *const argv[]);

/* A copy of the running process whose thread returns to ring 3 with TF's
 * registers and eax 0: the child's pid, or -E_AGAIN, -E_NOMEM. */
int proc_fork(const struct trap_frame *tf);

/* End the running process with wait status STATUS (ABI_STATUS_*). Never
 * returns. */
void proc_exit(int status) __attribute__((noreturn));

/* Wait for the child PID (-1: any) of the running process (the kernel's
 * children in a kernel thread) to end: its pid with *STATUS set, or
 * -E_CHILD (no such child). Blocks. */
int proc_wait(int pid, int *status);

/* Ask process PID to end with ABI_KILLED_BY_KILL: 0 or -E_SRCH. The running
 * process ends at once. */
int proc_kill(int pid);

/* Sleep MS milliseconds (woken early if killed). */
void proc_sleep(uint32_t ms);

/* End the running process now if someone asked (kill). System-call exit. */
void proc_check_kill(void);

/* The INDEX-th live process (in pid order) into *OUT: 0, or -E_SRCH past the end. */
int proc_info(int index, struct abi_procinfo *out);

/* Live processes (ALIVE or ZOMBIE), and how many were ever created. */
unsigned proc_count(void);
unsigned long proc_created(void);

/* Report the process ending: "lab7: process PID (NAME) ..." (ufault.c). */
void proc_report_fault(struct process *p, const struct intr_frame *f, uint32_t cr2,
                       int reason);

#endif
