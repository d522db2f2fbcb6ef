/* tests_ata_protocol.c: lab 6 tests of the ATA PIO protocol itself: register values and order, 400 ns delays, polling, acknowledgement, accounting. */
#include <stddef.h>

#include "common/format.h"
#include "common/kstring.h"
#include "disk_layout.h"
#include "disk_pattern.h"
#include "lab4-threads/scheduler.h"
#include "lab4-threads/thread.h"
#include "nonblocking_disk.h"
#include "tests_ata_trace.h"
#include "tests_disk_util.h"

/* The traced drive and the checks of its trace: tests_ata_trace.h. */

#define PROTO_HIGH_LBA 0x0ABCDEF1u /* uses all four device-register LBA bits */
#define PROTO_BLOCK    (DISK_SCRATCH_FIRST + DISK_SCRATCH_COUNT - 8) /* blocks 2892..2899 */

/* ---- One traced request ------------------------------------------------- */

static char what_buf[96];

/* An IRQ-driven request must be marked issued (nonblocking_disk_mark_issued)
 * no later than the port write after which the drive may raise its
 * interrupt, the access at cursor index AT (the command of a read, the data
 * of a write, called WHAT): an interrupt that finds no issued request is
 * ignored as unexpected, and the request then waits for the watchdog. */
static void expect_issued_by(unsigned int at, const char *what)
{
    if (!proto_ov.issued_seen)
        KT_FAIL("%s: the request was never marked issued (nonblocking_disk_mark_issued): "
                "its interrupt would be ignored as unexpected", what_buf);
    if (proto_ov.issued_at > at)
        KT_FAIL("%s: the request was marked issued only after %s went out (access %u, "
                "marked after access %u): the drive may interrupt from that write on, and "
                "an interrupt that finds the request not issued is ignored as unexpected "
                "(the request then waits for the watchdog)", what_buf, what, at,
                proto_ov.issued_at - 1);
}

/* Run one request of D's block LBA in the current mode under the overlay,
 * and check the whole register sequence of a successful transfer. */
static void traced_transfer(struct disk *d, uint32_t lba, bool write, void *buf)
{
    enum disk_mode mode = disk_get_mode();
    unsigned long yields = scheduler_stats()->yields;
    struct proto_cursor c = {0, 0, what_buf};
    ksnprintf(what_buf, sizeof what_buf, "%s %s of block %lu (%s)",
              disk_ops_for(mode)->name, write ? "write" : "read", (unsigned long)lba,
              d->drive == ATA_SLAVE ? "slave" : "master");
    proto_trace_begin(PROTO_EV_NONE);
    int err = write ? disk_write(d, lba, buf) : disk_read(d, lba, buf);
    unsigned long busy = proto_ov.busy_phases;
    c.n = proto_trace_end(true);
    if (err != DISK_OK)
        KT_FAIL("%s returned %d (%s) for a block the drive serves fine (the test's drive "
                "answers a stale ERR within 400 ns of a command, then BSY for %d polls: "
                "ignore the first, poll through the second)", what_buf, err,
                disk_strerror(err), PROTO_BUSY_READS);
    proto_expect_setup(&c, d, lba, write ? ATA_CMD_WRITE_SECTORS : ATA_CMD_READ_SECTORS);
    if (mode != DISK_MODE_NONBLOCKING) {
        proto_expect_wait(&c, ATA_SR_DRQ, ATA_SR_DRQ, "after the command");
        proto_expect_data(&c, write ? PORT_TRACE_OUTSW : PORT_TRACE_INSW);
        if (write) /* the test's drive keeps DRQ up for a few polls after the data */
            proto_expect_wait(&c, ATA_SR_DRQ, 0,
                              "after the data (a write is over when BSY and DRQ are clear)");
        uint8_t st = proto_expect_status(&c, "at the end of the command");
        KT_ASSERT_EQ_HEX(st & (ATA_SR_BSY | ATA_SR_FAILED), 0);
    } else if (write) {
        proto_expect_wait(&c, ATA_SR_DRQ, ATA_SR_DRQ,
                          "after the command (PIO write: no interrupt before the data)");
        expect_issued_by(c.i, "the sector's data");
        proto_expect_data(&c, PORT_TRACE_OUTSW);
        uint8_t st = proto_expect_status(&c, "in the interrupt that ends the write");
        KT_ASSERT_EQ_HEX(st & (ATA_SR_BSY | ATA_SR_DRQ | ATA_SR_FAILED), 0);
    } else {
        expect_issued_by(c.i - 1, "the READ SECTORS command");
        uint8_t st = proto_expect_status(&c, "in the interrupt ending the read, before the data");
        KT_ASSERT_EQ_HEX(st & (ATA_SR_BSY | ATA_SR_DRQ | ATA_SR_FAILED), ATA_SR_DRQ);
        proto_expect_data(&c, PORT_TRACE_INSW);
    }
    proto_expect_end(&c);
    if (mode == DISK_MODE_BLOCKING && scheduler_stats()->yields - yields < busy)
        KT_FAIL(TESTS_STEP_TEXT_PAUSE ": %s: the drive was busy during %lu waits (%d polls "
                "each) but the thread yielded %lu times: BlockingDisk must give the CPU away between two polls",
                what_buf, busy, PROTO_BUSY_READS, scheduler_stats()->yields - yields);
}

