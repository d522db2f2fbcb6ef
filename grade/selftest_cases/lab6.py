"""lab6.py: broken disk drivers and schedulers the lab 6 grader must catch."""
from protocol import FAIL, TIMEOUT

ATA = "lab6-disk/ata.c"
DISK = "lab6-disk/disk.c"
QUEUE = "lab6-disk/disk_queue.c"
SCHED = "lab6-disk/disk_sched.c"
NB = "lab6-disk/nonblocking_disk.c"
CHANNEL = "lab6-disk/disk_channel.c"

# Broken ways for the top half of nonblocking_disk.c to wait for its interrupt.
BUSY_INCLUDE = (NB, '#include "nonblocking_disk.h"\n',
                '#include "nonblocking_disk.h"\n#include "lab4-threads/scheduler.h"\n')
WAIT_LINE = "    err = disk_channel_wait(ch, r);\n"
DONE = "*(volatile enum disk_req_state *)&r->state != DISK_REQ_DONE"
YIELD_LOOP = "    while (%s)\n        scheduler_yield();\n    err = r->result;\n" % DONE
POLL_LOOP = ("    while (%s) {\n        (void)ata_alt_status(ata);\n        scheduler_yield();\n"
             "    }\n    err = r->result;\n" % DONE)
TIMER_LOOP = "    while (%s)\n        scheduler_sleep(1);\n    err = r->result;\n" % DONE


