/* tests_ata_trace.c: a traced, partly simulated ATA drive for lab 6's protocol tests, and checks of the trace. */
#include <stddef.h>

#include "common/intr_level.h"
#include "common/kstring.h"
#include "common/x86.h"
#include "ata_hw.h"
#include "disk_trace.h"
#include "tests_ata_trace.h"
#include "tests_disk_util.h"

/* How the overlay answers: tests_ata_trace.h. */

struct port_trace_entry proto_trace[PROTO_TRACE_CAP];
struct proto_overlay proto_ov;

/* Catch up with the entries recorded since the last call: a device,
 * command or data write restarts the count of alternate-status reads. */
static void overlay_catch_up(void)
{
    struct proto_overlay *ov = &proto_ov;
    unsigned int n;
    const struct port_trace_entry *t = port_trace_get(&n);
    for (; ov->seen < n; ov->seen++) {
        const struct port_trace_entry *x = &t[ov->seen];
        enum proto_event e = PROTO_EV_NONE;
        if (x->kind == PORT_TRACE_OUTB && x->port == ov->io + ATA_REG_DEVICE)
            e = PROTO_EV_SELECT;
        else if (x->kind == PORT_TRACE_OUTB && x->port == ov->io + ATA_REG_COMMAND)
            e = PROTO_EV_COMMAND;
        else if (x->kind == PORT_TRACE_OUTSW && x->port == ov->io)
            e = PROTO_EV_WRITE_DATA;
        else if (x->kind == PORT_TRACE_INSW && x->port == ov->io)
            e = PROTO_EV_READ_DATA;
        if (ov->refused && x->kind == PORT_TRACE_OUTB)
            ov->off = true; /* the refused request is over: a new one starts */
        if (e == PROTO_EV_COMMAND && ov->refuse)
            ov->waiter_go = true;
        if (e != PROTO_EV_NONE) {
            ov->event = e;
            ov->alt_reads = 0;
            if (e == ov->stuck_event)
                ov->stuck_after = true;
        }
    }
}

/* The overlay (see tests_ata_trace.h): answer PORT's read, or return false
 * to let the drive answer. */
static bool overlay_reader(uint16_t port, uint8_t *value)
{
    struct proto_overlay *ov = &proto_ov;
    uint16_t status = (uint16_t)(ov->io + ATA_REG_STATUS);
    uint16_t error = (uint16_t)(ov->io + ATA_REG_ERROR);
    overlay_catch_up();
    if (ov->off)
        return false;
    if (ov->stuck_after && ov->refuse && (port == ov->alt || port == status || port == error)) {
        struct disk_channel *ch = tests_channel();
        if (ov->refuse_after_waiter && list_empty(&ch->queue.pending)) {
            *value = PROTO_BUSY; /* the drive takes its time: a waiter comes */
            return true;
        }
        if (!ov->refused) {
            ov->refused = true;
            ch->needs_reset = true; /* the real drive still wants the sector */
        }
        *value = port == error ? ATA_ER_ABRT : ov->refuse_status;
        return true;
    }
    if (ov->stuck_after && !ov->refuse && (port == ov->alt || port == status)) {
        /* Busy for ever: each answer waits for the next interrupt (a timer
         * tick at the latest) with the CPU halted, so the driver's
         * ATA_TIMEOUT_MS runs out in ticks rather than in millions of polls
         * that cost seconds of host CPU (on a loaded host, the test's time
         * limit). Never with interrupts off: nothing would wake the CPU. */
        if (!ov->stuck_clock) {
            ov->stuck_clock = true;
            ov->stuck_ms0 = ata_hw_ms();
        } else if (ata_hw_ms() - ov->stuck_ms0 > PROTO_STUCK_MAX_MS) {
            ov->overdue = true; /* the driver never gives up: let the drive answer */
            ov->off = true;
            return false;
        }
        if (intr_get_level() == INTR_ON)
            cpu_hlt();
        *value = PROTO_BUSY;
        return true;
    }
    if (ov->fake_status && port == status) {
        *value = ov->status;
        return true;
    }
    if (ov->fake_status && port == error) {
        *value = ov->error;
        return true;
    }
    if (port != ov->alt || ov->event == PROTO_EV_NONE || ov->event == PROTO_EV_READ_DATA)
        return false;
    unsigned int k = ++ov->alt_reads;
    if (k <= PROTO_SETTLE_READS) {
        *value = ov->event == PROTO_EV_COMMAND ? PROTO_STALE_ERR : PROTO_STALE_READY;
        return true;
    }
    if (ov->event == PROTO_EV_WRITE_DATA || ov->event == PROTO_EV_SELECT) {
        if (k <= PROTO_SETTLE_READS + PROTO_DRQ_READS) {
            *value = PROTO_DRQ_HELD;
            return true;
        }
        k -= PROTO_DRQ_READS;
    }
    if (k <= PROTO_SETTLE_READS + PROTO_BUSY_READS) {
        if (k == PROTO_SETTLE_READS + 1)
            ov->busy_phases++;
        *value = PROTO_BUSY;
        return true;
    }
    return false;
}