/* Write then read back PROTO_BLOCK + OFFSET of the data disk in MODE, and
 * read block 0 of the boot disk (the master). */
static void sequence_in_mode(enum disk_mode mode, uint32_t offset)
{
    uint8_t buf[DISK_BLOCK_SIZE], back[DISK_BLOCK_SIZE];
    uint32_t block = PROTO_BLOCK + offset;
    tests_mode(mode);
    /* Untraced first: a reset some earlier failure left pending happens now. */
    KT_ASSERT_EQ(disk_read(tests_disk(), block, back), DISK_OK);
    disk_pattern_fill(buf, disk_pattern_seed(), DISK_STREAM_SCRATCH, block);
    traced_transfer(tests_disk(), block, true, buf);
    memset(back, 0, sizeof back);
    traced_transfer(tests_disk(), block, false, back);
    KT_ASSERT(memcmp(buf, back, sizeof buf) == 0);
    KT_ASSERT(disk_boot() != NULL);
    traced_transfer(disk_boot(), 0, false, back);
    KT_ASSERT_EQ_HEX(back[DISK_BLOCK_SIZE - 1], 0xAA); /* the boot signature */
}

KTEST(disk_ata_polled_register_sequence)
{
    TESTS_REQUIRE_DISK();
    sequence_in_mode(DISK_MODE_SIMPLE, 0);
    sequence_in_mode(DISK_MODE_BLOCKING, 1);
    tests_mode(DISK_MODE_NONBLOCKING);
}

KTEST(disk_ata_irq_register_sequence)
{
    TESTS_REQUIRE_DISK();
    sequence_in_mode(DISK_MODE_NONBLOCKING, 2);
}

/* ---- Errors --------------------------------------------------------------- */

/* Block PROTO_HIGH_LBA (far past the end: the driver's range check is
 * bypassed) in the current mode: every LBA byte and LBA bits 24-27 in the
 * device register, the drive's ERR reported as DISK_ERR_DRIVE with the error
 * register saved, the status register read to acknowledge, no data moved. */
