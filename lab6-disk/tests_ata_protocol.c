/* tests_ata_protocol.c: lab 6 tests of the ATA PIO protocol itself: register values and order, 400 ns delays, polling, acknowledgement, accounting. */
#include <stddef.h>

#include "common/format.h"
#include "common/kstring.h"
#include "common/port_trace.h"
#include "disk_layout.h"
#include "disk_pattern.h"
#include "lab4-threads/scheduler.h"
#include "nonblocking_disk.h"
#include "tests_disk_util.h"

/*
 * Every port access of a request is traced (common/port_trace.h, full
 * trace), and an overlay stands in for the drive's alternate status where a
 * mistake would otherwise go unseen on an emulator that answers at once:
 *
 *   after a write of the device register, of the command register, or of
 *   the sector data, the first PROTO_SETTLE_READS alternate-status reads
 *   (the 400 ns delay, whose values a driver must ignore) answer a stale
 *   status: "ready" after a select, "ERR" (the previous command's) after a
 *   command, "done" after data. The next PROTO_BUSY_READS answer BSY (the
 *   drive is working: a driver must keep polling, and BlockingDisk must
 *   yield between polls). Later reads reach the drive.
 *
 * A driver that trusts a status read before 400 ns, or does not poll until
 * the drive itself says BSY is clear, is then seen in the trace (or fails
 * outright). The status register (the acknowledging one) is never faked
 * unless a test says so.
 */

#define PROTO_TRACE_CAP     2048
#define PROTO_SETTLE_READS  4    /* the 400 ns delay: four alternate-status reads */
#define PROTO_BUSY_READS    2    /* then the drive looks busy this many times */
#define PROTO_STALE_READY   (ATA_SR_DRDY | ATA_SR_DSC)
#define PROTO_STALE_ERR     (ATA_SR_DRDY | ATA_SR_ERR)
#define PROTO_BUSY          (ATA_SR_BSY | ATA_SR_DRDY | ATA_SR_DSC)
#define PROTO_HIGH_LBA      0x0ABCDEF1u /* uses all four device-register LBA bits */
#define PROTO_BLOCK         (DISK_SCRATCH_FIRST + DISK_SCRATCH_COUNT - 8) /* 2892..2899 */

enum proto_event { EV_NONE, EV_SELECT, EV_COMMAND, EV_WRITE_DATA, EV_READ_DATA };

static struct port_trace_entry trace[PROTO_TRACE_CAP];
static struct {
    uint16_t io, alt;           /* command block base, alternate status port */
    unsigned int seen;          /* trace entries already looked at */
    enum proto_event event;     /* the last write that restarts the drive's clock */
    unsigned int alt_reads;     /* alternate-status reads since then */
    unsigned long busy_answers; /* BSY answers given (BlockingDisk yields at each) */
    bool stuck_after;           /* fake a drive stuck busy after this event... */
    enum proto_event stuck_event;
    bool refuse;                /* ...or one that refuses the command (ERR, ABRT) */
    bool fake_status;           /* answer the status/error registers below */
    uint8_t status, error;
} ov;

/* Catch up with the entries recorded since the last call: a device,
 * command or data write restarts the count of alternate-status reads. */
static void overlay_catch_up(void)
{
    unsigned int n;
    const struct port_trace_entry *t = port_trace_get(&n);
    for (; ov.seen < n; ov.seen++) {
        enum proto_event e = EV_NONE;
        if (t[ov.seen].kind == PORT_TRACE_OUTB && t[ov.seen].port == ov.io + ATA_REG_DEVICE)
            e = EV_SELECT;
        else if (t[ov.seen].kind == PORT_TRACE_OUTB && t[ov.seen].port == ov.io + ATA_REG_COMMAND)
            e = EV_COMMAND;
        else if (t[ov.seen].kind == PORT_TRACE_OUTSW && t[ov.seen].port == ov.io)
            e = EV_WRITE_DATA;
        else if (t[ov.seen].kind == PORT_TRACE_INSW && t[ov.seen].port == ov.io)
            e = EV_READ_DATA;
        if (e != EV_NONE) {
            ov.event = e;
            ov.alt_reads = 0;
            if (e == ov.stuck_event)
                ov.stuck_after = true;
        }
    }
}