def cases(Case):
    return [
        # Nobody wakes a thread sleeping on the disk: its request finishes
        # (the watchdog cannot help: nothing is in flight) but it sleeps on.
        # (Forgetting to acknowledge the interrupt by reading the status
        # register is not on this list: QEMU and Bochs, like the ATA spec,
        # also drop INTRQ when the next command is written, so it goes
        # unnoticed there; see lab6-disk/README.md.)
        Case("lab6-waiter-not-woken", "disk_master_slave_serialised", TIMEOUT,
             [(CHANNEL, "        disk_sched_wake(t);\n", "")],
             only=["disk_master_slave_serialised"], lab="lab6", others=False, timeout_scale=0.3),
        # The dual-queue rule wakes the newest pending request's thread, not
        # the oldest's: that thread is not at the head, goes back to sleep, and
        # the head's thread sleeps forever on a free disk. Every test that
        # sets a mode checks the rule on a small queue of its own first (step
        # 2), so it fails at once instead of timing out.
        Case("lab6-wakes-wrong-thread", "disk_master_slave_serialised", FAIL,
             [(QUEUE, "        struct disk_request *head = disk_queue_next(q);\n",
               "        struct disk_request *head = LIST_ENTRY(list_back(&q->pending),\n"
               "                                               struct disk_request, elem);\n")],
             only=["disk_master_slave_serialised"], lab="lab6", others=False, timeout_scale=0.3),
        # No range check: a block past the end reaches the drive.
        Case("lab6-no-range-check", "disk_bad_input", FAIL,
             [(DISK, "    if (block >= disk->n_blocks)\n        return DISK_ERR_RANGE;\n", "")],
             lab="lab6", others=False),
        # ERR in the status register is ignored: a failed command "succeeds".
        Case("lab6-ignores-err", "disk_drive_error_past_end", FAIL,
             [(ATA, "    if (status & ATA_SR_FAILED) {\n        ch->last_error",
               "    if (0) {\n        ch->last_error")],
             lab="lab6", others=False),
        # Threads the disk wakes join the round-robin queue like everybody
        # else: each finished request waits behind the compute threads. The
        # test holds IRQ14 until the waiter sleeps, so this shows on QEMU as
        # on Bochs, whatever the host's load.
        Case("lab6-no-io-priority", "disk_priority_for_io_threads", FAIL,
             [(SCHED, "    if (installed)\n        disk_policy_boost(t);\n", "")],
             lab="lab6", others=False, only=["disk_priority_for_io_threads"]),
        Case("lab6-no-io-priority-bochs", "disk_priority_for_io_threads", FAIL,
             [(SCHED, "    if (installed)\n        disk_policy_boost(t);\n", "")],
             lab="lab6", emulator="bochs", others=False, only=["disk_priority_for_io_threads"]),
        # The bottom half wakes the thread but forgets the interrupt-triggered
        # yield: the interrupted thread goes on (until its quantum ends).
        Case("lab6-irq-no-forced-yield", "disk_priority_for_io_threads", FAIL,
             [(NB, "    if (woke)\n        disk_sched_preempt();\n", "")],
             lab="lab6", others=False, only=["disk_priority_for_io_threads"]),
        # The bottom half moves the data but never finishes the request, so
        # nobody wakes its thread: the watchdog fails each request after a
        # second, and the test runs out of time.
        Case("lab6-irq-no-wake", "disk_nonblocking_write_read", TIMEOUT,
             [(NB, "        woke = disk_channel_finish_locked(ch, r, err);\n",
               "        (void)err;\n")],
             lab="lab6", others=False, only=["disk_nonblocking_write_read"],
             timeout_scale=0.3),
        # The non-blocking driver waits for its interrupt by yielding in a
        # loop instead of sleeping: the CPU never idles while the disk works.
        Case("lab6-busy-wait-nonblocking", "disk_idle_halts_while_waiting", FAIL,
             [BUSY_INCLUDE, (NB, WAIT_LINE, YIELD_LOOP)],
             lab="lab6", others=False, only=["disk_idle_halts_while_waiting"]),
        Case("lab6-busy-wait-nonblocking-bochs", "disk_idle_halts_while_waiting", FAIL,
             [BUSY_INCLUDE, (NB, WAIT_LINE, YIELD_LOOP)],
             lab="lab6", emulator="bochs", others=False, only=["disk_idle_halts_while_waiting"]),
        # The same thread reads the (alternate) status register in its loop:
        # thousands of reads while one request is outstanding.
        Case("lab6-polls-status-while-waiting", "disk_compute_progress_during_io", FAIL,
             [BUSY_INCLUDE, (NB, WAIT_LINE, POLL_LOOP)],
             lab="lab6", others=False, only=["disk_compute_progress_during_io"]),
        # It sleeps a tick at a time on the timer instead of in the disk
        # queue: not busy, but woken by the clock, not by its interrupt.
        Case("lab6-sleeps-on-timer", "disk_idle_halts_while_waiting", FAIL,
             [BUSY_INCLUDE, (NB, WAIT_LINE, TIMER_LOOP)],
             lab="lab6", others=False, only=["disk_idle_halts_while_waiting"]),
        # The ATA protocol (tests_ata_protocol.c): the driver trusts the
        # status right after its command, without the 400 ns delay: the test
        # drive answers a stale ERR there (emulators answer at once, so no
        # other test sees it).
        Case("lab6-no-delay-after-command", "disk_ata_polled_register_sequence", FAIL,
             [(ATA, "    ata_command(ch, write ? ATA_CMD_WRITE_SECTORS : ATA_CMD_READ_SECTORS);\n"
                    "    ata_delay_400ns(ch);\n",
               "    ata_command(ch, write ? ATA_CMD_WRITE_SECTORS : ATA_CMD_READ_SECTORS);\n")],
             only=["disk_ata_polled_register_sequence"], lab="lab6", others=False),
        # The device register without its obsolete bits 7 and 5 (0x50, not
        # 0xF0, for the slave): both emulators accept it.
        Case("lab6-device-register-bits", "disk_ata_polled_register_sequence", FAIL,
             [(ATA, "uint8_t dev = ATA_DEV_OBSOLETE | ATA_DEV_LBA |",
               "uint8_t dev = ATA_DEV_LBA |")],
             only=["disk_ata_polled_register_sequence"], lab="lab6", others=False),
        # An interrupt that finds nothing to finish is not counted.
        Case("lab6-unexpected-irq-uncounted", "disk_ata_bottom_half_accounting", FAIL,
             [(NB, "        ch->stats.irq_unexpected++;\n", "")],
             only=["disk_ata_bottom_half_accounting"], lab="lab6", others=False),
    ]
