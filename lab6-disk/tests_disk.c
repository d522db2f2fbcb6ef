/* tests_disk.c: lab 6 tests of the disk interface: drives found, reads, writes in each mode, bad input, the boot disk. */
#include <stddef.h>

#include "common/kprintf.h"
#include "common/kstring.h"
#include "disk_layout.h"
#include "disk_pattern.h"
#include "disk_sched.h"
#include "lab1-boot/cmdline.h"
#include "lab1-boot/kernel.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread.h"
#include "tests_disk_util.h"

#define BOOT_DISK_BLOCKS 3024u /* tools/mkimage.py, DISK_SECTORS */
#define BOOT_CMDLINE_LBA 1u
#define BOOT_KERNEL_LBA 8u
#define BOOT_KERNEL_CHECKED 16u /* blocks of the kernel's .text compared with memory */

/* Both drives found by IDENTIFY (step 1), on one channel. The mode is
 * whatever an earlier test of the boot left: only its agreement with the
 * channel's interrupt enable (nIEN set unless IRQ-driven) is checked, then
 * the boot's mode, nonblocking, is set again and checked the same way. */
static void check_mode_matches_nien(const struct disk_channel *ch, const char *when)
{
    enum disk_mode m = disk_get_mode();
    bool nien = (ch->ata.device_control & ATA_DC_NIEN) != 0;
    if ((unsigned)m >= DISK_MODE_COUNT || nien != (m != DISK_MODE_NONBLOCKING))
        KT_FAIL("%s: mode %s but the drive's interrupt is %s (device control 0x%02x): only "
                "nonblocking mode enables it (nIEN clear)", when, disk_mode_name(m),
                nien ? "disabled" : "enabled", ch->ata.device_control);
}

KTEST(disk_data_disk_present)
{
    TESTS_REQUIRE_DISK();
    tests_step(TESTS_STEP_ATA);
    struct disk *d = tests_disk();
    KT_ASSERT_EQ(disk_size(d), DISK_DATA_BLOCKS);
    KT_ASSERT_EQ(d->drive, ATA_SLAVE);
    KT_ASSERT(d->model[0] != '\0');
    KT_ASSERT(disk_boot() != NULL);
    KT_ASSERT_EQ(disk_size(disk_boot()), BOOT_DISK_BLOCKS);
    KT_ASSERT_EQ(disk_boot()->drive, ATA_MASTER);
    KT_ASSERT(disk_boot()->chan == d->chan); /* one channel, shared */
    KT_ASSERT_EQ(disk_size(NULL), 0);
    KT_ASSERT(disk_sched_installed());
    check_mode_matches_nien(d->chan, "as this test found it");
    KT_ASSERT_EQ(disk_set_mode(DISK_MODE_NONBLOCKING), DISK_OK);
    KT_ASSERT_EQ(disk_get_mode(), DISK_MODE_NONBLOCKING);
    check_mode_matches_nien(d->chan, "after disk_set_mode(DISK_MODE_NONBLOCKING)");
}

/* Read a few blocks of the read-only region in MODE, from this thread. */
static void read_initial_blocks(enum disk_mode mode)
{
    static const uint32_t blocks[] = {0, 1, 2, 255, 256, 511, 777, 1023, 63, 64};
    uint8_t buf[DISK_BLOCK_SIZE], want[DISK_BLOCK_SIZE];

    tests_mode(mode);
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        memset(buf, 0xCC, sizeof buf);
        KT_ASSERT_EQ(disk_read(tests_disk(), blocks[i], buf), DISK_OK);
        disk_pattern_initial(want, blocks[i]);
        if (memcmp(buf, want, sizeof buf) != 0)
            KT_FAIL("%s mode: block %lu does not hold its initial contents (read \"%.24s\")",
                    disk_mode_name(mode), (unsigned long)blocks[i], (const char *)buf);
    }
}

KTEST(disk_read_initial_blocks)
{
    TESTS_REQUIRE_DISK();
    read_initial_blocks(DISK_MODE_SIMPLE);
    read_initial_blocks(DISK_MODE_BLOCKING);
    read_initial_blocks(DISK_MODE_NONBLOCKING);
}

KTEST(disk_read_boot_disk)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    TESTS_REQUIRE_DISK();
    struct disk *b = disk_boot();
    KT_ASSERT(b != NULL);
    tests_mode(DISK_MODE_NONBLOCKING);
    KT_ASSERT_EQ(disk_read(b, 0, buf), DISK_OK);
    KT_ASSERT_EQ_HEX(buf[510], 0x55);
    KT_ASSERT_EQ_HEX(buf[511], 0xAA);
    KT_ASSERT_EQ(disk_read(b, BOOT_CMDLINE_LBA, buf), DISK_OK);
    buf[DISK_BLOCK_SIZE - 1] = '\0';
    KT_ASSERT_STR_EQ((const char *)buf, cmdline_text());
    for (uint32_t i = 0; i < BOOT_KERNEL_CHECKED; i++) {
        KT_ASSERT_EQ(disk_read(b, BOOT_KERNEL_LBA + i, buf), DISK_OK);
        if (memcmp(buf, __kernel_start + i * DISK_BLOCK_SIZE, DISK_BLOCK_SIZE) != 0)
            KT_FAIL("boot disk block %lu differs from the kernel loaded at %p",
                    (unsigned long)(BOOT_KERNEL_LBA + i),
                    (void *)(__kernel_start + i * DISK_BLOCK_SIZE));
    }
}

/* Two disk threads and a compute thread write 16 blocks in MODE, then read
 * them back crosswise (each checks the other's); IRQ14 only in nonblocking. */