static bool overlay_reader(uint16_t port, uint8_t *value)
{
    overlay_catch_up();
    if (ov.stuck_after && ov.refuse &&
        (port == ov.alt || port == ov.io + ATA_REG_STATUS || port == ov.io + ATA_REG_ERROR)) {
        *value = port == ov.io + ATA_REG_ERROR ? ATA_ER_ABRT : PROTO_STALE_ERR;
        return true;
    }
    if (ov.stuck_after && !ov.refuse && (port == ov.alt || port == ov.io + ATA_REG_STATUS)) {
        *value = PROTO_BUSY;
        return true;
    }
    if (ov.fake_status && port == ov.io + ATA_REG_STATUS) {
        *value = ov.status;
        return true;
    }
    if (ov.fake_status && port == ov.io + ATA_REG_ERROR) {
        *value = ov.error;
        return true;
    }
    if (port != ov.alt || ov.event == EV_NONE || ov.event == EV_READ_DATA)
        return false;
    unsigned int k = ++ov.alt_reads;
    if (k <= PROTO_SETTLE_READS) {
        *value = ov.event == EV_COMMAND ? PROTO_STALE_ERR : PROTO_STALE_READY;
        return true;
    }
    if (k <= PROTO_SETTLE_READS + PROTO_BUSY_READS) {
        ov.busy_answers++;
        *value = PROTO_BUSY;
        return true;
    }
    return false;
}

/* Start a full trace of the primary channel with the overlay. */
static void proto_trace_begin(enum proto_event stuck_event)
{
    struct ata_channel *a = &tests_channel()->ata;
    memset(&ov, 0, sizeof ov);
    ov.io = a->io_base;
    ov.alt = (uint16_t)(a->ctrl_base + ATA_CTRL_ALT_STATUS);
    ov.stuck_event = stuck_event;
    port_trace_start_full(trace, PROTO_TRACE_CAP);
    port_trace_set_reader(overlay_reader);
}

/* Stop tracing; keep only the channel's accesses, in order; return how many.
 * A trace that overflowed fails the test if WHOLE (its checks need it all). */
static unsigned int proto_trace_end(bool whole)
{
    unsigned int total = port_trace_stop(), n = 0;
    if (total > PROTO_TRACE_CAP && !whole)
        total = PROTO_TRACE_CAP;
    if (total > PROTO_TRACE_CAP)
        KT_FAIL("the trace overflowed (%u entries): the request made far more port accesses "
                "than one transfer needs", total);
    for (unsigned int i = 0; i < total; i++)
        if ((trace[i].port >= ov.io && trace[i].port <= ov.io + ATA_REG_COMMAND) ||
            trace[i].port == ov.alt)
            trace[n++] = trace[i];
    return n;
}

/* ---- Reading the trace ------------------------------------------------ */

struct proto_cursor {
    unsigned int i, n;
    const char *what; /* "SimpleDisk read of block 2892 (slave)" */
};

static bool is_write(const struct port_trace_entry *e, uint16_t port)
{
    return e->kind == PORT_TRACE_OUTB && e->port == port;
}

/* Expect the next access to be a write of VALUE to register REG. */
static void expect_out(struct proto_cursor *c, enum ata_reg reg, uint8_t value, const char *name)
{
    if (c->i >= c->n || !is_write(&trace[c->i], (uint16_t)(ov.io + reg)))
        KT_FAIL("%s: expected a write of the %s register (0x%x) next, found %s 0x%x "
                "(access %u of %u)", c->what, name, ov.io + reg,
                c->i >= c->n ? "the end of the trace, port" :
                trace[c->i].kind == PORT_TRACE_OUTB ? "a write of port" : "a read of port",
                c->i < c->n ? trace[c->i].port : 0, c->i, c->n);
    if (trace[c->i].value != value)
        KT_FAIL("%s: %s register written 0x%02x, expected 0x%02x", c->what, name,
                trace[c->i].value, value);
    c->i++;
}

/* A wait: alternate-status reads only (never the status register, which
 * acknowledges), enough to cover the 400 ns delay and the overlay's BSY
 * answers, ending with one that reached the drive and says BSY is clear and
 * (status & MASK) == WANT. WHEN names the step. */
