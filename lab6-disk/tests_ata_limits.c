/* tests_ata_limits.c: lab 6 tests of the ATA primitives' exact counts: the 400 ns delay's reads, the poll limit. */
#include <stddef.h>

#include "common/format.h"
#include "common/intr_level.h"
#include "common/port_trace.h"
#include "common/x86.h"
#include "ata_hw.h"
#include "tests_disk_util.h"

/*
 * Two documented numbers of ata.h that no transfer can tell from a near
 * miss, so they are checked on the primitives themselves, with every port
 * access traced (common/port_trace.h) while this thread owns the channel:
 *
 *   the 400 ns delay (ata_delay_400ns, and the one in ata_select) reads the
 *   alternate status exactly ATA_DELAY_READS times and touches nothing else;
 *
 *   a poll of a drive that stays busy (ata_wait, interrupts off so the clock
 *   stands still) reads the alternate status exactly ATA_POLL_LIMIT times and
 *   returns DISK_ERR_TIMEOUT; a drive that becomes ready at the last allowed
 *   read is still served (DISK_OK);
 *
 *   with the clock running, a poll of a drive that stays busy gives up only
 *   once more than ATA_TIMEOUT_MS have passed on the millisecond clock (the
 *   first one may be partly over when the wait starts) or ATA_POLL_LIMIT
 *   reads were made, never before both. The drive halts the CPU until the
 *   next interrupt before each busy answer, so the clock, not the host's
 *   speed, ends the wait (about one read per tick).
 */

#define LIM_TRACE_CAP 16
#define LIM_STEP "step 1 (ATA select, delay, poll)"
#define LIM_LBA 0x0123456u /* some LBA for the selection: bits 24-27 are 0 */

static struct port_trace_entry lim_trace[LIM_TRACE_CAP];

/* The first problem found (checks go on owning the channel; the test fails
 * once it is given back). */
static char lim_problem[320];
static bool lim_failed;
#define LIM_PROBLEM(...)                                                       \
    do {                                                                       \
        if (!lim_failed)                                                       \
            ksnprintf(lim_problem, sizeof lim_problem, __VA_ARGS__);           \
        lim_failed = true;                                                     \
    } while (0)

/* The faked drive of the poll check: busy (BSY) for lim_busy_reads
 * alternate-status reads, then ready with DRQ (what ata_wait waits for
 * below). It counts the channel's reads itself: that poll runs with a
 * writes-only trace, millions of reads being too slow to record one by one
 * on Bochs. */
static uint16_t lim_alt_port, lim_io_base;
static unsigned long lim_busy_reads, lim_reads, lim_other_reads;
static bool lim_halt; /* each busy answer first waits for an interrupt (interrupts on) */

static bool lim_channel_port(uint16_t port);

static bool lim_reader(uint16_t port, uint8_t *value)
{
    if (port != lim_alt_port) {
        if (lim_channel_port(port))
            lim_other_reads++;
        return false;
    }
    bool busy = ++lim_reads <= lim_busy_reads;
    if (busy && lim_halt && intr_get_level() == INTR_ON)
        cpu_hlt();
    *value = busy ? (uint8_t)(ATA_SR_BSY | ATA_SR_DRDY) : (uint8_t)(ATA_SR_DRDY | ATA_SR_DRQ);
    return true;
}

/* What a stretch of the trace did: alternate-status reads, other accesses. */
struct lim_count {
    unsigned long alt_reads;
    unsigned int others; /* other accesses to the channel's ports (writes included) */
    uint16_t other_port;
    bool selected; /* the first of them wrote the device register (not counted) */
};

static bool lim_channel_port(uint16_t port)
{
    return port == lim_alt_port || (port >= lim_io_base && port <= lim_io_base + ATA_REG_COMMAND);
}

/* Index of the first access to the channel among the N traced (N if none). */
static unsigned int first_channel_entry(unsigned int n)
{
    unsigned int i = 0;
    while (i < n && !lim_channel_port(lim_trace[i].port))
        i++;
    return i;
}

/* Stop the trace and count the channel's accesses in it; with SELECT, the
 * first one is expected to be the device register write. */
