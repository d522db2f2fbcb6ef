/* tests_faults.c: lab 6 tests of drive errors and lost interrupts: reported to that request only, nothing hangs. */
#include <stddef.h>

#include "common/kprintf.h"
#include "common/kstring.h"
#include "disk_layout.h"
#include "disk_pattern.h"
#include "lab1-boot/cmdline.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread.h"
#include "tests_disk_util.h"

CMDLINE_NUM_KEY(disk_bad_read, "block whose reads the emulator fails (disk_injected_errors)",
                0, DISK_DATA_BLOCKS - 1);
CMDLINE_NUM_KEY(disk_bad_write, "block whose writes the emulator fails (disk_injected_errors)",
                0, DISK_DATA_BLOCKS - 1);

/* The drive itself refuses a block past its end (ERR, ABRT/IDNF) when the
 * driver's range check is bypassed: a real drive error on both emulators. */
static void past_end_in_mode(enum disk_mode mode)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    struct disk *d = tests_disk();
    struct disk_channel *ch = tests_channel();

    tests_mode(mode);
    unsigned long irqs = ch->stats.irqs, errors = d->stats.errors;
    enum intr_level old = intr_disable();
    d->n_blocks += 64; /* lie about the size: only the drive can refuse now */
    intr_set_level(old);
    int r = disk_read(d, DISK_DATA_BLOCKS + 10, buf);
    int w = disk_write(d, DISK_DATA_BLOCKS + 20, buf);
    old = intr_disable();
    d->n_blocks -= 64;
    intr_set_level(old);
    KT_ASSERT_EQ(r, DISK_ERR_DRIVE);
    KT_ASSERT_EQ(w, DISK_ERR_DRIVE);
    KT_ASSERT(ch->ata.last_error != 0);
    KT_ASSERT_EQ(d->stats.errors - errors, 2);
    if (mode != DISK_MODE_NONBLOCKING)
        KT_ASSERT_EQ(ch->stats.irqs, irqs);
    /* The next requests are served as usual. */
    KT_ASSERT_EQ(disk_read(d, 3, buf), DISK_OK);
    KT_ASSERT_EQ(disk_read(d, DISK_DATA_BLOCKS - 1, buf), DISK_OK);
}

KTEST(disk_drive_error_past_end)
{
    TESTS_REQUIRE_DISK();
    past_end_in_mode(DISK_MODE_SIMPLE);
    past_end_in_mode(DISK_MODE_BLOCKING);
    past_end_in_mode(DISK_MODE_NONBLOCKING);
}

/* An interrupt that never comes: the request fails with DISK_ERR_TIMEOUT
 * (the watchdog), the channel is reset, the next request works. */
KTEST(disk_lost_interrupt_times_out)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    TESTS_REQUIRE_DISK();
    struct disk_channel *ch = tests_channel();
    tests_mode(DISK_MODE_NONBLOCKING);
    unsigned long timeouts = ch->stats.timeouts, resets = ch->stats.resets;
    ata_set_interrupts(&ch->ata, false); /* the drive stays quiet (nIEN) */
    uint32_t t0 = disk_now_us();
    int err = disk_read(tests_disk(), 10, buf);
    uint32_t ms = (disk_now_us() - t0) / 1000;
    kprintf("disk: read with its interrupt masked returned %d (%s) after %lu ms\n", err,
            disk_strerror(err), (unsigned long)ms);
    KT_ASSERT_EQ(err, DISK_ERR_TIMEOUT);
    KT_ASSERT_EQ(ch->stats.timeouts - timeouts, 1);
    KT_ASSERT(ms >= DISK_IRQ_TIMEOUT_MS);
    KT_ASSERT_EQ(disk_read(tests_disk(), 11, buf), DISK_OK); /* reset, interrupts back */
    KT_ASSERT_EQ(ch->stats.resets - resets, 1);
    uint8_t want[DISK_BLOCK_SIZE];
    disk_pattern_initial(want, 11);
    KT_ASSERT(memcmp(buf, want, sizeof buf) == 0);
}

/* QEMU's blkdebug fails every read of block disk_bad_read= and every write
 * of block disk_bad_write= (the grader sets both up). The error reaches that
 * request only, in every mode, while another thread keeps using the disk. */
static struct bystander {
    volatile int stop;
    int errors, requests, done;
} bystander;