static void expect_wait(struct proto_cursor *c, uint8_t mask, uint8_t want, const char *when)
{
    unsigned long reads = 0;
    uint8_t last = 0;
    for (; c->i < c->n && trace[c->i].kind == PORT_TRACE_INB && trace[c->i].port == ov.alt;
         c->i++) {
        reads += trace[c->i].count;
        last = trace[c->i].value;
    }
    if (reads <= PROTO_SETTLE_READS + PROTO_BUSY_READS)
        KT_FAIL("%s: %s, the driver read the alternate status %lu time(s) before going on; "
                "expected 4 reads for the 400 ns delay (values ignored), then polls until "
                "the drive says BSY is clear (the test's drive answered BSY %d times)",
                c->what, when, reads, PROTO_BUSY_READS);
    if ((last & ATA_SR_BSY) || (last & mask) != want)
        KT_FAIL("%s: %s, the driver went on after status 0x%02x; expected BSY clear and "
                "status & 0x%02x == 0x%02x", c->what, when, last, mask, want);
}

/* Expect one data transfer of a whole sector in direction KIND. */
static void expect_data(struct proto_cursor *c, enum port_trace_kind kind)
{
    const char *dir = kind == PORT_TRACE_INSW ? "insw" : "outsw";
    if (c->i >= c->n || trace[c->i].kind != kind || trace[c->i].port != ov.io)
        KT_FAIL("%s: expected the sector's data (%s of the data register) next, found "
                "access %u of %u to port 0x%x", c->what, dir, c->i, c->n,
                c->i < c->n ? trace[c->i].port : 0);
    if (trace[c->i].count != ATA_SECTOR_WORDS)
        KT_FAIL("%s: %s moved %lu words, expected %d (one sector)", c->what, dir,
                (unsigned long)trace[c->i].count, ATA_SECTOR_WORDS);
    c->i++;
}

/* Expect one read of the status register (the acknowledgement); returns it. */
static uint8_t expect_status(struct proto_cursor *c, const char *when)
{
    if (c->i >= c->n || trace[c->i].kind != PORT_TRACE_INB ||
        trace[c->i].port != ov.io + ATA_REG_STATUS || trace[c->i].count != 1)
        KT_FAIL("%s: %s, expected exactly one read of the status register (0x%x: it "
                "acknowledges the interrupt), found access %u of %u to port 0x%x",
                c->what, when, ov.io + ATA_REG_STATUS, c->i, c->n,
                c->i < c->n ? trace[c->i].port : 0);
    return trace[c->i++].value;
}

static void expect_end(struct proto_cursor *c)
{
    if (c->i != c->n)
        KT_FAIL("%s: %u more access(es) after the request was over, first to port 0x%x "
                "(%s)", c->what, c->n - c->i, trace[c->i].port,
                trace[c->i].kind == PORT_TRACE_OUTB ? "write" : "read");
}

/* Select, wait until ready, sector count and LBA, then COMMAND. */
static void expect_setup(struct proto_cursor *c, const struct disk *d, uint32_t lba,
                         uint8_t command)
{
    uint8_t dev = (uint8_t)(0xE0 | (d->drive == ATA_SLAVE ? 0x10 : 0) | ((lba >> 24) & 0x0F));
    expect_out(c, ATA_REG_DEVICE, dev, "device (1 LBA 1 DRV + LBA bits 24-27)");
    expect_wait(c, ATA_SR_DRQ, 0, "after selecting the drive");
    expect_out(c, ATA_REG_SECTOR_COUNT, 1, "sector count");
    expect_out(c, ATA_REG_LBA_LOW, (uint8_t)lba, "LBA low (bits 0-7)");
    expect_out(c, ATA_REG_LBA_MID, (uint8_t)(lba >> 8), "LBA mid (bits 8-15)");
    expect_out(c, ATA_REG_LBA_HIGH, (uint8_t)(lba >> 16), "LBA high (bits 16-23)");
    expect_out(c, ATA_REG_COMMAND, command, "command");
}

/* ---- One traced request ------------------------------------------------- */

