/* syscall_abi.h: the system-call ABI, shared by the kernel (lab7-user/) and the
 * user library (user/lib/). One header, so the two sides cannot disagree.
 *
 * A user program enters the kernel with `int 0x80` (SYSCALL_VECTOR, a DPL 3
 * trap gate). The call number is in eax; arguments, in order, in ebx, ecx,
 * edx, esi, edi; the result comes back in eax. A result >= 0 is success; a
 * negative result is -E_xxx below. Every other register is preserved.
 *
 * Freestanding: no includes, so the host tools and tests can use it too.
 */
#ifndef SYSCALL_ABI_H
#define SYSCALL_ABI_H

#define SYSCALL_VECTOR 0x80

/* Call numbers. Arguments as in the user library's prototypes (user/lib/). */
#define SYS_EXIT     1  /* exit(int status): never returns */
#define SYS_FORK     2  /* fork(void): child pid in the parent, 0 in the child */
#define SYS_SPAWN    3  /* spawn(const char *path, char *const argv[]): pid */
#define SYS_WAIT     4  /* wait(int pid, int *status): pid reaped; pid -1 = any child */
#define SYS_GETPID   5  /* getpid(void) */
#define SYS_KILL     6  /* kill(int pid): end that process (status ABI_KILLED_BY_KILL) */
#define SYS_SLEEP    7  /* sleep(unsigned ms) */
#define SYS_YIELD    8  /* yield(void) */
#define SYS_READ     9  /* read(int fd, void *buf, unsigned len): bytes read; fd 0 = console */
#define SYS_WRITE   10  /* write(int fd, const void *buf, unsigned len): bytes written; fd 1, 2 */
#define SYS_MEM_ALLOC 11 /* mem_alloc(unsigned size): start of a new zero-filled region (pages) */
#define SYS_MEM_FREE  12 /* mem_free(void *start): release a region from mem_alloc */
#define SYS_GETPPID 13  /* getppid(void) */
#define SYS_PROCINFO 14 /* procinfo(int index, struct abi_procinfo *out): 0, or -E_SRCH past the end */
#define SYS_COUNT   15  /* one past the last call number */

/* Error codes: a failing call returns the negative of one of these. */
#define E_PERM        1  /* operation not permitted */
#define E_NOENT       2  /* no such program */
#define E_SRCH        3  /* no such process */
#define E_2BIG        7  /* argument list too long */
#define E_NOEXEC      8  /* not a valid ELF32 program for StepOS */
#define E_BADF        9  /* bad file descriptor */
#define E_CHILD      10  /* no such child (or no children to wait for) */
#define E_AGAIN      11  /* resource temporarily unavailable (process table full) */
#define E_NOMEM      12  /* out of memory */
#define E_FAULT      14  /* bad user address: NULL, kernel, unmapped, or unterminated */
#define E_INVAL      22  /* invalid argument */
#define E_NAMETOOLONG 36 /* a path or string longer than the kernel accepts */
#define E_NOSYS      38  /* no such system call */

/* Limits the kernel enforces on system-call arguments. */
#define ABI_PATH_MAX   64   /* bytes of a program name, NUL included */
#define ABI_ARGV_MAX   16   /* arguments passed to spawn, argv[0] included */
#define ABI_ARG_MAX    128  /* bytes of one argument, NUL included */
#define ABI_IO_MAX     4096 /* bytes one read/write call moves at most */

/* The status wait() stores: a normal exit keeps the low 8 bits of exit()'s
 * argument; a process the kernel ended has bit 8 set and the reason above it
 * (an exception vector 0-31, or one of ABI_KILLED_*). */
#define ABI_STATUS_EXITED(code)   ((code) & 0xFF)
#define ABI_STATUS_KILLED(reason) (0x100 | ((reason) << 9))
#define ABI_WIFEXITED(s)          (((s) & 0x100) == 0)
#define ABI_WEXITSTATUS(s)        ((s) & 0xFF)
#define ABI_WKILLREASON(s)        ((unsigned)(s) >> 9)
#define ABI_KILLED_BY_KILL 32   /* kill() from another process */
#define ABI_KILLED_PRIV    33   /* a privileged instruction (#GP in user mode) */
#define ABI_KILLED_MEMORY  34   /* an access outside its own memory (#PF) */
#define ABI_KILLED_STACK   35   /* its stack grew past the limit */

/* What SYS_PROCINFO reports about one process. */
#define ABI_PROC_NAME 32
struct abi_procinfo {
    int pid;
    int ppid;
    int state;                   /* ABI_PROC_* */
    unsigned pages;              /* user pages mapped now */
    char name[ABI_PROC_NAME];    /* the program's name, NUL-terminated */
};
#define ABI_PROC_RUNNING 1
#define ABI_PROC_READY   2
#define ABI_PROC_BLOCKED 3
#define ABI_PROC_ZOMBIE  4

#endif
