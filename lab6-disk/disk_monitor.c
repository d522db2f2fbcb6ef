/* disk_monitor.c: the monitor's `disk` command: info, read, write, stats, mode, load. */
#include <stddef.h>

#include "common/kprintf.h"
#include "common/kstring.h"
#include "disk.h"
#include "disk_channel.h"
#include "disk_layout.h"
#include "disk_sched.h"
#include "disk_trace.h"
#include "disk_workload.h"
#include "lab1-boot/monitor.h"

static bool disk_parse_block(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 0);
    if (*s == '\0' || *end != '\0') {
        kprintf("not a block number: '%s'\n", s);
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static struct disk *disk_need_data(void)
{
    struct disk *d = disk_data();
    if (d == NULL)
        kprintf("no data disk: attach build/lab6/data.img as the primary slave "
                "(make lab6 does)\n");
    return d;
}

static void disk_hexdump(const uint8_t *b)
{
    for (int row = 0; row < DISK_BLOCK_SIZE; row += 16) {
        char ascii[17];
        kprintf("  %03x:", row);
        for (int i = 0; i < 16; i++) {
            uint8_t c = b[row + i];
            kprintf(" %02x", c);
            ascii[i] = (c >= 32 && c < 127) ? (char)c : '.';
        }
        ascii[16] = '\0';
        kprintf("  %s\n", ascii);
    }
}

static int disk_cmd_info(void)
{
    struct disk *ds[2] = {disk_boot(), disk_data()};
    struct disk_channel *ch = disk_primary_channel();
    if (ch == NULL) {
        kprintf("disks not initialised\n");
        return 1;
    }
    kprintf("primary channel: mode %s (%s), policy %s\n", disk_mode_name(ch->mode),
            disk_ops_for(ch->mode)->name,
            disk_sched_installed() ? "disk-priority over round robin" : "not installed");
    for (int i = 0; i < 2; i++)
        if (ds[i] != NULL)
            kprintf("  %-4s %-6s \"%s\", %lu blocks\n", ds[i]->name,
                    ds[i]->drive == ATA_MASTER ? "master" : "slave", ds[i]->model,
                    (unsigned long)ds[i]->n_blocks);
    if (disk_data() == NULL)
        kprintf("  no data disk (primary slave)\n");
    return 0;
}

static int disk_cmd_read(const char *arg)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    uint32_t block;
    struct disk *d = disk_need_data();
    if (d == NULL || !disk_parse_block(arg, &block))
        return 1;
    int err = disk_read(d, block, buf);
    if (err != DISK_OK) {
        kprintf("disk read %lu: %s (%d)\n", (unsigned long)block, disk_strerror(err), err);
        return 1;
    }
    kprintf("block %lu of the data disk:\n", (unsigned long)block);
    disk_hexdump(buf);
    return 0;
}

static int disk_cmd_write(const char *arg, const char *pattern)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    uint32_t block;
    size_t n = strlen(pattern);
    struct disk *d = disk_need_data();
    if (d == NULL || !disk_parse_block(arg, &block))
        return 1;
    if (n == 0) {
        kprintf("empty pattern\n");
        return 1;
    }
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)pattern[i % n];
    int err = disk_write(d, block, buf);
    if (err != DISK_OK) {
        kprintf("disk write %lu: %s (%d)\n", (unsigned long)block, disk_strerror(err), err);
        return 1;
    }
    kprintf("wrote \"%s\" x %lu to block %lu\n", pattern,
            (unsigned long)((sizeof buf + n - 1) / n), (unsigned long)block);
    return 0;
}

static void disk_print_stats(const struct disk *d)
{
    const struct disk_stats *s = &d->stats;
    unsigned long n = s->reads + s->writes;
    kprintf("  %s disk: %lu requests (%lu reads, %lu writes), %lu failed, %lu rejected; "
            "wait avg %lu us, max %lu us; back on the CPU %lu us after the disk, avg\n",
            d->name, n, s->reads, s->writes, s->errors, s->rejected,
            n ? (unsigned long)(s->wait_us_total / n) : 0ul, (unsigned long)s->wait_us_max,
            n ? (unsigned long)(s->resume_us_total / n) : 0ul);
}