static void bystander_main(void *arg)
{
    uint8_t buf[DISK_BLOCK_SIZE], want[DISK_BLOCK_SIZE];
    (void)arg;
    for (uint32_t i = 0; !bystander.stop; i = (i + 1) % 64) {
        int err = disk_read(disk_data(), DISK_RO_FIRST + 900 + i, buf);
        disk_pattern_initial(want, DISK_RO_FIRST + 900 + i);
        enum intr_level old = intr_disable();
        if (err != DISK_OK || memcmp(buf, want, sizeof buf) != 0)
            bystander.errors++;
        bystander.requests++;
        intr_set_level(old);
    }
    enum intr_level old = intr_disable();
    bystander.done = 1;
    intr_set_level(old);
}

KTEST(disk_injected_errors)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    int results[DISK_MODE_COUNT][4];
    TESTS_REQUIRE_DISK();
    unsigned long r, w;
    if (!cmdline_get_number("disk_bad_read", &r) || !cmdline_get_number("disk_bad_write", &w))
        KT_FAIL("needs disk_bad_read=B disk_bad_write=B (block numbers) on the command line "
                "and an emulator that fails those blocks (the grader's QEMU blkdebug boot)");
    uint32_t bad_r = (uint32_t)r, bad_w = (uint32_t)w;
    struct disk *d = tests_disk();
    bystander.stop = bystander.errors = bystander.requests = bystander.done = 0;
    bool helper = thread_spawn("bystander", bystander_main, NULL) != NULL;
    for (int m = 0; m < DISK_MODE_COUNT; m++) {
        int *res = results[m];
        for (int before = bystander.requests; helper && bystander.requests < before + 3;)
            scheduler_sleep(1); /* the bystander is busy with the disk too */
        KT_ASSERT_EQ(disk_set_mode((enum disk_mode)m), DISK_OK);
        res[0] = disk_read(d, bad_r, buf);
        uint8_t st = d->chan->ata.last_status, er = d->chan->ata.last_error;
        disk_pattern_fill(buf, disk_pattern_seed(), DISK_STREAM_FAULT, bad_w);
        res[1] = disk_write(d, bad_w, buf);
        res[2] = disk_read(d, bad_w, buf);  /* reading the write-failing block works */
        disk_pattern_fill(buf, disk_pattern_seed(), DISK_STREAM_FAULT, bad_r);
        res[3] = disk_write(d, bad_r, buf); /* writing the read-failing block works */
        kprintf("disk: %s: read %lu -> %d (%s, status 0x%02x error 0x%02x), write %lu -> %d "
                "(%s), read %lu -> %d, write %lu -> %d\n", disk_mode_name((enum disk_mode)m),
                (unsigned long)bad_r, res[0], disk_strerror(res[0]), st, er,
                (unsigned long)bad_w, res[1], disk_strerror(res[1]), (unsigned long)bad_w,
                res[2], (unsigned long)bad_r, res[3]);
    }
    bystander.stop = 1;
    while (helper && !bystander.done)
        scheduler_sleep(1);
    disk_set_mode(DISK_MODE_NONBLOCKING);
    kprintf("disk: bystander made %d requests beside the failing ones, %d failed\n",
            bystander.requests, bystander.errors);
    for (int m = 0; m < DISK_MODE_COUNT; m++) {
        KT_ASSERT_EQ(results[m][0], DISK_ERR_DRIVE);
        KT_ASSERT_EQ(results[m][1], DISK_ERR_DRIVE);
        KT_ASSERT_EQ(results[m][2], DISK_OK);
        KT_ASSERT_EQ(results[m][3], DISK_OK);
    }
    KT_ASSERT(helper);
    KT_ASSERT(bystander.requests > 0);
    KT_ASSERT_EQ(bystander.errors, 0);
}

/* Booted without a data disk: a clear message at boot, no data disk, the
 * boot disk still works. */
KTEST(disk_no_data_disk)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    tests_step(TESTS_STEP_MODE);
    if (disk_data() != NULL)
        KT_FAIL("a data disk is attached: this test needs a boot without one");
    KT_ASSERT(disk_primary_channel() != NULL);
    KT_ASSERT_EQ(disk_read(disk_data(), 0, buf), DISK_ERR_NO_DRIVE);
    KT_ASSERT_EQ(disk_write(disk_data(), 0, buf), DISK_ERR_NO_DRIVE);
    KT_ASSERT_EQ(disk_size(disk_data()), 0);
    KT_ASSERT(disk_boot() != NULL);
    for (int m = 0; m < DISK_MODE_COUNT; m++) {
        KT_ASSERT_EQ(disk_set_mode((enum disk_mode)m), DISK_OK);
        KT_ASSERT_EQ(disk_read(disk_boot(), 0, buf), DISK_OK);
        KT_ASSERT_EQ_HEX(buf[511], 0xAA);
    }
    KT_ASSERT_EQ(disk_set_mode(DISK_MODE_NONBLOCKING), DISK_OK);
}
