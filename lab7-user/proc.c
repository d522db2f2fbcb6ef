/* proc.c: the process table, spawn (ELF from the image), fork, exit, wait, kill, sleep. */
#include <stddef.h>

#include "common/debug.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/kstring.h"
#include "elf.h"
#include "lab1-boot/pit.h"
#include "lab3-paging/page_table.h"
#include "lab4-threads/scheduler.h"
#include "proc.h"
#include "proc_kfault.h"
#include "uimage.h"

#define SLEEP_SLICE_MS 10 /* a sleeper checks for kill() this often */

static struct process table[PROC_MAX];
static int next_pid = 1;
static unsigned long created;
static struct thread *kernel_waiter; /* a kernel thread blocked in proc_wait */

struct process *proc_current(void)
{
    return thread_current()->owner;
}

struct process *proc_by_pid(int pid)
{
    for (int i = 0; i < PROC_MAX; i++)
        if (table[i].state != PROC_FREE && table[i].pid == pid)
            return &table[i];
    return NULL;
}

unsigned proc_count(void)
{
    unsigned n = 0;
    enum intr_level old = intr_disable();
    for (int i = 0; i < PROC_MAX; i++)
        n += table[i].state != PROC_FREE;
    intr_set_level(old);
    return n;
}

unsigned long proc_created(void)
{
    return created;
}

/* A free slot, taken (state ALIVE, new pid), or NULL. Interrupts off. */
static struct process *slot_take(int ppid, const char *name)
{
    for (int i = 0; i < PROC_MAX; i++) {
        struct process *p = &table[i];
        if (p->state != PROC_FREE)
            continue;
        memset(p, 0, sizeof *p);
        p->state = PROC_ALIVE;
        p->pid = next_pid++;
        p->ppid = ppid;
        strlcpy(p->name, name, sizeof p->name);
        created++;
        return p;
    }
    return NULL;
}

static void slot_free(struct process *p)
{
    memset(p, 0, sizeof *p);
    p->state = PROC_FREE;
}

/* The first process, which adopts orphans: the live process with the lowest
 * pid whose parent is the kernel (pid 1, init, in the running system), other
 * than EXCEPT; NULL if none. Interrupts off. */
static __attribute__((unused)) struct process *proc_first(const struct process *except)
{
    struct process *first = NULL;
    for (int i = 0; i < PROC_MAX; i++) {
        struct process *q = &table[i];
        if (q->state == PROC_ALIVE && q->ppid == 0 && q != except &&
            (first == NULL || q->pid < first->pid))
            first = q;
    }
    return first;
}

/* Wake whoever waits for the children of PPID. Interrupts off. */
static __attribute__((unused)) void wake_parent(int ppid)
{
    struct thread **w = &kernel_waiter;
    if (ppid != 0) {
        struct process *parent = proc_by_pid(ppid);
        if (parent == NULL || parent->state != PROC_ALIVE)
            return;
        w = &parent->waiter;
    }
    if (*w != NULL) {
        struct thread *t = *w;
        *w = NULL;
        scheduler_resume(t);
    }
}

/* The body of a process's thread: enter ring 3 with P's start registers. */
static void proc_thread_main(void *arg)
{
    struct process *p = arg;
    struct thread *t = thread_current();
    intr_disable(); /* kill() sees ENTERED and the frame together */
    if (p->kill_reason != 0)
        proc_exit(ABI_STATUS_KILLED(p->kill_reason));
    p->entered = true;
    uvm_activate(&p->us);
    ring3_set_kernel_stack(t->stack_top);
    ring3_enter(&p->start, t->stack_top);
}

/* Give P (taken, address space built) its thread and start it: 0 or -E_NOMEM. */
static int start_thread(struct process *p)
{
    struct thread *t = thread_create_named(p->name, proc_thread_main, p, PROC_KSTACK);
    if (t == NULL)
        return -E_NOMEM;
    t->owner = p;
    p->thread = t;
    scheduler_add(t);
    return 0;
}

