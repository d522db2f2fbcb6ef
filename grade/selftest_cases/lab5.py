"""lab5.py: broken round-robin schedulers the lab 5 grader must catch."""
from protocol import FAIL, PANIC, TIMEOUT

RR = "lab5-rr/rr_policy.c"
SCHED = "lab4-threads/scheduler.c"
INTR = "lab1-boot/intr.c"
QUEUE = "lab5-rr/rr_queue.c"
RACE = "lab5-rr/rr_race.c"
TICK = ("    if (!rr_quantum_tick(&slice))\n        return false;\n    stats.expiries++;\n"
        "    rr_quantum_reset(&slice);\n    if (rr_queue_size() == 0) {\n"
        "        stats.renewals++;\n        return false;\n    }\n")
ACK = ("    if (pic_in_service(RR_TIMER_IRQ)) {\n        pic_send_eoi(RR_TIMER_IRQ);\n"
       "        stats.late_eois++;\n    }\n")


def cases(Case):
    return [
        # A voluntary yield hands the next thread only what is left of the
        # yielder's slice.
        Case("lab5-no-quantum-reset-on-yield", "rr_yield_resets_quantum", FAIL,
             [(RR, "    stats.yields++;\n    rr_quantum_reset(&slice);\n",
               "    stats.yields++;\n")],
             lab="lab5", others=False),
        # Round robin asks for a preemption without making sure the timer's
        # EOI is out: the test holds IRQ 0 in service at a slice's end.
        Case("lab5-no-timer-ack", "rr_eoi_before_switch", FAIL,
             [(RR, ACK, "")], lab="lab5", others=False),
        # The timer's EOI goes out after the handler returns and round robin
        # does not send it before the switch either: a handler that switched
        # threads leaves IRQ 0 in service while the next thread runs (no more
        # ticks until the preempted thread gets the CPU back).
        Case("lab5-eoi-after-switch", "rr_eoi_before_switch", (FAIL, TIMEOUT),
             [(INTR, "    pic_send_eoi(irq);\n    irq_depth++;\n    if (irq_handlers[irq])\n"
                     "        irq_handlers[irq](frame);\n    irq_depth--;\n",
               "    irq_depth++;\n    if (irq_handlers[irq])\n        irq_handlers[irq](frame);\n"
               "    irq_depth--;\n    pic_send_eoi(irq);\n"),
              (RR, ACK, "")],
             only=["rr_eoi_before_switch"], lab="lab5", others=False, timeout_scale=0.2),  # later tests hang: short timeouts
        # A new thread is enqueued with interrupts on: the timer could preempt
        # in the middle of the list surgery. The scheduler's interrupts-off
        # assertion stops the kernel at the first such enqueue.
        Case("lab5-enqueue-unprotected", "rr_eoi_before_switch", PANIC,
             [(SCHED, "void scheduler_add(struct thread *t)\n{\n"
                      "    enum intr_level old = intr_disable();",
               "void scheduler_add(struct thread *t)\n{\n"
               "    enum intr_level old = intr_get_level();")],
             lab="lab5", others=False),
        # The timer expires slices but never preempts: threads that do not
        # yield keep the CPU.
        # Spinners that are never preempted run their whole 1000-tick budget
        # one after another: on a quiet host the test reports FAIL, on a busy
        # one the grader's wall-clock timeout may come first. Both lose the points.
        Case("lab5-expiry-without-preemption", "rr_cpu_bound_progress", (FAIL, TIMEOUT),
             [(RR, "    preempt = true;\n    /* LAB 5: END SOLUTION */",
               "    /* LAB 5: END SOLUTION */")],
             only=["rr_cpu_bound_progress"], lab="lab5", others=False, timeout_scale=0.5),
        # The slice is counted one tick too long: a quantum of N ticks
        # preempts at the (N+1)th. Only the tick-by-tick observer sees it.
        Case("lab5-preempt-one-tick-late", "rr_slice_exact_ticks", FAIL,
             [(RR, TICK, "    if (slice.left > 0) {\n        slice.left--;\n        return false;\n"
                         "    }\n    stats.expiries++;\n    rr_quantum_reset(&slice);\n"
                         "    if (rr_queue_size() == 0) {\n        stats.renewals++;\n"
                         "        return false;\n    }\n")],
             lab="lab5", others=False),
        # A thread alone keeps its used-up slice: when another one becomes
        # ready it is preempted at once instead of at the end of a new slice.
        Case("lab5-no-renewal-when-alone", "rr_slice_exact_ticks", FAIL,
             [(RR, TICK, "    if (!rr_quantum_tick(&slice))\n        return false;\n"
                         "    stats.expiries++;\n    if (rr_queue_size() == 0) {\n"
                         "        stats.renewals++;\n        return false;\n    }\n"
                         "    rr_quantum_reset(&slice);\n")],
             lab="lab5", others=False),
        # Every expiry asks for a preemption, even with nobody else ready.
        Case("lab5-preempt-with-nobody-ready", "rr_slice_exact_ticks", FAIL,
             [(RR, TICK, "    if (!rr_quantum_tick(&slice))\n        return false;\n"
                         "    stats.expiries++;\n    rr_quantum_reset(&slice);\n")],
             lab="lab5", others=False),
        # The student's own frame-pool guard ends with intr_enable(): a pool
        # call inside a critical section turns interrupts back on.
        Case("lab5-guard-enables-interrupts", "rr_frame_guard_nests", FAIL,
             [(RR, "/* Make the frame pools safe under preemption. */\n",
               "static int cli_guard(void)\n{\n    intr_disable();\n    return 0;\n}\n\n"
               "static void sti_guard(int saved)\n{\n    (void)saved;\n    intr_enable();\n}\n\n"
               "/* Make the frame pools safe under preemption. */\n"),
              (RR, "    cfp_set_guard(rr_guard_enter, rr_guard_leave);\n",
               "    cfp_set_guard(cli_guard, sti_guard);\n")],
             lab="lab5", others=False),
        # The queue's push touches the list with the caller's interrupt level:
        # fine from the scheduler (interrupts off), a race from the monitor.
        Case("lab5-queue-push-unprotected", "rr_ready_queue_nests", FAIL,
             [(QUEUE, "    enum intr_level old = intr_disable();\n"
                      "    ready_queue_push(rr_queue_locked(), &t->sched_elem);\n"
                      "    intr_set_level(old);\n",
               "    ready_queue_push(rr_queue_locked(), &t->sched_elem);\n")],
             lab="lab5", others=False),
        # The guard is written but never installed: the pools run unguarded.
        Case("lab5-guard-not-installed", "rr_frame_guard_nests", FAIL,
             [(RR, "    cfp_set_guard(rr_guard_enter, rr_guard_leave);\n", "")],
             lab="lab5", others=False),
        # The protected counter's read-dawdle-write without the critical
        # section: preemptions between the read and the write lose updates.
        Case("lab5-race-unprotected", "rr_counter_race", FAIL,
             [(RACE, "        enum intr_level old = intr_disable();\n"
                     "        unsigned long v = r->protected_count;\n        dawdle();\n"
                     "        r->protected_count = v + 1;\n        intr_set_level(old);\n",
               "        unsigned long v = r->protected_count;\n        dawdle();\n"
                     "        r->protected_count = v + 1;\n")],
             lab="lab5", others=False, only=["rr_counter_race"]),
    ]