static char what_buf[96];

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
    proto_trace_begin(EV_NONE);
    int err = write ? disk_write(d, lba, buf) : disk_read(d, lba, buf);
    unsigned long busy = ov.busy_answers;
    c.n = proto_trace_end(true);
    if (err != DISK_OK)
        KT_FAIL("%s returned %d (%s) for a block the drive serves fine (the test's drive "
                "answers a stale ERR within 400 ns of a command, then BSY for %d polls: "
                "ignore the first, poll through the second)", what_buf, err,
                disk_strerror(err), PROTO_BUSY_READS);
    expect_setup(&c, d, lba, write ? ATA_CMD_WRITE_SECTORS : ATA_CMD_READ_SECTORS);
    if (mode != DISK_MODE_NONBLOCKING) {
        expect_wait(&c, ATA_SR_DRQ, ATA_SR_DRQ, "after the command");
        expect_data(&c, write ? PORT_TRACE_OUTSW : PORT_TRACE_INSW);
        if (write)
            expect_wait(&c, ATA_SR_DRQ, 0, "after the data");
        uint8_t st = expect_status(&c, "at the end of the command");
        KT_ASSERT_EQ_HEX(st & (ATA_SR_BSY | ATA_SR_FAILED), 0);
    } else if (write) {
        expect_wait(&c, ATA_SR_DRQ, ATA_SR_DRQ, "after the command (PIO write: no interrupt "
                    "before the data)");
        expect_data(&c, PORT_TRACE_OUTSW);
        uint8_t st = expect_status(&c, "in the interrupt that ends the write");
        KT_ASSERT_EQ_HEX(st & (ATA_SR_BSY | ATA_SR_DRQ | ATA_SR_FAILED), 0);
    } else {
        uint8_t st = expect_status(&c, "in the interrupt that ends the read, before the data");
        KT_ASSERT_EQ_HEX(st & (ATA_SR_BSY | ATA_SR_DRQ | ATA_SR_FAILED), ATA_SR_DRQ);
        expect_data(&c, PORT_TRACE_INSW);
    }
    expect_end(&c);
    if (mode == DISK_MODE_BLOCKING && scheduler_stats()->yields - yields < busy)
        KT_FAIL("%s: the drive answered BSY %lu times but the thread yielded %lu times: "
                "BlockingDisk must give the CPU away between two polls", what_buf, busy,
                scheduler_stats()->yields - yields);
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
    proto_trace_begin(EV_NONE);
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
    expect_setup(&c, d, PROTO_HIGH_LBA, write ? ATA_CMD_WRITE_SECTORS : ATA_CMD_READ_SECTORS);
    /* QEMU refuses a write after its data, Bochs at the command: for writes
     * only the acknowledgement is checked. */
    unsigned int status_reads = 0, error_reads = 0, last_status = 0, polls_after = 0;
    for (; c.i < c.n; c.i++) {
        const struct port_trace_entry *e = &trace[c.i];
        if (e->kind == PORT_TRACE_INSW)
            KT_FAIL("%s: the driver read the data register after the drive said ERR", what_buf);
        if (e->kind == PORT_TRACE_OUTB)
            KT_FAIL("%s: a write of port 0x%x after the command", what_buf, e->port);
        if (e->kind == PORT_TRACE_INB && e->port == ov.io + ATA_REG_STATUS) {
            status_reads += e->count;
            last_status = e->value;
            polls_after = 0;
        } else if (e->kind == PORT_TRACE_INB && e->port == ov.io + ATA_REG_ERROR) {
            error_reads += e->count;
        } else if (e->kind == PORT_TRACE_INB && e->port == ov.alt) {
            polls_after += e->count;
        }
    }
    if (status_reads == 0 || polls_after != 0)
        KT_FAIL("%s: the command failed but the status register (0x%x) was %s: a failed "
                "command is acknowledged by one read of it, like any other", what_buf,
                ov.io + ATA_REG_STATUS, status_reads == 0 ? "never read" : "not read last");
    if (!write && mode != DISK_MODE_NONBLOCKING && status_reads != 1)
        KT_FAIL("%s: the status register was read %u times; once is the acknowledgement "
                "(poll the alternate status)", what_buf, status_reads);
    KT_ASSERT(error_reads > 0);
    KT_ASSERT((last_status & ATA_SR_BSY) == 0);
}

/* A drive stuck busy after STUCK (the command or the data): the polled
 * request fails with DISK_ERR_TIMEOUT (never "success"), and the next one
 * works after a reset. */
