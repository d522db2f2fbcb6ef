/* thread.h: kernel threads: control blocks, guarded stacks, create/exit, direct dispatch. */
#ifndef LAB4_THREAD_H
#define LAB4_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/list.h"
#include "common/mmu.h"

/*
 * A thread is a struct thread (from kmalloc) plus a stack (a guarded region
 * of the thread-stack VM pool, thread_stack.c). While a thread does not run,
 * everything the CPU needs to continue it is on its own stack, and
 * saved_esp points there (switch.asm draws the layout).
 *
 * The kernel's boot context (kernel_main, the test runner, the monitor) is
 * thread 0, "main", on the boot stack of lab1-boot/entry.asm; scheduler_init()
 * adopts it. It and the idle thread never end.
 *
 * Life of a thread:
 *
 *   thread_create -> NEW --scheduler_add--> READY <--yield/preempt-- RUNNING
 *                                             |  --pick_next-->        |
 *                         BLOCKED <--scheduler_block/dispatch_to-------+
 *                            |--scheduler_resume--> READY              |
 *                                                     thread_exit --> ZOMBIE
 *   A ZOMBIE's stack and control block are freed by the next thread to run,
 *   right after the switch away from it (thread_switch_done).
 *
 * Locking: every field marked "scheduler" is read and written with
 * interrupts off; a thread's own fields (name, stack bounds) are written only
 * before it first runs.
 */

#define THREAD_MAGIC 0x54485244u          /* "THRD" while the control block is live */
#define THREAD_NAME_MAX 16                /* bytes, NUL included */
#define THREAD_STACK_DEFAULT (8u * 1024u) /* thread_create(..., 0) */
#define THREAD_STACK_MAX (1024u * 1024u)
#define THREAD_BOOT_ID 0

enum thread_state {
    THREAD_NEW,     /* created, never made ready */
    THREAD_READY,   /* in the policy's ready structure */
    THREAD_RUNNING, /* on the CPU: exactly one thread at any time */
    THREAD_BLOCKED, /* waiting for scheduler_resume or thread_dispatch_to */
    THREAD_ZOMBIE,  /* ended; freed by the next thread to run */
};

/* How a thread ended (kept in a short log: thread_end_of). */
enum thread_end {
    THREAD_END_NONE,           /* still alive, or unknown */
    THREAD_END_RETURNED,       /* its function returned */
    THREAD_END_EXITED,         /* it called thread_exit() */
    THREAD_END_TERMINATED,     /* another thread called scheduler_terminate() on it */
    THREAD_END_STACK_OVERFLOW, /* it ran into its guard page (thread_fault.c) */
    THREAD_END_EXCEPTION,      /* a CPU exception nobody handled (thread_fault.c) */
};

typedef void thread_fn(void *arg);

struct thread {
    /* switch.asm and thread_fault's stub use the next two at fixed offsets. */
    uint32_t saved_esp;   /* while not running: top of its saved context (thread_switch) */
    vaddr_t stack_top;    /* one past the stack's highest byte; fixed at creation */
    vaddr_t stack_base;   /* lowest usable stack byte (just above the guard page) */
    vaddr_t stack_region; /* start of the stack pool region (the guard page); 0 for main */
    int id;               /* unique, never reused; 0 = main */
    char name[THREAD_NAME_MAX];
    enum thread_state state; /* scheduler */
    uint8_t ready_cause;  /* scheduler: why it last left the CPU READY: ST_STATE_YIELDED
                           * or ST_STATE_PREEMPTED (common/sched_trace.h), for the
                           * switch's trace event */
    thread_fn *fn;        /* body and its argument (thread_first_run) */
    void *arg;
    struct list_elem sched_elem; /* scheduler: ready structure, sleep list, or a wait queue */
    struct list_elem all_elem;   /* scheduler: the all-threads list, until it becomes a zombie */
    unsigned long cpu_ticks;     /* scheduler: timer ticks that found it running */
    unsigned long dispatches;    /* scheduler: times it was switched to */
    uint32_t wake_tick;          /* scheduler: scheduler_sleep deadline */
    uintptr_t policy_data;       /* the policy's own per-thread word (lab 6: priority) */
    enum thread_end end;         /* why it ended (set when it becomes a zombie) */
    uint32_t fault_vector, fault_addr, fault_eip; /* thread_fault.c: what killed it */
    void *owner;                 /* lab 7: the process this thread runs (NULL: a kernel thread) */
    uint32_t magic;              /* THREAD_MAGIC while live */
};

