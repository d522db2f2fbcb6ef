/* proc_kfault.c: a kernel fault in a process's thread (a bug in a system call) ends that process, as killed by the fault's vector. */
#include <stddef.h>

#include "common/kprintf.h"
#include "lab1-boot/intr.h"
#include "lab4-threads/thread_fault.h"
#include "proc.h"
#include "proc_kfault.h"

static unsigned long kills;

unsigned long proc_kfault_kills(void)
{
    return kills;
}

/* Lab 4's abort hook: T (running, interrupts off) faulted in ring 0 and lab
 * 4 has printed its report. If T runs a process, end the process the way
 * exit does, with the fault's vector as the kill reason; proc_exit ends T
 * too. A fault inside proc_exit itself (after it cleared T's owner) finds
 * no process here and lab 4 just ends the thread. */
static void proc_kfault_abort(struct thread *t)
{
    struct process *p = t->owner;
    if (p == NULL)
        return; /* a kernel thread: lab 4 ends it */
    kills++;
    kprintf("lab7: process %d (%s) ended: kernel fault in its thread (exception %lu %s)\n",
            p->pid, p->name, (unsigned long)t->fault_vector, exception_name(t->fault_vector));
    proc_exit(ABI_STATUS_KILLED((int)t->fault_vector));
}

void proc_kfault_init(void)
{
    thread_fault_set_abort_hook(proc_kfault_abort);
}
