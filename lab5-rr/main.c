/* main.c: lab 5's kernel: lab 4's threads under preemptive round robin, with a short demo. */
#include "common/kprintf.h"
#include "lab1-boot/kernel.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread_demos.h"
#include "challenge_mlfq.h"
#include "rr.h"
#include "rr_spin.h"
#include "setup.h"

void lab_init(int demo)
{
    lab5_setup();
    challenge_mlfq_select(); /* sched=mlfq: the lab 5 challenge */
    if (!demo)
        return;
    if (scheduler_idle_thread() == NULL) {
        kprintf("lab5: threads cannot be created (lab 4 is not done?)\n");
        return;
    }
    kprintf("lab5: policy %s, quantum %lu ms (%lu ticks)\n", scheduler_policy()->name,
            rr_quantum_ms(), (unsigned long)rr_quantum_ticks());
    static struct rr_spin spin = {.n = 3, .max_ticks = 15, .verbose = true};
    if (rr_spin_start(&spin) == 3) {
        for (int k = 0; k < 3; k++)
            thread_wait(spin.ids[k]);
        kprintf("lab5: three threads that never yield shared the CPU: %lu, %lu, %lu runs\n",
                spin.runs[0], spin.runs[1], spin.runs[2]);
    }
    kprintf("lab5: try 'spawn spin 4 100', 'spawn race', 'sched', 'quantum 20', "
            "'spawn counter 5 &' then 'threads'\n");
}