bool proto_is_read(const struct port_trace_entry *e, enum ata_reg reg)
{
    return e->kind == PORT_TRACE_INB && e->port == proto_ov.io + reg;
}

bool proto_is_alt_read(const struct port_trace_entry *e)
{
    return e->kind == PORT_TRACE_INB && e->port == proto_ov.alt;
}

/* Start a full trace of the primary channel with the overlay. */
void proto_trace_begin(enum proto_event stuck_event)
{
    struct ata_channel *a = &tests_channel()->ata;
    memset(&proto_ov, 0, sizeof proto_ov);
    proto_ov.io = a->io_base;
    proto_ov.alt = (uint16_t)(a->ctrl_base + ATA_CTRL_ALT_STATUS);
    proto_ov.stuck_event = stuck_event;
    proto_ov.issue_marks0 = disk_trace_get()->issue_marks;
    port_trace_start_full(proto_trace, PROTO_TRACE_CAP);
    port_trace_set_reader(overlay_reader);
}

/* Stop tracing; keep only the channel's accesses, in order; return how many.
 * A trace that overflowed fails the test if WHOLE (its checks need it all). */
unsigned int proto_trace_end(bool whole)
{
    unsigned int total = port_trace_stop(), n = 0;
    const struct disk_trace *dt = disk_trace_get();
    if (total > PROTO_TRACE_CAP && !whole)
        total = PROTO_TRACE_CAP;
    if (total > PROTO_TRACE_CAP)
        KT_FAIL("the trace overflowed (%u entries): the request made far more port accesses "
                "than one transfer needs", total);
    proto_ov.issued_seen = dt->issue_marks != proto_ov.issue_marks0;
    proto_ov.issued_at = 0;
    for (unsigned int i = 0; i < total; i++) {
        if (proto_ov.issued_seen && i == dt->issue_port_entry)
            proto_ov.issued_at = n;
        if ((proto_trace[i].port >= proto_ov.io &&
             proto_trace[i].port <= proto_ov.io + ATA_REG_COMMAND) ||
            proto_trace[i].port == proto_ov.alt)
            proto_trace[n++] = proto_trace[i];
    }
    if (proto_ov.issued_seen && dt->issue_port_entry >= total)
        proto_ov.issued_at = n;
    return n;
}

/* ---- Reading the trace ------------------------------------------------ */

static bool is_write(const struct port_trace_entry *e, uint16_t port)
{
    return e->kind == PORT_TRACE_OUTB && e->port == port;
}

/* Expect the next access to be a write of VALUE to register REG. */
void proto_expect_out(struct proto_cursor *c, enum ata_reg reg, uint8_t value, const char *name)
{
    if (c->i >= c->n || !is_write(&proto_trace[c->i], (uint16_t)(proto_ov.io + reg)))
        KT_FAIL("%s: expected a write of the %s register (0x%x) next, found %s 0x%x "
                "(access %u of %u)", c->what, name, proto_ov.io + reg,
                c->i >= c->n ? "the end of the trace, port" :
                proto_trace[c->i].kind == PORT_TRACE_OUTB ? "a write of port" : "a read of port",
                c->i < c->n ? proto_trace[c->i].port : 0, c->i, c->n);
    if (proto_trace[c->i].value != value)
        KT_FAIL("%s: %s register written 0x%02x, expected 0x%02x", c->what, name,
                proto_trace[c->i].value, value);
    c->i++;
}

/* A wait: alternate-status reads only (never the status register, which
 * acknowledges), enough to cover the 400 ns delay and the overlay's BSY
 * answers, ending with one that reached the drive and says BSY is clear and
 * (status & MASK) == WANT. WHEN names the step. */