/* Undo a half-made process P. */
static void abandon(struct process *p)
{
    uvm_destroy(&p->us);
    enum intr_level old = intr_disable();
    slot_free(p);
    intr_set_level(old);
}

/* Load IMG's segments from FILE into US: 0 or -E_NOMEM. */
static int load_segments(struct uspace *us, const uint8_t *file, const struct elf_image *img)
{
    for (unsigned s = 0; s < img->n_segments; s++) {
        const struct elf_segment *seg = &img->seg[s];
        uint32_t lo = seg->vaddr & ~PAGE_MASK, hi = seg->vaddr + seg->memsz;
        for (uint32_t va = lo; va < hi; va += PAGE_SIZE)
            if (!pte_present(uvm_pte(us, va)) && uvm_map_zero(us, va, seg->writable) != 0)
                return -E_NOMEM;
        if (uvm_write(us, seg->vaddr, file + seg->offset, seg->filesz) != 0)
            return -E_NOMEM;
    }
    return 0;
}

/* Map the first stack page of US and push ARGV's strings, the argv array
 * and argc the way crt0.asm expects; *SP gets the user stack pointer. */
static int push_args(struct uspace *us, int argc, char *const argv[], uint32_t *sp_out)
{
    uint32_t uargv[ABI_ARGV_MAX + 1];
    for (uint32_t va = USTACK_TOP - USTACK_INITIAL_PAGES * PAGE_SIZE; va < USTACK_TOP;
         va += PAGE_SIZE)
        if (uvm_map_zero(us, va, true) != 0)
            return -E_NOMEM;
    uint32_t sp = USTACK_TOP;
    /* LAB 7: TODO the strings (top down), then, 4-byte aligned, argv[argc] =
     * NULL, the argv pointers and argc: [sp] = argc, [sp+4] = argv[0] */
    /* LAB 7: BEGIN SOLUTION full */
    for (int i = argc - 1; i >= 0; i--) {
        uint32_t len = (uint32_t)strlen(argv[i]) + 1;
        sp -= len;
        uvm_write(us, sp, argv[i], len);
        uargv[i] = sp;
    }
    uargv[argc] = 0;
    sp &= ~3u;
    sp -= (uint32_t)(argc + 1) * 4;
    uvm_write(us, sp, uargv, (uint32_t)(argc + 1) * 4);
    sp -= 4;
    uint32_t n = (uint32_t)argc;
    uvm_write(us, sp, &n, sizeof n);
    /* LAB 7: END SOLUTION */
    (void)uargv, (void)argc, (void)argv;
    *sp_out = sp;
    return 0;
}

int proc_spawn(const char *path, int argc, char *const argv[])
{
    const void *file;
    uint32_t size;
    struct elf_image img;
    const char *why = "";
    uint32_t sp = 0;

    if (argc < 0 || argc > ABI_ARGV_MAX)
        return -E_2BIG;
    if (uimage_find(path, &file, &size) != 0)
        return -E_NOENT;
    if (elf_parse(file, size, USER_LO, USER_HI, &img, &why) != 0) {
        kprintf("lab7: spawn %s: not a program: %s\n", path, why);
        return -E_NOEXEC;
    }
    struct process *cur = proc_current();
    enum intr_level old = intr_disable();
    struct process *p = slot_take(cur != NULL ? cur->pid : 0, path);
    intr_set_level(old);
    if (p == NULL)
        return -E_AGAIN;
    if (uvm_create(&p->us) != 0) {
        abandon(p);
        return -E_NOMEM;
    }
    if (load_segments(&p->us, file, &img) != 0 || push_args(&p->us, argc, argv, &sp) != 0) {
        abandon(p);
        return -E_NOMEM;
    }
    /* LAB 7: TODO the registers the thread enters ring 3 with: the entry
     * point, the user stack, user code and data selectors, interrupts on */
    /* LAB 7: BEGIN SOLUTION */
    p->start.f.eip = img.entry;
    p->start.f.cs = USER_CS;
    p->start.f.eflags = EFLAGS_IF | EFLAGS_RESERVED;
    p->start.user_esp = sp;
    p->start.user_ss = USER_DS;
    p->start.f.ds = p->start.f.es = p->start.f.fs = p->start.f.gs = USER_DS;
    /* LAB 7: END SOLUTION */
    int pid = p->pid;
    if (start_thread(p) != 0) {
        abandon(p);
        return -E_NOMEM;
    }
    return pid;
}