static struct lim_count lim_stop(bool select)
{
    struct lim_count c = {0, 0, 0, false};
    unsigned int n = port_trace_stop();
    if (n > LIM_TRACE_CAP) {
        LIM_PROBLEM(LIM_STEP ": %u distinct port accesses traced where a delay or a poll "
                    "makes a few", n);
        n = LIM_TRACE_CAP;
    }
    for (unsigned int i = 0; i < n; i++) {
        uint16_t port = lim_trace[i].port;
        if (!lim_channel_port(port))
            continue; /* another device (a timer interrupt's EOI) */
        if (select && i == first_channel_entry(n)) {
            c.selected = lim_trace[i].kind == PORT_TRACE_OUTB &&
                         port == lim_io_base + ATA_REG_DEVICE;
            if (c.selected)
                continue;
        }
        if (lim_trace[i].kind == PORT_TRACE_INB && port == lim_alt_port) {
            c.alt_reads += lim_trace[i].count;
        } else if (c.others++ == 0) {
            c.other_port = lim_trace[i].port;
        }
    }
    return c;
}

/* " (the first to port 0x1F7)" if C saw other accesses, else "". */
static const char *lim_first_other(const struct lim_count *c)
{
    static char text[40];
    if (c->others == 0)
        return "";
    ksnprintf(text, sizeof text, " (the first to port 0x%x)", c->other_port);
    return text;
}

/* The delay alone, and after a selection: ATA_DELAY_READS reads. */
static void check_delays(struct ata_channel *a)
{
    port_trace_start_full(lim_trace, LIM_TRACE_CAP);
    ata_delay_400ns(a);
    struct lim_count c = lim_stop(false);
    if (c.alt_reads != ATA_DELAY_READS || c.others != 0)
        LIM_PROBLEM(LIM_STEP ": ata_delay_400ns read the alternate status %lu time(s) and made "
                "%u other access(es) to the channel%s; the 400 ns delay is exactly "
                "ATA_DELAY_READS = %d alternate-status reads (the ATA spec's 400 ns at "
                ">= 100 ns per read), nothing else", c.alt_reads, c.others,
                lim_first_other(&c), ATA_DELAY_READS);
    port_trace_start_full(lim_trace, LIM_TRACE_CAP);
    ata_select(a, ATA_SLAVE, LIM_LBA);
    c = lim_stop(true);
    if (!c.selected)
        LIM_PROBLEM(LIM_STEP ": ata_select's first access to the channel is not the write "
                    "of the device register (0x%x)", a->io_base + ATA_REG_DEVICE);
    else if (c.alt_reads != ATA_DELAY_READS || c.others != 0)
        LIM_PROBLEM(LIM_STEP ": after writing the device register, ata_select read the "
                "alternate status %lu time(s) and made %u other access(es)%s; selecting a "
                "drive is the write, then the 400 ns delay: exactly "
                "ATA_DELAY_READS = %d alternate-status reads", c.alt_reads, c.others,
                lim_first_other(&c), ATA_DELAY_READS);
}

/* ata_wait on a drive busy for BUSY reads, with the clock stopped: the
 * result, and how many times it read the alternate status. */
static int poll_drive_busy_for(struct ata_channel *a, unsigned long busy, struct lim_count *c)
{
    uint8_t st = 0;
    lim_busy_reads = busy;
    lim_reads = lim_other_reads = 0;
    enum intr_level old = intr_disable(); /* ata_hw_ms stands still: only the limit ends it */
    port_trace_start(lim_trace, LIM_TRACE_CAP);
    port_trace_set_reader(lim_reader);
    int err = ata_wait(a, ATA_SR_DRQ, ATA_SR_DRQ, NULL, &st);
    *c = lim_stop(false); /* the channel's writes */
    intr_set_level(old);
    c->alt_reads = lim_reads;
    c->others += (unsigned int)lim_other_reads;
    return err;
}

/* A drive busy in every read: exactly ATA_POLL_LIMIT reads, then the
 * timeout; one ready at the last allowed read: served. */
