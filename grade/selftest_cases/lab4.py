"""lab4.py: broken threads and FIFO schedulers the lab 4 grader must catch."""
from protocol import FAIL

SCHED = "lab4-threads/scheduler.c"
THREAD = "lab4-threads/thread.c"
QUEUE = "lab4-threads/ready_queue.c"


def cases(Case):
    return [
        # The classic: a dying thread frees its own stack (the zombie is freed
        # while it still runs on it). The switch away then pushes onto unmapped
        # memory: a double fault that names no guard page, reported as the
        # running test's failure before the kernel stops.
        Case("lab4-zombie-freed-while-running", "threads_exception_ends_thread", FAIL,
             [(SCHED, '#include "thread_fault.h"\n',
               '#include "thread_fault.h"\n#include "thread_stack.h"\n'),
              (SCHED, "    thread_note_end(cur, end);\n    cur->state = THREAD_ZOMBIE;\n",
               "    thread_note_end(cur, end);\n    cur->state = THREAD_ZOMBIE;\n"
               "    thread_stack_free(cur->stack_region); /* broken: we run on it */\n")],
             lab="lab4", others=False),
        # Zombies are never freed: every thread's stack and control block leak.
        Case("lab4-zombie-never-freed", "zombie_freed_after_switch", FAIL,
             [(SCHED, "    if (prev->state == THREAD_ZOMBIE) {\n        thread_destroy(prev);",
               "    if (prev->state == THREAD_ZOMBIE && 0) {\n        thread_destroy(prev);")],
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
    ]