int proc_fork(const struct trap_frame *tf)
{
    struct process *parent = proc_current();
    KASSERT(parent != NULL);
    enum intr_level old = intr_disable();
    struct process *c = slot_take(parent->pid, parent->name);
    intr_set_level(old);
    if (c == NULL)
        return -E_AGAIN;
    if (uvm_create(&c->us) != 0 || uvm_copy(&c->us, &parent->us) != 0) {
        abandon(c);
        return -E_NOMEM;
    }
    /* LAB 7: TODO the child returns from the same system call, with 0 */
    /* LAB 7: BEGIN SOLUTION */
    c->start = *tf;
    c->start.f.eax = 0;
    /* LAB 7: END SOLUTION */
    (void)tf;
    int pid = c->pid;
    if (start_thread(c) != 0) {
        abandon(c);
        return -E_NOMEM;
    }
    return pid;
}

void proc_exit(int status)
{
    struct process *p = proc_current();
    KASSERT(p != NULL);
    intr_disable(); /* for good: this thread ends below */
    thread_current()->owner = NULL;
    p->thread = NULL;
    p->waiter = NULL;
    uvm_activate(NULL);
    uvm_destroy(&p->us);
    /* LAB 7: TODO hand P's children to pid 1 (if it lives and is not P),
     * else to the kernel, which reaps them itself; make P a zombie with
     * STATUS, and wake its parent (a zombie the kernel adopted is freed now) */
    /* LAB 7: BEGIN SOLUTION */
    struct process *init = proc_first(p);
    for (int i = 0; i < PROC_MAX; i++) {
        struct process *q = &table[i];
        if (q->state == PROC_FREE || q == p || q->ppid != p->pid)
            continue;
        if (init != NULL) {
            q->ppid = init->pid;
            if (q->state == PROC_ZOMBIE)
                wake_parent(init->pid);
        } else {
            q->ppid = 0;
            q->autoreap = true;
            if (q->state == PROC_ZOMBIE)
                slot_free(q);
        }
    }
    p->status = status;
    p->state = PROC_ZOMBIE;
    if (p->autoreap)
        slot_free(p);
    else
        wake_parent(p->ppid);
    /* LAB 7: END SOLUTION */
    (void)status;
    thread_exit();
}

int proc_wait(int pid, int *status)
{
    struct process *self = proc_current();
    int me = self != NULL ? self->pid : 0;
    enum intr_level old = intr_disable();
    for (;;) {
        bool any = false;
        struct process *z = NULL;
        for (int i = 0; i < PROC_MAX && z == NULL; i++) {
            struct process *q = &table[i];
            if (q->state == PROC_FREE || q->ppid != me || q->autoreap ||
                (pid != -1 && q->pid != pid))
                continue;
            any = true;
            if (q->state == PROC_ZOMBIE)
                z = q;
        }
        if (!any) {
            intr_set_level(old);
            return -E_CHILD;
        }
        /* LAB 7: TODO reap Z: report its pid and status, free its slot */
        /* LAB 7: BEGIN SOLUTION */
        if (z != NULL) {
            int zpid = z->pid;
            *status = z->status;
            slot_free(z);
            intr_set_level(old);
            return zpid;
        }
        /* LAB 7: END SOLUTION */
        (void)status;
        if (self != NULL && self->kill_reason != 0) {
            intr_set_level(old);
            return -E_CHILD; /* killed: the system call's exit ends it */
        }
        if (self != NULL)
            self->waiter = thread_current();
        else
            kernel_waiter = thread_current();
        scheduler_block();
    }
}

