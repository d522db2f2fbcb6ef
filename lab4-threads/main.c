/* main.c: lab 4's kernel: threads and the FIFO scheduler, with a short ping-pong demo. */
#include "common/kprintf.h"
#include "lab1-boot/kernel.h"
#include "challenge_priority.h"
#include "scheduler.h"
#include "setup.h"
#include "thread_demos.h"

void lab_init(int demo)
{
    lab4_setup();
    challenge_priority_select(); /* sched=priority: the lab 4 challenge */
    if (!demo)
        return;
    struct thread *idle = scheduler_idle_thread();
    if (idle == NULL) {
        kprintf("lab4: threads cannot be created yet (see lab4-threads/README.md); "
                "the monitor runs as thread 0\n");
        return;
    }
    kprintf("lab4: main is thread 0, the idle thread is %d, policy %s\n",
            thread_id(idle), scheduler_policy()->name);
    static struct pingpong pp = {.n_threads = 4, .bursts = {2, 2, 2, 2}};
    if (pingpong_start(&pp) == 4)
        for (int i = 0; i < 4; i++)
            thread_wait(pp.ids[i]);
    kprintf("lab4: try 'threads', 'spawn pingpong 3', 'spawn counter 3 &' then "
            "'yield 100', 'spawn overflow'\n");
}