static void refused_transfer(bool write)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    struct disk *d = tests_disk();
    enum disk_mode mode = disk_get_mode();
    struct proto_cursor c = {0, 0, what_buf};
    ksnprintf(what_buf, sizeof what_buf, "%s %s of block 0x%lx (past the end)",
              disk_ops_for(mode)->name, write ? "write" : "read",
              (unsigned long)PROTO_HIGH_LBA);
    memset(buf, 0x5A, sizeof buf);
    unsigned long errors = d->stats.errors;
    enum intr_level old = intr_disable();
    uint32_t size = d->n_blocks;
    d->n_blocks = ATA_LBA28_LIMIT - 1; /* lie: only the drive can refuse now */
    intr_set_level(old);
    proto_trace_begin(PROTO_EV_NONE);
    int err = write ? disk_write(d, PROTO_HIGH_LBA, buf) : disk_read(d, PROTO_HIGH_LBA, buf);
    c.n = proto_trace_end(true);
    old = intr_disable();
    d->n_blocks = size;
    intr_set_level(old);
    if (err != DISK_ERR_DRIVE)
        KT_FAIL("%s returned %d (%s): the drive refused it (ERR), expected DISK_ERR_DRIVE",
                what_buf, err, disk_strerror(err));
    KT_ASSERT_EQ(d->stats.errors - errors, 1);
    KT_ASSERT(d->chan->ata.last_error != 0);
    proto_expect_setup(&c, d, PROTO_HIGH_LBA, write ? ATA_CMD_WRITE_SECTORS : ATA_CMD_READ_SECTORS);
    /* QEMU refuses a write after its data, Bochs at the command: for writes
     * only the acknowledgement is checked. */
    unsigned int status_reads = 0, error_reads = 0, last_status = 0, polls_after = 0;
    for (; c.i < c.n; c.i++) {
        const struct port_trace_entry *e = &proto_trace[c.i];
        if (e->kind == PORT_TRACE_INSW)
            KT_FAIL("%s: the driver read the data register after the drive said ERR", what_buf);
        if (e->kind == PORT_TRACE_OUTB)
            KT_FAIL("%s: a write of port 0x%x after the command", what_buf, e->port);
        if (e->kind == PORT_TRACE_INB && e->port == proto_ov.io + ATA_REG_STATUS) {
            status_reads += e->count;
            last_status = e->value;
            polls_after = 0;
        } else if (e->kind == PORT_TRACE_INB && e->port == proto_ov.io + ATA_REG_ERROR) {
            error_reads += e->count;
        } else if (e->kind == PORT_TRACE_INB && e->port == proto_ov.alt) {
            polls_after += e->count;
        }
    }
    if (status_reads == 0 || polls_after != 0)
        KT_FAIL("%s: the command failed but the status register (0x%x) was %s: a failed "
                "command is acknowledged by one read of it, like any other", what_buf,
                proto_ov.io + ATA_REG_STATUS, status_reads == 0 ? "never read" : "not read last");
    if (!write && mode != DISK_MODE_NONBLOCKING && status_reads != 1)
        KT_FAIL("%s: the status register was read %u times; once is the acknowledgement "
                "(poll the alternate status)", what_buf, status_reads);
    KT_ASSERT(error_reads > 0);
    KT_ASSERT((last_status & ATA_SR_BSY) == 0);
}

/* A drive stuck busy after STUCK (the selection, the command or the data):
 * the request fails with DISK_ERR_TIMEOUT (never "success"), and the next
 * one works after a reset. */
static void stuck_transfer(bool write, enum proto_event stuck)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    struct disk_channel *ch = tests_channel();
    uint32_t block = PROTO_BLOCK + 4 + (write ? 1 : 0);
    disk_pattern_fill(buf, disk_pattern_seed(), DISK_STREAM_SCRATCH, block);
    proto_trace_begin(stuck);
    int err = write ? disk_write(tests_disk(), block, buf) : disk_read(tests_disk(), block, buf);
    proto_trace_end(false);
    if (proto_ov.overdue)
        KT_FAIL(TESTS_STEP_TEXT_ATA ": %s %s: the drive stayed busy after the %s and the "
                "driver was still polling %d ms later (then returned %d); a wait must give up "
                "with DISK_ERR_TIMEOUT once ATA_TIMEOUT_MS (%d ms) have passed",
                disk_ops_for(disk_get_mode())->name, write ? "write" : "read",
                stuck == PROTO_EV_COMMAND ? "command" :
                stuck == PROTO_EV_SELECT ? "drive selection" : "data", PROTO_STUCK_MAX_MS, err,
                ATA_TIMEOUT_MS);
    if (err != DISK_ERR_TIMEOUT)
        KT_FAIL("%s %s: the drive stayed busy after the %s (BSY in every status read) yet "
                "the request returned %d (%s); expected DISK_ERR_TIMEOUT",
                disk_ops_for(disk_get_mode())->name, write ? "write" : "read",
                stuck == PROTO_EV_COMMAND ? "command" :
                stuck == PROTO_EV_SELECT ? "drive selection" : "data", err, disk_strerror(err));
    unsigned long resets = ch->stats.resets;
    KT_ASSERT_EQ(disk_read(tests_disk(), block, buf), DISK_OK);
    KT_ASSERT_EQ(ch->stats.resets - resets, 1);
}