int proc_kill(int pid)
{
    enum intr_level old = intr_disable();
    struct process *p = proc_by_pid(pid);
    if (p == NULL || p->state != PROC_ALIVE) {
        intr_set_level(old);
        return -E_SRCH;
    }
    if (p == proc_current())
        proc_exit(ABI_STATUS_KILLED(ABI_KILLED_BY_KILL));
    p->kill_reason = ABI_KILLED_BY_KILL;
    if (p->waiter != NULL) {
        struct thread *t = p->waiter;
        p->waiter = NULL;
        scheduler_resume(t);
    }
    /* If it runs in ring 3 it makes no system call to notice: its next
     * instruction in ring 3 is a kernel address, whose fault ends it
     * (ufault.c); a system call in progress notices first (proc_check_kill). */
    if (p->entered) {
        struct trap_frame *tf = (struct trap_frame *)(p->thread->stack_top - sizeof *tf);
        tf->f.eip = USER_HI;
    }
    intr_set_level(old);
    return 0;
}

void proc_sleep(uint32_t ms)
{
    struct process *p = proc_current();
    uint32_t hz = pit_hz() != 0 ? pit_hz() : PIT_DEFAULT_HZ;
    while (ms > 0 && (p == NULL || p->kill_reason == 0)) {
        uint32_t slice = ms < SLEEP_SLICE_MS ? ms : SLEEP_SLICE_MS;
        uint32_t ticks = (slice * hz + 999) / 1000; /* slice <= 10 ms: no overflow */
        scheduler_sleep(ticks != 0 ? ticks : 1);
        ms -= slice;
    }
}

void proc_check_kill(void)
{
    struct process *p = proc_current();
    if (p != NULL && p->kill_reason != 0)
        proc_exit(ABI_STATUS_KILLED(p->kill_reason));
}

/* The live process with the lowest pid above AFTER, or NULL. Interrupts off. */
static struct process *next_by_pid(int after)
{
    struct process *best = NULL;
    for (int i = 0; i < PROC_MAX; i++) {
        struct process *q = &table[i];
        if (q->state != PROC_FREE && q->pid > after && (best == NULL || q->pid < best->pid))
            best = q;
    }
    return best;
}

int proc_info(int index, struct abi_procinfo *out)
{
    enum intr_level old = intr_disable();
    struct process *q = next_by_pid(0);
    for (int n = 0; q != NULL && n < index; n++)
        q = next_by_pid(q->pid);
    if (q != NULL && index >= 0) {
        memset(out, 0, sizeof *out);
        out->pid = q->pid;
        out->ppid = q->ppid;
        out->pages = q->us.pages;
        strlcpy(out->name, q->name, sizeof out->name);
        if (q->state == PROC_ZOMBIE)
            out->state = ABI_PROC_ZOMBIE;
        else if (q->thread == thread_current())
            out->state = ABI_PROC_RUNNING;
        else if (q->thread != NULL && q->thread->state == THREAD_BLOCKED)
            out->state = ABI_PROC_BLOCKED;
        else
            out->state = ABI_PROC_READY;
        intr_set_level(old);
        return 0;
    }
    intr_set_level(old);
    return -E_SRCH;
}

/* Lab 4's switch hook: NEXT's address space, and its kernel stack for ring
 * 3's interrupts. Interrupts off. */
static void proc_switch_hook(struct thread *next)
{
    struct process *p = next->owner;
    /* LAB 7: TODO load NEXT's process's address space (a kernel thread: the
     * kernel's) and make NEXT's stack top the TSS's ring-0 stack */
    /* LAB 7: BEGIN SOLUTION */
    uvm_activate(p != NULL ? &p->us : NULL);
    ring3_set_kernel_stack(next->stack_top);
    /* LAB 7: END SOLUTION */
    (void)p;
}

void proc_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    enum intr_level old = intr_disable();
    ring3_init();
    uvm_setup();
    ring3_set_kernel_stack(thread_current()->stack_top);
    thread_set_switch_hook(proc_switch_hook);
    proc_kfault_init();
    intr_set_level(old);
}
