/* tests_scan.h: the concurrent workload lab 6's elevator challenge test and benchmark share. */
#ifndef LAB6_TESTS_SCAN_H
#define LAB6_TESTS_SCAN_H

#include "disk_queue.h"
#include "disk_workload.h"

#define SCAN_JOB_THREADS    8   /* disk threads, one request each in the queue at a time */
#define SCAN_JOB_PER_THREAD 16  /* scattered reads of the read-only region per thread */

/* With the queue in ORDER, nonblocking mode, the head first at block 0: 8
 * threads read 16 scattered blocks each (checked); with HOLD, every
 * interrupt is held until the other threads' requests are queued (the same
 * full queue at every choice, however fast the drive: the test), else the
 * drive sets the pace (the benchmark: Bochs charges seeks by distance). JOB
 * says what happened (head_movement, reversals). The order is FIFO again
 * afterwards. Fails the test (or benchmark) if a request fails. Thread
 * context. */
void scan_movement_job(struct disk_job *job, enum disk_order order, bool hold);

#endif
