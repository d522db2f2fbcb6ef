/* test_ata.c: host unit tests of the ATA primitives and the polled PIO transfer against the fake drive of fake_ata.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/host_tests/host_support.h"
#include "fake_ata.h"
#include "lab6-disk/ata.h"
#include "lab6-disk/ata_hw.h"

static struct ata_channel ch;

static int setup(void **state)
{
    (void)state;
    fake_ata_reset();
    for (int d = 0; d < 2; d++) {
        fake.drive[d].present = true;
        fake.drive[d].sectors = FAKE_SECTORS;
        fake_ata_fill(d);
    }
    ata_channel_init(&ch, "primary", ATA_PRIMARY_IO_BASE, ATA_PRIMARY_CTRL_BASE,
                     ATA_PRIMARY_IRQ);
    return 0;
}

static void test_select_writes_device_and_waits(void **state)
{
    (void)state;
    ata_select(&ch, ATA_SLAVE, 0x0ABCDEF1);
    assert_int_equal(fake.last_device, ATA_DEV_OBSOLETE | ATA_DEV_LBA | ATA_DEV_SLAVE | 0x0A);
    assert_true(fake.alt_reads >= 4);     /* the 400 ns delay */
    ata_select(&ch, ATA_MASTER, 5);
    assert_int_equal(fake.last_device, ATA_DEV_OBSOLETE | ATA_DEV_LBA);
    assert_int_equal(fake.violations, 0);
    expect_assert_failure(ata_select(&ch, ATA_MASTER, ATA_LBA28_LIMIT));
}

/* The 400 ns delay is exactly ATA_DELAY_READS alternate-status reads, alone
 * and after the device register write of a selection. */
static void test_delay_is_exactly_delay_reads(void **state)
{
    (void)state;
    ata_select(&ch, ATA_MASTER, 0);
    fake.alt_reads = 0;
    ata_delay_400ns(&ch);
    assert_int_equal(fake.alt_reads, ATA_DELAY_READS);
    fake.alt_reads = 0;
    ata_select(&ch, ATA_SLAVE, 7);
    assert_int_equal(fake.alt_reads, ATA_DELAY_READS);
    assert_int_equal(fake.status_reads, 0);
}

/* With the clock stopped, a poll of a drive stuck busy reads the alternate
 * status exactly ATA_POLL_LIMIT times, then gives up with DISK_ERR_TIMEOUT. */
static void test_poll_limit_with_clock_stopped(void **state)
{
    (void)state;
    uint8_t st = 0;

    fake.drive[1].stuck = true;
    fake.clock_stopped = true;
    assert_int_equal(ata_setup(&ch, ATA_SLAVE, 3, NULL), DISK_OK);
    ata_command(&ch, ATA_CMD_READ_SECTORS);
    ata_delay_400ns(&ch);
    fake.alt_reads = 0;
    assert_int_equal(ata_wait(&ch, ATA_SR_DRQ, ATA_SR_DRQ, NULL, &st), DISK_ERR_TIMEOUT);
    assert_int_equal(fake.alt_reads, ATA_POLL_LIMIT);
    assert_true(st & ATA_SR_BSY);
}

static void test_fake_catches_missing_delay(void **state)
{
    (void)state;
    /* The fake itself: a status read right after a select is a violation. */
    ata_hw_outb(ATA_PRIMARY_IO_BASE + ATA_REG_DEVICE, ATA_DEV_OBSOLETE | ATA_DEV_LBA);
    (void)ata_status(&ch);
    assert_int_equal(fake.violations, 1);
}

static void test_identify_both_drives(void **state)
{
    (void)state;
    struct ata_identity id;

    assert_int_equal(ata_identify(&ch, ATA_MASTER, &id), DISK_OK);
    assert_true(id.present && id.ata);
    assert_int_equal(id.sectors, FAKE_SECTORS);
    assert_string_equal(id.model, "FAKE MASTER DISK");
    assert_int_equal(ata_identify(&ch, ATA_SLAVE, &id), DISK_OK);
    assert_string_equal(id.model, "FAKE SLAVE DISK");
    assert_int_equal(fake.violations, 0);
}

static void test_identify_missing_and_odd_drives(void **state)
{
    (void)state;
    struct ata_identity id;

    fake.drive[1].present = false;
    assert_int_equal(ata_identify(&ch, ATA_SLAVE, &id), DISK_ERR_NO_DRIVE);
    assert_false(id.present);
    fake.drive[1].present = true;
    fake.drive[1].atapi = true;
    assert_int_equal(ata_identify(&ch, ATA_SLAVE, &id), DISK_ERR_NO_DRIVE);
    assert_false(id.ata);
    fake.floating = true;
    assert_int_equal(ata_identify(&ch, ATA_MASTER, &id), DISK_ERR_NO_DRIVE);
    assert_false(id.present);
}

static void test_polled_read(void **state)
{
    (void)state;
    uint8_t buf[512];

    for (uint32_t lba = 0; lba < FAKE_SECTORS; lba += 9) {
        for (int d = 0; d < 2; d++) {
            memset(buf, 0xEE, sizeof buf);
            assert_int_equal(ata_pio_polled(&ch, d, lba, false, buf, NULL), DISK_OK);
            assert_memory_equal(buf, fake.drive[d].image[lba], 512);
            assert_int_equal(fake.last_lba, lba);
            assert_int_equal(fake.last_command, ATA_CMD_READ_SECTORS);
        }
    }
    assert_int_equal(fake.violations, 0);
}