static int disk_cmd_stats(void)
{
    struct disk_channel *ch = disk_primary_channel();
    if (ch == NULL) {
        kprintf("disks not initialised\n");
        return 1;
    }
    struct disk *ds[2] = {disk_boot(), disk_data()};
    kprintf("mode %s\n", disk_mode_name(ch->mode));
    kprintf("queue order %s: head at block %lu, moved %lu blocks, %lu reversals\n",
            disk_order_name(ch->queue.order), (unsigned long)ch->queue.head_block,
            ch->queue.head_movement, ch->queue.reversals);
    for (int i = 0; i < 2; i++)
        if (ds[i] != NULL)
            disk_print_stats(ds[i]);
    const struct disk_channel_stats *c = &ch->stats;
    kprintf("  IRQ14: %lu (%lu finished a request, %lu unexpected); %lu threads woken, "
            "%lu interrupt-triggered yields, %lu timeouts, %lu resets\n", c->irqs,
            c->irq_completions, c->irq_unexpected, c->wakeups, c->forced_yields, c->timeouts,
            c->resets);
    const struct disk_trace *tr = disk_trace_get();
    kprintf("  waiting: of %lu IRQ-driven requests, %lu found their thread asleep in the "
            "disk queue, %lu saw the idle thread halt; %lu interrupts woke a thread without "
            "yielding to it\n", tr->irq_requests, tr->slept, tr->halted, tr->irq_woke_no_yield);
    const struct disk_sched_stats *p = disk_sched_stats();
    kprintf("  scheduler: %lu picks from the I/O queue, %lu from round robin\n",
            p->io_dispatches, p->cpu_dispatches);
    const struct disk_job *j = disk_job_last();
    if (j != NULL)
        kprintf("  last load: %d compute thread(s) kept %u%% of the CPU while %d disk "
                "thread(s) made %lu requests (%lu ms)\n", j->compute_threads,
                disk_job_cpu_share(j), j->disk_threads, j->requests,
                (unsigned long)(j->elapsed_us / 1000));
    else
        kprintf("  CPU share of compute threads: run 'disk load' to measure it\n");
    return 0;
}

static int disk_cmd_mode(const char *name)
{
    if (name == NULL) {
        kprintf("mode %s\n", disk_mode_name(disk_get_mode()));
        return 0;
    }
    enum disk_mode m = disk_mode_by_name(name);
    if (m == DISK_MODE_COUNT) {
        kprintf("unknown mode '%s': simple, blocking or nonblocking\n", name);
        return 1;
    }
    if (disk_set_mode(m) != DISK_OK) {
        kprintf("disks not initialised\n");
        return 1;
    }
    kprintf("mode %s (%s)\n", disk_mode_name(m), disk_ops_for(m)->name);
    return 0;
}

/* `disk sched [fifo|scan]`: the queue's order (scan: the elevator challenge). */
static int disk_cmd_sched(const char *name)
{
    if (name == NULL) {
        kprintf("order %s\n", disk_order_name(disk_get_order()));
        return 0;
    }
    enum disk_order o = disk_order_by_name(name);
    if (o == DISK_ORDER_COUNT) {
        kprintf("unknown order '%s': fifo or scan\n", name);
        return 1;
    }
    int err = disk_set_order(o);
    if (err != DISK_OK) {
        kprintf("order %s: %s\n", name, disk_strerror(err));
        return 1;
    }
    kprintf("order %s\n", disk_order_name(o));
    return 0;
}

/* A short mixed load in the current mode: 2 compute threads, 3 disk threads
 * reading 32 blocks each, every other one at the far end of the disk (a
 * seek: Bochs makes the disk take its time, as a real one would). */
static int disk_cmd_load(void)
{
    struct disk_job job;
    struct disk *d = disk_need_data();
    if (d == NULL)
        return 1;
    memset(&job, 0, sizeof job);
    job.disk = d;
    job.op = DISK_JOB_READ;
    job.seek = true;
    job.compute_threads = 2;
    job.disk_threads = 3;
    job.blocks_per_thread = 32;
    job.first_block = DISK_RO_FIRST + 100;
    int r = disk_job_run(&job);
    disk_job_print(disk_mode_name(disk_get_mode()), &job);
    return r == 0 ? 0 : 1;
}

static int cmd_disk(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "info";
    if (strcmp(sub, "info") == 0)
        return disk_cmd_info();
    if (strcmp(sub, "read") == 0 && argc == 3)
        return disk_cmd_read(argv[2]);
    if (strcmp(sub, "write") == 0 && argc == 4)
        return disk_cmd_write(argv[2], argv[3]);
    if (strcmp(sub, "stats") == 0)
        return disk_cmd_stats();
    if (strcmp(sub, "mode") == 0 && argc <= 3)
        return disk_cmd_mode(argc == 3 ? argv[2] : NULL);
    if (strcmp(sub, "load") == 0)
        return disk_cmd_load();
    if (strcmp(sub, "sched") == 0 && argc <= 3)
        return disk_cmd_sched(argc == 3 ? argv[2] : NULL);
    kprintf("usage: disk [info] | read B | write B PATTERN | stats | "
            "mode [simple|blocking|nonblocking] | load | sched [fifo|scan]\n");
    return 1;
}
MONITOR_COMMAND(disk, "SUBCOMMAND", "data disk: info, read B, write B PAT, stats, mode M, load, sched O",
                cmd_disk);