/* Waits for the refused command to go out, then asks for the channel. */
static struct {
    uint32_t block;
    volatile bool done;
    int result;
} waiter;

static void waiter_main(void *arg)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    (void)arg;
    while (!proto_ov.waiter_go)
        scheduler_yield();
    waiter.result = disk_read(tests_disk(), waiter.block, buf);
    waiter.done = true;
}

/* A drive that refuses a write command with FAILURE (ERR or DF; ABRT: as a
 * read-only or failing drive would) in the current mode, once another
 * thread's request waits for the channel: DISK_ERR_DRIVE with the error
 * register read, no data sent, and the status register read once to
 * acknowledge before the channel goes to the waiter (in every mode: the
 * thread sees the failure while it polls for DRQ). The waiter's request
 * then works (after a reset: the real drive was left wanting data). */
static void refused_write_command(uint8_t failure)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    struct disk_channel *ch = tests_channel();
    struct proto_cursor c = {0, 0, what_buf};
    uint32_t block = PROTO_BLOCK + 6;
    ksnprintf(what_buf, sizeof what_buf, "%s write of block %lu refused by the drive (%s)",
              disk_ops_for(disk_get_mode())->name, (unsigned long)block,
              failure & ATA_SR_DF ? "drive fault: DF" : "ERR");
    memset(buf, 0xA5, sizeof buf);
    memset(&waiter, 0, sizeof waiter);
    waiter.block = block + 1;
    unsigned long resets = ch->stats.resets;
    proto_trace_begin(PROTO_EV_COMMAND);
    proto_ov.refuse = true;
    proto_ov.refuse_status = failure;
    proto_ov.refuse_after_waiter = true;
    if (thread_spawn("ata-waiter", waiter_main, NULL) == NULL) {
        proto_trace_end(false);
        KT_FAIL("cannot create a thread");
    }
    int err = disk_write(tests_disk(), block, buf);
    while (!waiter.done)
        scheduler_sleep(1);
    c.n = proto_trace_end(false);
    if (err != DISK_ERR_DRIVE)
        KT_FAIL("%s: returned %d (%s), expected DISK_ERR_DRIVE", what_buf, err,
                disk_strerror(err));
    if (waiter.result != DISK_OK || ch->stats.resets - resets != 1)
        KT_FAIL("%s: the next request returned %d (%s) after %lu reset(s); expected success "
                "after one", what_buf, waiter.result, disk_strerror(waiter.result),
                ch->stats.resets - resets);
    proto_expect_setup(&c, tests_disk(), block, ATA_CMD_WRITE_SECTORS);
    unsigned int status_reads = 0, error_reads = 0;
    for (; c.i < c.n && proto_trace[c.i].kind != PORT_TRACE_OUTB; c.i++) {
        if (proto_trace[c.i].kind == PORT_TRACE_OUTSW)
            KT_FAIL("%s: the driver sent the data after the drive said ERR", what_buf);
        if (proto_is_read(&proto_trace[c.i], ATA_REG_STATUS))
            status_reads += proto_trace[c.i].count;
        if (proto_is_read(&proto_trace[c.i], ATA_REG_ERROR))
            error_reads += proto_trace[c.i].count;
    }
    if (error_reads == 0)
        KT_FAIL("%s: the error register was never read (ata_check saves it in last_error)",
                what_buf);
    if (status_reads != 1)
        KT_FAIL("%s: the status register was read %u times after the command and before "
                "the next request's first register write; expected once: the failed "
                "command is acknowledged before the channel is given away", what_buf,
                status_reads);
}