static void check_poll_limit(struct ata_channel *a)
{
    struct lim_count c;
    int err = poll_drive_busy_for(a, ATA_POLL_LIMIT, &c);
    if (err != DISK_ERR_TIMEOUT || c.alt_reads != ATA_POLL_LIMIT || c.others != 0) {
        LIM_PROBLEM(LIM_STEP ": a drive busy in every read, with the clock stopped: ata_wait "
                    "returned %d (%s) after %lu alternate-status reads and %u other "
                    "access(es) to the channel; a poll gives up after exactly ATA_POLL_LIMIT "
                    "= %lu reads with DISK_ERR_TIMEOUT", err, disk_strerror(err),
                    c.alt_reads, c.others, (unsigned long)ATA_POLL_LIMIT);
        return;
    }
    err = poll_drive_busy_for(a, ATA_POLL_LIMIT - 1, &c);
    if (err != DISK_OK || c.alt_reads != ATA_POLL_LIMIT)
        LIM_PROBLEM(LIM_STEP ": a drive busy for ATA_POLL_LIMIT - 1 reads, then ready with "
                    "DRQ: ata_wait returned %d (%s) after %lu reads; the last of its "
                    "ATA_POLL_LIMIT = %lu allowed reads found it ready, so it must succeed",
                    err, disk_strerror(err), c.alt_reads, (unsigned long)ATA_POLL_LIMIT);
}

/* A drive busy in every read, interrupts on so the clock runs: ata_wait
 * may time out, but only once more than ATA_TIMEOUT_MS have passed on the
 * millisecond clock (T0 is read before the driver's own start, so a driver
 * that waits for more than ATA_TIMEOUT_MS by its clock waited more by T0's)
 * or ATA_POLL_LIMIT reads were made. */
static void check_timeout_not_early(struct ata_channel *a)
{
    uint8_t st = 0;
    lim_busy_reads = ~0ul;
    lim_reads = lim_other_reads = 0;
    port_trace_start(lim_trace, LIM_TRACE_CAP);
    port_trace_set_reader(lim_reader);
    lim_halt = true;
    uint32_t t0 = ata_hw_ms();
    int err = ata_wait(a, ATA_SR_DRQ, ATA_SR_DRQ, NULL, &st);
    uint32_t waited = ata_hw_ms() - t0;
    lim_halt = false;
    (void)port_trace_stop(); /* the timer's and console's own accesses: not judged here */
    if (err != DISK_ERR_TIMEOUT)
        LIM_PROBLEM(LIM_STEP ": a drive busy in every read: ata_wait returned %d (%s), "
                    "expected DISK_ERR_TIMEOUT", err, disk_strerror(err));
    else if (lim_reads < ATA_POLL_LIMIT && waited <= ATA_TIMEOUT_MS)
        LIM_PROBLEM(LIM_STEP ": a drive busy in every read: ata_wait gave up after %lu ms "
                    "and %lu reads; a poll may give up only once more than ATA_TIMEOUT_MS "
                    "= %d ms have passed on ata_hw_ms (its first ms may be partly over) or "
                    "ATA_POLL_LIMIT = %lu reads were made",
                    (unsigned long)waited, lim_reads, ATA_TIMEOUT_MS,
                    (unsigned long)ATA_POLL_LIMIT);
}

/* Run CHECK on the data disk's channel, owned like a request (as
 * disk_set_mode does), then fail with the first problem it found. */
static void with_channel(void (*check)(struct ata_channel *a))
{
    struct disk_request r;
    TESTS_REQUIRE_DISK();
    struct disk_channel *ch = tests_channel();
    struct ata_channel *a = &ch->ata;
    lim_alt_port = (uint16_t)(a->ctrl_base + ATA_CTRL_ALT_STATUS);
    lim_io_base = a->io_base;
    lim_failed = false;
    disk_request_init(&r, NULL);
    r.positioned = false;
    disk_channel_acquire(ch, &r);
    check(a);
    disk_channel_finish(ch, &r, DISK_OK);
    if (lim_failed)
        KT_FAIL("%s", lim_problem);
}

KTEST(disk_ata_delay_reads)
{
    with_channel(check_delays);
}

/* QEMU only in the rubric: Bochs takes about 20 s per four million polls. */
KTEST(disk_ata_poll_limit)
{
    with_channel(check_poll_limit);
}

KTEST(disk_ata_wait_timeout_not_early)
{
    with_channel(check_timeout_not_early);
}