/* ---- Creating and ending threads ------------------------------------- */

/* A NEW thread that will run FN(ARG) on a stack of STACK_SIZE bytes (0:
 * THREAD_STACK_DEFAULT; rounded up to pages; at most THREAD_STACK_MAX) with
 * an unmapped guard page below it. The stack is touched (filled with a
 * pattern) now, so it never takes a demand fault while in use. It does not
 * run until scheduler_add() or thread_dispatch_to(). When FN returns, the
 * thread ends as if it called thread_exit(). FN starts with interrupts ON.
 * Returns NULL (message printed) if memory runs out, the scheduler is not
 * initialised, or the lab 4 code is missing. Thread context, any interrupt
 * level; does not yield. */
struct thread *thread_create(thread_fn *fn, void *arg, size_t stack_size);

/* thread_create() with a NAME (truncated to THREAD_NAME_MAX - 1 chars). */
struct thread *thread_create_named(const char *name, thread_fn *fn, void *arg,
                                   size_t stack_size);

/* thread_create_named() with the default stack, then scheduler_add(). NULL
 * on failure. Thread context; does not yield. (Defined in scheduler.c, like
 * thread_dispatch_to and thread_wait: they need the ready queue.) */
struct thread *thread_spawn(const char *name, thread_fn *fn, void *arg);

/* End the running thread: it becomes a zombie and the next thread runs; its
 * stack and control block are freed right after that switch. Not for main
 * or idle (KASSERT). Thread context, any interrupt level; never returns. */
void thread_exit(void) __attribute__((noreturn));

/* ---- Running ------------------------------------------------------------ */

/* Hand the CPU straight to T, bypassing the ready queue (the course's first
 * step, before a scheduler exists). T must be NEW, READY (it is taken out of
 * the ready structure) or BLOCKED, and not the caller. The caller becomes
 * BLOCKED: it runs again only when someone dispatches to it or calls
 * scheduler_resume() on it. Thread context, any interrupt level (the caller's
 * own level is back when it runs again). (scheduler.c) */
void thread_dispatch_to(struct thread *t);

/* The running thread, for switch.asm (same as thread_current()). */
extern struct thread *thread_running;

/* Thread 0, the boot context (what runs before thread_init). */
struct thread *thread_boot(void);

/* The running thread (main before scheduler_init: thread_running starts as
 * thread 0). Any context. Inline: it is on every switch path. */
static inline struct thread *thread_current(void)
{
    return thread_running;
}

/* T's id, name, and a state as text ("READY"). */
int thread_id(const struct thread *t);
const char *thread_name(const struct thread *t);
const char *thread_state_name(enum thread_state s);
const char *thread_end_name(enum thread_end e);

/* Timer ticks T has run so far. A volatile read: the timer interrupt
 * updates it behind the compiler's back (a loop that polls t->cpu_ticks
 * directly may be compiled into one read). Any context. */
static inline unsigned long thread_cpu_ticks(const struct thread *t)
{
    return *(const volatile unsigned long *)&t->cpu_ticks;
}

/* Rename T (truncated). Any context. */
void thread_set_name(struct thread *t, const char *name);

/* ---- Looking at threads --------------------------------------------- */

/* True while the thread with id ID exists and has not ended. Any context. */
bool thread_alive(int id);

/* Yield until the thread with id ID has ended (returns at once if it has).
 * A cooperative join: the other thread must eventually end. Thread context,
 * interrupts on or off. (scheduler.c) */
void thread_wait(int id);

/* How the thread with id ID ended, from a log of the last 32 endings;
 * THREAD_END_NONE if it is alive or too old. Any context. */
enum thread_end thread_end_of(int id);

/* Live threads (main and idle included), and how many were created. */
unsigned long thread_count(void);
unsigned long thread_created_total(void);

/* One thread as the monitor shows it. */
struct thread_info {
    int id;
    char name[THREAD_NAME_MAX];
    enum thread_state state;
    size_t stack_size, stack_used; /* stack_used: high-water mark in bytes */
    unsigned long cpu_ticks, dispatches;
};

