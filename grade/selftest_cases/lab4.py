"""lab4.py: broken threads and FIFO schedulers the lab 4 grader must catch."""
from protocol import FAIL, PANIC

THREAD = "lab4-threads/thread.c"
QUEUE = "lab4-threads/ready_queue.h"
SWITCH = "lab4-threads/switch.asm"
SWITCH_C = "lab4-threads/thread_switch.h"
SCHED = "lab4-threads/scheduler.c"


def cases(Case):
    return [
        # The classic: a dying thread frees its own stack (the zombie is freed
        # while it still runs on it). The switch away then pushes onto unmapped
        # memory: a double fault that names no guard page, reported as the
        # running test's failure before the kernel stops.
        Case("lab4-zombie-freed-while-running", "threads_exception_ends_thread", FAIL,
             [(THREAD, "    thread_note_end(cur, end);\n    cur->state = THREAD_ZOMBIE;\n",
               "    thread_note_end(cur, end);\n    cur->state = THREAD_ZOMBIE;\n"
               "    thread_stack_free(cur->stack_region); /* broken: we run on it */\n")],
             lab="lab4", others=False),
        # Zombies are never freed: every thread's stack and control block leak.
        Case("lab4-zombie-never-freed", "zombie_freed_after_switch", FAIL,
             [(SWITCH_C, "    if (prev->state == THREAD_ZOMBIE)\n        thread_destroy(prev);",
               "    if (prev->state == THREAD_ZOMBIE && 0)\n        thread_destroy(prev);")],
             lab="lab4", others=False),
        # The ready queue is a stack: ping-pong no longer passes the CPU round.
        Case("lab4-ready-queue-lifo", "sched_pingpong_order", FAIL,
             [(QUEUE, "    list_push_back(&q->list, e);\n    q->count++;",
               "    list_push_front(&q->list, e);\n    q->count++;")],
             only=["sched_pingpong_order"], lab="lab4", others=False, timeout_scale=0.2),  # yielders hang: short timeouts
        # New threads start with interrupts as their creator left them (off
        # when it switched from inside a critical section).
        Case("lab4-thread-starts-interrupts-off", "threads_start_interrupts_on", FAIL,
             [(THREAD, "    intr_enable();\n    struct thread *self = thread_current();",
               "    struct thread *self = thread_current();")],
             lab="lab4", others=False),
        # thread_switch and the first frame leave ebx out (consistently, so
        # new threads still start): a thread gets back whatever ebx the thread
        # before it had. Only the register canaries see it.
        Case("lab4-switch-forgets-ebx", "threads_switch_preserves_registers", FAIL,
             [(SWITCH, "    push ebp                    ; callee-saved registers on CUR's stack\n"
                       "    push ebx\n", "    push ebp\n"),
              (SWITCH, "    pop ebx\n    pop ebp\n", "    pop ebp\n"),
              (THREAD, "    *--sp = 0;                        /* ebx */\n", "")],
             lab="lab4", others=False),
        # The yield gives the caller's interrupt level back before the switch,
        # not after it: the switch runs with interrupts on. Lab 4 has no
        # preemption, so nothing breaks yet; only thread_first_run's check
        # of the switch (given code) sees it, at the first new thread.
        Case("lab4-yield-switches-interrupts-on", "threads_return_reaches_exit", PANIC,
             [(SCHED, "    thread_switch_to(next != NULL ? next : cur);\n    intr_set_level(old);\n",
               "    intr_set_level(old);\n    thread_switch_to(next != NULL ? next : cur);\n")],
             lab="lab4", others=False),
        # thread_switch_to makes NEXT the running thread after the switch:
        # a new thread starts with thread_current() still naming the old one.
        Case("lab4-running-set-after-switch", "threads_return_reaches_exit", PANIC,
             [(SWITCH_C, "    thread_running = next;\n    thread_switch_done(thread_switch(cur, next));",
               "    thread_switch_done(thread_switch(cur, next));\n    thread_running = cur;")],
             lab="lab4", others=False),
        # A thread that ends hands the CPU to the idle thread although others
        # are ready (idle then yields to them: the order survives).
        Case("lab4-exit-runs-idle", "sched_next_after_exit_block_yield", FAIL,
             [(THREAD, "    cur->state = THREAD_ZOMBIE;\n    thread_switch_to(thread_next_to_run());",
               "    cur->state = THREAD_ZOMBIE;\n    thread_switch_to(thread_idle_thread);")],
             lab="lab4", others=False),
        # The first frame's ebp word is not 0: backtraces from a thread walk
        # into garbage.
        Case("lab4-first-frame-ebp-garbage", "threads_first_frame_ends_chain", FAIL,
             [(THREAD, "    *--sp = 0;                        /* ebp */",
               "    *--sp = 0x57AC57AC;               /* ebp */")],
             lab="lab4", others=False),
    ]