void proto_expect_wait(struct proto_cursor *c, uint8_t mask, uint8_t want, const char *when)
{
    unsigned long reads = 0;
    uint8_t last = 0;
    for (; c->i < c->n && proto_is_alt_read(&proto_trace[c->i]);
         c->i++) {
        reads += proto_trace[c->i].count;
        last = proto_trace[c->i].value;
    }
    if (reads > 0 && ((last & ATA_SR_BSY) || (last & mask) != want))
        KT_FAIL("%s: %s, the driver went on after status 0x%02x; expected BSY clear and "
                "status & 0x%02x == 0x%02x", c->what, when, last, mask, want);
    if (reads <= PROTO_SETTLE_READS + PROTO_BUSY_READS)
        KT_FAIL("%s: %s, the driver read the alternate status %lu time(s) before going on; "
                "expected 4 reads for the 400 ns delay (values ignored), then polls until "
                "the drive says BSY is clear (the test's drive answered BSY %d times)",
                c->what, when, reads, PROTO_BUSY_READS);
}

/* Expect one data transfer of a whole sector in direction KIND. */
void proto_expect_data(struct proto_cursor *c, enum port_trace_kind kind)
{
    const char *dir = kind == PORT_TRACE_INSW ? "insw" : "outsw";
    if (c->i >= c->n || proto_trace[c->i].kind != kind || proto_trace[c->i].port != proto_ov.io)
        KT_FAIL("%s: expected the sector's data (%s of the data register) next, found "
                "access %u of %u to port 0x%x", c->what, dir, c->i, c->n,
                c->i < c->n ? proto_trace[c->i].port : 0);
    if (proto_trace[c->i].count != ATA_SECTOR_WORDS)
        KT_FAIL("%s: %s moved %lu words, expected %d (one sector)", c->what, dir,
                (unsigned long)proto_trace[c->i].count, ATA_SECTOR_WORDS);
    c->i++;
}

/* Expect one read of the status register (the acknowledgement); returns it. */
uint8_t proto_expect_status(struct proto_cursor *c, const char *when)
{
    if (c->i >= c->n || proto_trace[c->i].kind != PORT_TRACE_INB ||
        proto_trace[c->i].port != proto_ov.io + ATA_REG_STATUS || proto_trace[c->i].count != 1)
        KT_FAIL("%s: %s, expected exactly one read of the status register (0x%x: it "
                "acknowledges the interrupt), found access %u of %u to port 0x%x",
                c->what, when, proto_ov.io + ATA_REG_STATUS, c->i, c->n,
                c->i < c->n ? proto_trace[c->i].port : 0);
    return proto_trace[c->i++].value;
}

void proto_expect_end(struct proto_cursor *c)
{
    if (c->i != c->n)
        KT_FAIL("%s: %u more access(es) after the request was over, first to port 0x%x "
                "(%s)", c->what, c->n - c->i, proto_trace[c->i].port,
                proto_trace[c->i].kind == PORT_TRACE_OUTB ? "write" : "read");
}

/* Select, wait until ready, sector count and LBA, then COMMAND. */
void proto_expect_setup(struct proto_cursor *c, const struct disk *d, uint32_t lba,
                         uint8_t command)
{
    uint8_t dev = (uint8_t)(0xE0 | (d->drive == ATA_SLAVE ? 0x10 : 0) | ((lba >> 24) & 0x0F));
    proto_expect_out(c, ATA_REG_DEVICE, dev, "device (1 LBA 1 DRV + LBA bits 24-27)");
    proto_expect_wait(c, ATA_SR_DRQ, 0, "after selecting the drive (ready: BSY and DRQ clear)");
    proto_expect_out(c, ATA_REG_SECTOR_COUNT, 1, "sector count");
    proto_expect_out(c, ATA_REG_LBA_LOW, (uint8_t)lba, "LBA low (bits 0-7)");
    proto_expect_out(c, ATA_REG_LBA_MID, (uint8_t)(lba >> 8), "LBA mid (bits 8-15)");
    proto_expect_out(c, ATA_REG_LBA_HIGH, (uint8_t)(lba >> 16), "LBA high (bits 16-23)");
    proto_expect_out(c, ATA_REG_COMMAND, command, "command");
}
