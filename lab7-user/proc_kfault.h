/* proc_kfault.h: a kernel fault in a process's thread (a bug in a system call) ends that process, as killed by the fault's vector. */
#ifndef LAB7_PROC_KFAULT_H
#define LAB7_PROC_KFAULT_H

/* Register with lab 4's thread-fault path (thread_fault_set_abort_hook):
 * when lab 4 ends a thread after a fatal exception or a stack overflow in
 * ring 0, and that thread runs a process, the process ends with wait status
 * ABI_STATUS_KILLED(vector) (a stack overflow: the double fault, vector 8),
 * exactly as kill() or a ring-3 fault ends it: its memory is freed, its
 * children are adopted, its parent's wait returns. proc_init, once. */
void proc_kfault_init(void);

/* Processes ended by a kernel fault in their thread so far. */
unsigned long proc_kfault_kills(void);

#endif