static void test_polled_write(void **state)
{
    (void)state;
    uint8_t buf[512], back[512];

    for (int i = 0; i < 512; i++)
        buf[i] = (uint8_t)(i * 13 + 1);
    assert_int_equal(ata_pio_polled(&ch, ATA_SLAVE, 17, true, buf, NULL), DISK_OK);
    assert_memory_equal(fake.drive[1].image[17], buf, 512);
    assert_memory_not_equal(fake.drive[0].image[17], buf, 512); /* not the master */
    assert_int_equal(ata_pio_polled(&ch, ATA_SLAVE, 17, false, back, NULL), DISK_OK);
    assert_memory_equal(back, buf, 512);
    assert_int_equal(fake.violations, 0);
}

static void test_polled_leaves_no_interrupt_pending(void **state)
{
    (void)state;
    uint8_t buf[512] = {0};

    ata_set_interrupts(&ch, true);
    assert_int_equal(ata_pio_polled(&ch, ATA_MASTER, 3, false, buf, NULL), DISK_OK);
    assert_true(fake.irqs_raised > 0);
    assert_false(fake.irq_pending);
    assert_int_equal(ata_pio_polled(&ch, ATA_MASTER, 4, true, buf, NULL), DISK_OK);
    assert_false(fake.irq_pending);
    ata_set_interrupts(&ch, false);
    unsigned before = fake.irqs_raised;
    assert_int_equal(ata_pio_polled(&ch, ATA_MASTER, 5, false, buf, NULL), DISK_OK);
    assert_int_equal(fake.irqs_raised, before); /* nIEN keeps the drive quiet */
}

static void test_read_error_reported_and_recovered(void **state)
{
    (void)state;
    uint8_t buf[512];

    fake.drive[1].bad_read[7] = true;
    ata_set_interrupts(&ch, true);
    assert_int_equal(ata_pio_polled(&ch, ATA_SLAVE, 7, false, buf, NULL), DISK_ERR_DRIVE);
    assert_true(ch.last_error & ATA_ER_UNC);
    assert_false(fake.irq_pending);
    /* The next request is served normally. */
    assert_int_equal(ata_pio_polled(&ch, ATA_SLAVE, 8, false, buf, NULL), DISK_OK);
    assert_memory_equal(buf, fake.drive[1].image[8], 512);
}

static void test_write_error_reported(void **state)
{
    (void)state;
    uint8_t buf[512], old[512];

    memset(buf, 0x5A, sizeof buf);
    memcpy(old, fake.drive[1].image[9], 512);
    fake.drive[1].bad_write[9] = true;
    assert_int_equal(ata_pio_polled(&ch, ATA_SLAVE, 9, true, buf, NULL), DISK_ERR_DRIVE);
    assert_true(ch.last_error & ATA_ER_ABRT);
    assert_memory_equal(fake.drive[1].image[9], old, 512);
    assert_int_equal(ata_pio_polled(&ch, ATA_SLAVE, 10, true, buf, NULL), DISK_OK);
}

static void test_past_end_is_a_drive_error(void **state)
{
    (void)state;
    uint8_t buf[512];

    fake.drive[1].sectors = 20;
    assert_int_equal(ata_pio_polled(&ch, ATA_SLAVE, 20, false, buf, NULL), DISK_ERR_DRIVE);
    assert_true(ch.last_error & ATA_ER_IDNF);
}

static void test_stuck_drive_times_out(void **state)
{
    (void)state;
    uint8_t buf[512];

    fake.drive[0].stuck = true;
    assert_int_equal(ata_pio_polled(&ch, ATA_MASTER, 1, false, buf, NULL), DISK_ERR_TIMEOUT);
    assert_true(ch.last_status & ATA_SR_BSY);
    /* A reset brings the channel back. */
    fake.drive[0].stuck = false;
    assert_int_equal(ata_reset(&ch), DISK_OK);
    assert_int_equal(ata_pio_polled(&ch, ATA_MASTER, 1, false, buf, NULL), DISK_OK);
}

static void test_pause_runs_while_busy(void **state)
{
    (void)state;
    uint8_t buf[512];

    fake.busy_polls = 50;
    assert_int_equal(ata_pio_polled(&ch, ATA_SLAVE, 2, false, buf, fake_ata_pause), DISK_OK);
    assert_true(fake.pauses >= 40);
    unsigned p = fake.pauses;
    assert_int_equal(ata_pio_polled(&ch, ATA_SLAVE, 2, false, buf, NULL), DISK_OK);
    assert_int_equal(fake.pauses, p);
}

static void test_check_decodes_status(void **state)
{
    (void)state;
    assert_int_equal(ata_check(&ch, ATA_SR_DRDY), DISK_OK);
    assert_int_equal(ata_check(&ch, ATA_SR_DRDY | ATA_SR_ERR), DISK_ERR_DRIVE);
    assert_int_equal(ata_check(&ch, ATA_SR_DRDY | ATA_SR_DF), DISK_ERR_DRIVE);
    assert_int_equal(ch.last_status, ATA_SR_DRDY | ATA_SR_DF);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_select_writes_device_and_waits),
        T(test_fake_catches_missing_delay),
        T(test_delay_is_exactly_delay_reads),
        T(test_poll_limit_with_clock_stopped),
        T(test_identify_both_drives),
        T(test_identify_missing_and_odd_drives),
        T(test_polled_read),
        T(test_polled_write),
        T(test_polled_leaves_no_interrupt_pending),
        T(test_read_error_reported_and_recovered),
        T(test_write_error_reported),
        T(test_past_end_is_a_drive_error),
        T(test_stuck_drive_times_out),
        T(test_pause_runs_while_busy),
        T(test_check_decodes_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