/* Copy up to MAX live threads into OUT (a snapshot taken with interrupts
 * off); returns how many. Thread context. */
size_t thread_snapshot(struct thread_info *out, size_t max);

/* ---- For the scheduler, switch.asm and thread_fault.c ------------------- */

/*
 * The path of a thread lives here, in thread.c, plus switch.asm: create (the
 * first frame), first run, the switch, exit and the zombie hand-off. The
 * scheduler (scheduler.c) calls down into it and never the other way round;
 * thread_fault.c calls only thread_exit_with(). To know who runs next when a
 * thread stops, thread.c asks the installed policy (sched_policy.h) and
 * falls back on the idle thread, both handed to it by the scheduler.
 */

/* Make the boot context thread 0 "main" and set up the stack pool. Called
 * by scheduler_init() (boot, once). Returns false if the stack pool could not
 * be created (threads then cannot be made). */
bool thread_init(void);

/* The all-threads list (interrupts off to walk it; thread_list.c). */
struct list *thread_all_list(void);

/* Take T out of the all-threads list and log how it ended (END). T becomes
 * a zombie after this. Interrupts off (thread_list.c). */
void thread_note_end(struct thread *t, enum thread_end end);

/* Free T's stack and control block and count it (thread_reaped_count). T
 * must be a zombie or a thread that never ran, and not be running (it must
 * not be the stack we are on). Interrupts off. */
void thread_destroy(struct thread *t);

/* Set the running thread. Interrupts off. */
void thread_set_current(struct thread *t);

/* The policy thread_next_to_run() asks (scheduler_init/scheduler_set_policy
 * install it), interrupts off; and the installed one. */
struct sched_policy;
void thread_set_policy(const struct sched_policy *policy);
extern const struct sched_policy *thread_run_policy; /* thread.c; read it here */
static inline const struct sched_policy *thread_policy(void)
{
    return thread_run_policy;
}

/* The idle thread (a NEW thread, made READY here but never queued), or NULL
 * if there is none; scheduler_init sets it once. */
void thread_set_idle(struct thread *idle);
extern struct thread *thread_idle_thread; /* thread.c; read it here */
static inline struct thread *thread_idle(void)
{
    return thread_idle_thread;
}

/* The thread to run when the running one stops: the policy's pick_next(),
 * else the idle thread. Interrupts off. */
struct thread *thread_next_to_run(void);

/* thread_switch_to(next) and thread_switch_done(prev), the C half of a
 * switch, are inline in thread_switch.h (for the scheduler and thread.c). */

/* A hook called at the end of every switch (thread_switch_done), in the
 * thread now running (NEXT), interrupts off, after the zombie hand-off: lab 7
 * loads NEXT's address space and points the TSS's kernel stack at NEXT's.
 * NULL removes it; a second, different hook panics. Boot only. */
typedef void thread_switch_hook_fn(struct thread *next);
void thread_set_switch_hook(thread_switch_hook_fn *hook);

/* End the running thread with reason END (thread_exit, a returning thread
 * function, a fatal fault): it becomes a zombie and the next thread runs.
 * Not main or idle. Any interrupt level; never returns. */
void thread_exit_with(enum thread_end end) __attribute__((noreturn));

/* Switch stacks: save callee-saved registers and ESP into CUR, load NEXT's
 * and return on NEXT's stack. Returns, in the thread now running, the
 * thread that ran before it. Interrupts off (switch.asm). regparm(2): CUR
 * is passed in eax and NEXT in edx, not on the stack (ignored by the 64-bit
 * host compiler, which never calls it). */
struct thread *thread_switch(struct thread *cur, struct thread *next)
    __attribute__((regparm(2)));

/* First C code of a new thread, called by switch.asm's thread_start with
 * the thread that ran before. Finishes the switch, enables interrupts, runs
 * fn(arg), then ends the thread. */
void thread_first_run(struct thread *prev) __attribute__((noreturn));

/* Where switch.asm's thread_start lands while it is not written yet: a
 * panic naming the step. */
void thread_start_missing(void) __attribute__((noreturn));

/* Bytes of T's stack that were ever used (pattern scan). Any context. */
size_t thread_stack_used(const struct thread *t);

#endif