static void stuck_transfer(bool write, enum proto_event stuck)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    struct disk_channel *ch = tests_channel();
    uint32_t block = PROTO_BLOCK + 4 + (write ? 1 : 0);
    disk_pattern_fill(buf, disk_pattern_seed(), DISK_STREAM_SCRATCH, block);
    proto_trace_begin(stuck);
    int err = write ? disk_write(tests_disk(), block, buf) : disk_read(tests_disk(), block, buf);
    proto_trace_end(false);
    if (err != DISK_ERR_TIMEOUT)
        KT_FAIL("%s %s: the drive stayed busy after the %s (BSY in every status read) yet "
                "the request returned %d (%s); expected DISK_ERR_TIMEOUT",
                disk_ops_for(disk_get_mode())->name, write ? "write" : "read",
                stuck == EV_COMMAND ? "command" : "data", err, disk_strerror(err));
    unsigned long resets = ch->stats.resets;
    KT_ASSERT_EQ(disk_read(tests_disk(), block, buf), DISK_OK);
    KT_ASSERT_EQ(ch->stats.resets - resets, 1);
}

/* A drive that refuses a write command (ERR, ABRT: as a read-only or
 * failing drive would) in the current mode: DISK_ERR_DRIVE with the error
 * register saved, no data sent, one status read to acknowledge (in every
 * mode: the thread sees the failure while it polls for DRQ). The drive was
 * left wanting data, so the channel is reset before the next request. */
static void refused_write_command(void)
{
    uint8_t buf[DISK_BLOCK_SIZE];
    struct disk_channel *ch = tests_channel();
    struct proto_cursor c = {0, 0, what_buf};
    uint32_t block = PROTO_BLOCK + 6;
    ksnprintf(what_buf, sizeof what_buf, "%s write of block %lu refused by the drive",
              disk_ops_for(disk_get_mode())->name, (unsigned long)block);
    memset(buf, 0xA5, sizeof buf);
    proto_trace_begin(EV_COMMAND);
    ov.refuse = true;
    int err = disk_write(tests_disk(), block, buf);
    c.n = proto_trace_end(true);
    uint8_t last_error = ch->ata.last_error;
    enum intr_level old = disk_channel_lock(ch);
    ch->needs_reset = true; /* the real drive still waits for the sector */
    disk_channel_unlock(ch, old);
    int next = disk_read(tests_disk(), block, buf); /* resets the channel */
    if (err != DISK_ERR_DRIVE)
        KT_FAIL("%s: returned %d (%s), expected DISK_ERR_DRIVE", what_buf, err,
                disk_strerror(err));
    KT_ASSERT_EQ_HEX(last_error, ATA_ER_ABRT);
    KT_ASSERT_EQ(next, DISK_OK);
    expect_setup(&c, tests_disk(), block, ATA_CMD_WRITE_SECTORS);
    unsigned int status_reads = 0;
    for (; c.i < c.n; c.i++) {
        if (trace[c.i].kind == PORT_TRACE_OUTSW)
            KT_FAIL("%s: the driver sent the data after the drive said ERR", what_buf);
        if (trace[c.i].kind == PORT_TRACE_INB && trace[c.i].port == ov.io + ATA_REG_STATUS)
            status_reads += trace[c.i].count;
    }
    if (status_reads != 1)
        KT_FAIL("%s: the status register was read %u times after the command; expected "
                "once, to acknowledge the failed command", what_buf, status_reads);
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
        refused_write_command();
    }
    tests_mode(DISK_MODE_SIMPLE);
    stuck_transfer(true, EV_WRITE_DATA);
    tests_mode(DISK_MODE_BLOCKING);
    stuck_transfer(false, EV_COMMAND);
    tests_mode(DISK_MODE_NONBLOCKING);
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
    proto_trace_begin(EV_NONE);
    ov.fake_status = true;
    ov.status = status;
    ov.error = ATA_ER_ABRT;
    nonblocking_disk_interrupt(ch);
    n = proto_trace_end(true);
    intr_set_level(old);
    for (unsigned int i = 0; i < n; i++) {
        if (trace[i].kind == PORT_TRACE_INB && trace[i].port == ov.io + ATA_REG_STATUS)
            status_reads += trace[i].count;
        if (trace[i].kind == PORT_TRACE_INSW || trace[i].kind == PORT_TRACE_OUTSW)
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