static void write_read_in_mode(enum disk_mode mode)
{
    struct disk_job job;
    uint32_t first = DISK_MODES_FIRST + (uint32_t)mode * DISK_MODES_PER_MODE;

    TESTS_REQUIRE_DISK();
    tests_mode(mode);
    tests_job_init(&job, DISK_JOB_WRITE, 1, 2, DISK_MODES_PER_MODE / 2, first,
                   DISK_STREAM_MODES + (uint32_t)mode);
    tests_job_run_ok(&job, "write");
    unsigned long irqs = job.irqs, done = job.irq_completions;
    job.op = DISK_JOB_READ_VERIFY;
    job.rotate = 1;
    tests_job_run_ok(&job, "read back");
    irqs += job.irqs;
    done += job.irq_completions;
    if (mode == DISK_MODE_NONBLOCKING) {
        KT_ASSERT_EQ(done, 2 * DISK_MODES_PER_MODE);
        KT_ASSERT_EQ(irqs, 2 * DISK_MODES_PER_MODE);
    } else {
        KT_ASSERT_EQ(irqs, 0); /* nIEN: a polling driver gets no interrupts */
    }
}

KTEST(disk_simple_write_read)
{
    write_read_in_mode(DISK_MODE_SIMPLE);
}

KTEST(disk_blocking_write_read)
{
    write_read_in_mode(DISK_MODE_BLOCKING);
}

KTEST(disk_nonblocking_write_read)
{
    write_read_in_mode(DISK_MODE_NONBLOCKING);
}

/* Bad requests are refused before the drive sees them. */
static void bad_input_in_mode(enum disk_mode mode)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    struct disk *d = tests_disk();
    struct disk_channel *ch = tests_channel();

    tests_mode(mode);
    unsigned long submitted = ch->queue.submitted, irqs = ch->stats.irqs;
    unsigned long rejected = d->stats.rejected;
    KT_ASSERT_EQ(disk_read(d, DISK_DATA_BLOCKS, buf), DISK_ERR_RANGE);
    KT_ASSERT_EQ(disk_write(d, DISK_DATA_BLOCKS, buf), DISK_ERR_RANGE);
    KT_ASSERT_EQ(disk_read(d, DISK_DATA_BLOCKS + 12345, buf), DISK_ERR_RANGE);
    KT_ASSERT_EQ(disk_read(d, 0xFFFFFFFFu, buf), DISK_ERR_RANGE);
    KT_ASSERT_EQ(disk_write(d, 1u << 28, buf), DISK_ERR_RANGE);
    KT_ASSERT_EQ(disk_read(d, 5, NULL), DISK_ERR_NULL_BUF);
    KT_ASSERT_EQ(disk_write(d, 5, NULL), DISK_ERR_NULL_BUF);
    KT_ASSERT_EQ(disk_read(NULL, 5, buf), DISK_ERR_NO_DRIVE);
    KT_ASSERT_EQ(disk_write(NULL, 5, buf), DISK_ERR_NO_DRIVE);
    KT_ASSERT_EQ(d->stats.rejected - rejected, 7);
    KT_ASSERT_EQ(ch->queue.submitted, submitted); /* the drive never saw them */
    KT_ASSERT_EQ(ch->stats.irqs, irqs);
    /* And the disk still works (a transfer: the mode's step). */
    tests_step(TESTS_STEP_MODE);
    KT_ASSERT_EQ(disk_read(d, DISK_DATA_BLOCKS - 1, buf), DISK_OK);
    tests_step(TESTS_STEP_CHECKS);
}

KTEST(disk_bad_input)
{
    TESTS_REQUIRE_DISK();
    tests_step(TESTS_STEP_CHECKS);
    bad_input_in_mode(DISK_MODE_SIMPLE);
    bad_input_in_mode(DISK_MODE_BLOCKING);
    bad_input_in_mode(DISK_MODE_NONBLOCKING);
    KT_ASSERT(strcmp(disk_strerror(DISK_ERR_RANGE), "block out of range") == 0);
}

KTEST(disk_last_block)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    uint32_t last = DISK_DATA_BLOCKS - 1;
    TESTS_REQUIRE_DISK();
    tests_mode(DISK_MODE_NONBLOCKING);
    disk_pattern_fill(buf, disk_pattern_seed(), DISK_STREAM_SCRATCH, last);
    KT_ASSERT_EQ(disk_write(tests_disk(), last, buf), DISK_OK);
    memset(buf, 0, sizeof buf);
    KT_ASSERT_EQ(disk_read(tests_disk(), last, buf), DISK_OK);
    KT_ASSERT(disk_pattern_check(buf, disk_pattern_seed(), DISK_STREAM_SCRATCH, last));
}

/* A mode switch waits for the requests in front, while disk threads keep
 * going: every request succeeds, whichever mode it ran in. */
static void mode_switcher(void *arg)
{
    volatile int *stop = arg;
    for (int i = 0; !*stop; i++)
        disk_set_mode((enum disk_mode)(i % DISK_MODE_COUNT));
    *stop = 2;
}

KTEST(disk_mode_switch_under_load)
{
    struct disk_job job;
    volatile int stop = 0;
    TESTS_REQUIRE_DISK();
    tests_mode(DISK_MODE_NONBLOCKING);
    KT_ASSERT(thread_spawn("mode-switch", mode_switcher, (void *)&stop) != NULL);
    tests_job_init(&job, DISK_JOB_READ_INITIAL, 1, 3, 20, DISK_RO_FIRST + 300, 0);
    disk_job_run(&job);
    stop = 1;
    while (stop != 2)
        scheduler_sleep(1);
    tests_mode(DISK_MODE_NONBLOCKING);
    disk_job_print("switching modes", &job);
    KT_ASSERT_EQ(job.errors, 0);
    KT_ASSERT_EQ(job.mismatches, 0);
    KT_ASSERT_EQ(job.requests, 60);
}