/* A polled write (the current mode) whose drive takes the data, clears BSY
 * and DRQ, then reports FAILURE (ERR or DF) in the final status read, the
 * error register saying ABRT: the write returns DISK_ERR_DRIVE with the error
 * saved, never success. Only that last status read says so; the alternate
 * status stays clean (nIEN: no interrupt to acknowledge). */
static void write_failed_after_data(uint8_t failure)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    uint32_t block = PROTO_BLOCK + 7;
    disk_pattern_fill(buf, disk_pattern_seed(), DISK_STREAM_SCRATCH, block);
    proto_trace_begin(PROTO_EV_NONE);
    proto_ov.fake_status = true;
    proto_ov.status = failure;
    proto_ov.error = ATA_ER_ABRT;
    int err = disk_write(tests_disk(), block, buf);
    proto_trace_end(false);
    if (err != DISK_ERR_DRIVE || tests_channel()->ata.last_error != ATA_ER_ABRT)
        KT_FAIL("%s write of block %lu: the drive took the data, then its final status read "
                "0x%02x (%s), error register ABRT; the write returned %d (%s) with last_error "
                "0x%02x; expected DISK_ERR_DRIVE and ABRT saved: a write ends with one read "
                "of the status register checked by ata_check, even after a wait that went "
                "well", disk_ops_for(disk_get_mode())->name, (unsigned long)block, failure,
                failure & ATA_SR_DF ? "DF" : "ERR", err, disk_strerror(err),
                tests_channel()->ata.last_error);
    KT_ASSERT_EQ(disk_read(tests_disk(), block, buf), DISK_OK); /* the drive still works */
}

KTEST(disk_ata_errors_reported_and_acknowledged)
{
    TESTS_REQUIRE_DISK();
    for (int m = 0; m < DISK_MODE_COUNT; m++) {
        tests_mode((enum disk_mode)m);
        refused_transfer(false);
        refused_transfer(true);
    }
    for (int m = 0; m < DISK_MODE_COUNT; m++) {
        tests_mode((enum disk_mode)m);
        refused_write_command(ATA_SR_DRDY | ATA_SR_ERR);
        refused_write_command(ATA_SR_DRDY | ATA_SR_DF);
    }
    for (int m = DISK_MODE_SIMPLE; m <= DISK_MODE_BLOCKING; m++) {
        tests_mode((enum disk_mode)m);
        write_failed_after_data(ATA_SR_DRDY | ATA_SR_ERR);
        write_failed_after_data(ATA_SR_DRDY | ATA_SR_DF);
    }
    tests_mode(DISK_MODE_SIMPLE);
    stuck_transfer(true, PROTO_EV_WRITE_DATA);
    tests_mode(DISK_MODE_BLOCKING);
    stuck_transfer(false, PROTO_EV_COMMAND);
    tests_mode(DISK_MODE_NONBLOCKING);
    stuck_transfer(true, PROTO_EV_SELECT); /* never ready for the command */
}

/* ---- The bottom half's bookkeeping ------------------------------------------ */

/* Call the bottom half once, as IRQ 14 would, while the status register
 * reads STATUS (and the error register ABRT). Returns NULL if it read the
 * status register exactly once, moved no data, and counted one interrupt: a
 * completion if COMPLETES, else an unexpected one; otherwise what went
 * wrong. WHY names the case. */
static char bh_problem[200];

