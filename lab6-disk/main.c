/* main.c: lab 6's kernel: the whole system (paging, heap, threads, round robin, disks) with a short demo. */
#include <stddef.h>

#include "common/kprintf.h"
#include "common/kstring.h"
#include "disk.h"
#include "disk_layout.h"
#include "disk_pattern.h"
#include "disk_workload.h"
#include "lab1-boot/kernel.h"
#include "lab3-paging/vm.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread.h"
#include "setup.h"

/* The demo: CPU-bound threads and disk threads at once, in the IRQ-driven
 * mode: the disk threads write, then read back and check, a few blocks of
 * the user region while the compute threads keep the CPU. */
static void lab6_demo(void)
{
    struct disk_job job;
    struct disk *d = disk_data();

    if (d == NULL || scheduler_idle_thread() == NULL)
        return;
    memset(&job, 0, sizeof job);
    job.disk = d;
    job.compute_threads = 2;
    job.disk_threads = 3;
    job.blocks_per_thread = 8;
    job.first_block = DISK_USER_FIRST;
    job.seed = disk_pattern_seed();
    job.stream = DISK_STREAM_USER;
    job.op = DISK_JOB_WRITE;
    int w = disk_job_run(&job);
    disk_job_print("lab6: demo write", &job);
    job.op = DISK_JOB_READ_VERIFY;
    job.rotate = 1;
    int r = disk_job_run(&job);
    disk_job_print("lab6: demo read-back", &job);
    kprintf("lab6: demo %s\n", (w == 0 && r == 0) ? "OK: every block read back as written"
                                                   : "FAILED (see above)");
}

void lab_init(int demo)
{
    lab6_setup();
    bool vm = vm_ready();
    if (!demo)
        return;
    kprintf("lab6: the whole system: paging %s, threads %s, policy %s, disk mode %s\n",
            vm ? "on" : "OFF", scheduler_idle_thread() != NULL ? "on" : "OFF",
            scheduler_policy()->name, disk_mode_name(disk_get_mode()));
    lab6_demo();
    kprintf("lab6: try 'disk', 'disk stats', 'disk read %u', 'disk write %u hello', "
            "'disk mode simple' then 'disk load', 'threads'\n", DISK_USER_FIRST,
            DISK_USER_FIRST);
}