static const char *bottom_half(uint8_t status, bool completes, const char *why)
{
    struct disk_channel *ch = tests_channel();
    struct disk_channel_stats before = ch->stats;
    unsigned int n, status_reads = 0, data = 0;
    enum intr_level old = intr_disable();
    proto_trace_begin(PROTO_EV_NONE);
    proto_ov.fake_status = true;
    proto_ov.status = status;
    proto_ov.error = ATA_ER_ABRT;
    nonblocking_disk_interrupt(ch);
    n = proto_trace_end(true);
    intr_set_level(old);
    for (unsigned int i = 0; i < n; i++) {
        if (proto_is_read(&proto_trace[i], ATA_REG_STATUS))
            status_reads += proto_trace[i].count;
        if (proto_trace[i].kind == PORT_TRACE_INSW || proto_trace[i].kind == PORT_TRACE_OUTSW)
            data++;
    }
    unsigned long irqs = ch->stats.irqs - before.irqs;
    unsigned long done = ch->stats.irq_completions - before.irq_completions;
    unsigned long unexpected = ch->stats.irq_unexpected - before.irq_unexpected;
    if (status_reads != 1)
        ksnprintf(bh_problem, sizeof bh_problem, "an interrupt (%s) read the status "
                  "register %u times; expected once, whatever happens: that read "
                  "acknowledges it", why, status_reads);
    else if (data != 0)
        ksnprintf(bh_problem, sizeof bh_problem, "an interrupt (%s) moved data", why);
    else if (irqs != 1 || done != (completes ? 1u : 0u) || unexpected != (completes ? 0u : 1u))
        ksnprintf(bh_problem, sizeof bh_problem, "an interrupt (%s) counted %lu interrupt(s), "
                  "%lu completion(s), %lu unexpected; expected 1, %d, %d", why, irqs, done,
                  unexpected, completes ? 1 : 0, completes ? 0 : 1);
    else
        return NULL;
    return bh_problem;
}

KTEST(disk_ata_bottom_half_accounting)
{
    struct disk_request r;
    uint8_t buf[DISK_BLOCK_SIZE];
    const char *problem;
    TESTS_REQUIRE_DISK();
    tests_step(TESTS_STEP_IRQ);
    struct disk_channel *ch = tests_channel();
    tests_mode(DISK_MODE_NONBLOCKING);
    problem = bottom_half(ATA_SR_DRDY, false, "no request owns the channel");
    if (problem != NULL)
        KT_FAIL("%s", problem);
    /* This thread owns the channel (like disk_set_mode) with a pretend read
     * whose fields each case sets; the real drive has no command. */
    for (int fault = 0; fault < 2; fault++) {
        uint8_t failed = fault ? ATA_SR_DF : ATA_SR_ERR;
        disk_request_init(&r, NULL);
        disk_channel_acquire(ch, &r);
        r.disk = tests_disk();
        r.block = PROTO_BLOCK;
        r.buf = buf;
        r.issued = true;
        problem = bottom_half(ATA_SR_DRDY | ATA_SR_DRQ, false, "a polled request owns the channel");
        r.irq_driven = true;
        r.issued = false;
        if (problem == NULL)
            problem = bottom_half(ATA_SR_DRDY | ATA_SR_DRQ, false,
                                  "the request's command is not issued yet");
        r.issued = true;
        if (problem == NULL)
            problem = bottom_half(PROTO_BUSY, false, "the drive is still busy");
        if (problem == NULL && r.state == DISK_REQ_DONE)
            problem = "an unexpected interrupt finished the request that owns the channel";
        /* The drive says the command failed: the request ends with the error. */
        if (problem == NULL)
            problem = bottom_half(ATA_SR_DRDY | failed, true,
                                  fault ? "drive fault (DF)" : "the command failed (ERR)");
        if (r.state != DISK_REQ_DONE)
            disk_channel_finish(ch, &r, DISK_OK); /* give the channel back */
        if (problem != NULL)
            KT_FAIL("%s", problem);
        KT_ASSERT_EQ(r.result, DISK_ERR_DRIVE);
        KT_ASSERT_EQ_HEX(ch->ata.last_error, ATA_ER_ABRT);
    }
    /* The channel is free again and the drive still works. */
    KT_ASSERT_EQ(disk_read(tests_disk(), PROTO_BLOCK, buf), DISK_OK);
}
