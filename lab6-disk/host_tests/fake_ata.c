/* fake_ata.c: a simulated primary ATA channel (registers, BSY/DRQ timing, 400 ns settle rule, INTRQ, faults) for host tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_ata.h"
#include "lab6-disk/ata.h"
#include "lab6-disk/ata_hw.h"

struct fake_ata fake;

enum phase { PH_IDLE, PH_BUSY, PH_READ_DATA, PH_WRITE_DATA, PH_WRITE_BUSY };

static struct {
    uint8_t seccount, lba_low, lba_mid, lba_high, device;
    int selected;
    int settle;       /* alternate-status reads still needed after a select */
    enum phase phase[2];
    int busy_left[2];
    uint8_t status[2], error[2];
    uint8_t buffer[2][512];
    unsigned word[2]; /* next data word */
    uint8_t pending_cmd[2];
    uint32_t lba[2];
    uint32_t ms;
} hw;

void fake_ata_reset(void)
{
    memset(&fake, 0, sizeof fake);
    memset(&hw, 0, sizeof hw);
    fake.busy_polls = 3;
    fake.device_control = ATA_DC_NIEN;
    hw.status[0] = hw.status[1] = ATA_SR_DRDY;
}

void fake_ata_fill(int d)
{
    for (int s = 0; s < FAKE_SECTORS; s++)
        for (int i = 0; i < 512; i++)
            fake.drive[d].image[s][i] = (uint8_t)(d * 101 + s * 7 + i * 3);
}

void fake_ata_pause(void)
{
    fake.pauses++;
}

uint32_t ata_hw_ms(void)
{
    return fake.clock_stopped ? 0 : hw.ms;
}

static void raise_irq(void)
{
    if (!(fake.device_control & ATA_DC_NIEN)) {
        fake.irq_pending = true;
        fake.irqs_raised++;
    }
}

static void fail_cmd(int d, uint8_t err)
{
    hw.phase[d] = PH_IDLE;
    hw.status[d] = ATA_SR_DRDY | ATA_SR_ERR;
    hw.error[d] = err;
    raise_irq();
}

/* Advance drive D's state machine by one status read. */
static void tick(int d)
{
    struct fake_drive *dr = &fake.drive[d];

    hw.ms++;
    if (hw.phase[d] != PH_BUSY && hw.phase[d] != PH_WRITE_BUSY)
        return;
    if (dr->stuck || --hw.busy_left[d] > 0)
        return;
    uint32_t lba = hw.lba[d];
    if (hw.phase[d] == PH_WRITE_BUSY) {
        if (lba < FAKE_SECTORS && dr->bad_write[lba]) {
            fail_cmd(d, ATA_ER_ABRT);
            return;
        }
        memcpy(dr->image[lba], hw.buffer[d], 512);
        hw.phase[d] = PH_IDLE;
        hw.status[d] = ATA_SR_DRDY;
        raise_irq();
        return;
    }
    switch (hw.pending_cmd[d]) {
    case ATA_CMD_READ_SECTORS:
        if (lba >= dr->sectors || lba >= FAKE_SECTORS) {
            fail_cmd(d, ATA_ER_IDNF | ATA_ER_ABRT);
            return;
        }
        if (dr->bad_read[lba]) {
            fail_cmd(d, ATA_ER_UNC);
            return;
        }
        memcpy(hw.buffer[d], dr->image[lba], 512);
        hw.phase[d] = PH_READ_DATA;
        hw.word[d] = 0;
        hw.status[d] = ATA_SR_DRDY | ATA_SR_DRQ;
        raise_irq();
        return;
    case ATA_CMD_WRITE_SECTORS:
        if (lba >= dr->sectors || lba >= FAKE_SECTORS) {
            fail_cmd(d, ATA_ER_IDNF | ATA_ER_ABRT);
            return;
        }
        hw.phase[d] = PH_WRITE_DATA; /* no interrupt before the data */
        hw.word[d] = 0;
        hw.status[d] = ATA_SR_DRDY | ATA_SR_DRQ;
        return;
    case ATA_CMD_IDENTIFY: {
        uint16_t *w = (uint16_t *)hw.buffer[d];
        const char *model = d ? "FAKE SLAVE DISK" : "FAKE MASTER DISK";
        memset(w, 0, 512);
        for (int i = 0; i < ATA_ID_MODEL_WORDS * 2; i++) {
            char c = i < (int)strlen(model) ? model[i] : ' ';
            if (i % 2 == 0)
                w[ATA_ID_MODEL + i / 2] = (uint16_t)((uint8_t)c << 8);
            else
                w[ATA_ID_MODEL + i / 2] |= (uint8_t)c;
        }
        w[ATA_ID_CAPABILITIES] = ATA_ID_CAP_LBA;
        w[ATA_ID_LBA28_SECTORS] = (uint16_t)dr->sectors;
        w[ATA_ID_LBA28_SECTORS + 1] = (uint16_t)(dr->sectors >> 16);
        hw.phase[d] = PH_READ_DATA;
        hw.word[d] = 0;
        hw.status[d] = ATA_SR_DRDY | ATA_SR_DRQ;
        raise_irq();
        return;
    }
    default:
        fail_cmd(d, ATA_ER_ABRT);
    }
}

static uint8_t status_of(int d)
{
    if (hw.phase[d] == PH_BUSY || hw.phase[d] == PH_WRITE_BUSY)
        return ATA_SR_BSY;
    return hw.status[d];
}

static void check_settled(const char *what)
{
    if (hw.settle > 0) {
        fake.violations++;
        if (getenv("FAKE_ATA_ECHO"))
            fprintf(stderr, "fake_ata: %s before the 400 ns settle time\n", what);
    }
}

uint8_t ata_hw_inb(uint16_t port)
{
    int d = hw.selected;
    bool present = fake.drive[d].present;

    if (fake.floating)
        return 0xFF;
    if (port == ATA_PRIMARY_CTRL_BASE + ATA_CTRL_ALT_STATUS) {
        fake.alt_reads++;
        if (hw.settle > 0) {
            hw.settle--;
            hw.ms++;
            return ATA_SR_BSY | ATA_SR_DRQ; /* not yet the new drive's status */
        }
        tick(d);
        return present ? status_of(d) : 0;
    }
    switch (port - ATA_PRIMARY_IO_BASE) {
    case ATA_REG_STATUS:
        check_settled("status read");
        fake.status_reads++;
        tick(d);
        fake.irq_pending = false; /* reading status acknowledges */
        return present ? status_of(d) : 0;
    case ATA_REG_ERROR:
        return present ? hw.error[d] : 0;
    case ATA_REG_SECTOR_COUNT:
        return hw.seccount;
    case ATA_REG_LBA_LOW:
        return hw.lba_low;
    case ATA_REG_LBA_MID:
        return (present && fake.drive[d].atapi) ? 0x14 : hw.lba_mid;
    case ATA_REG_LBA_HIGH:
        return (present && fake.drive[d].atapi) ? 0xEB : hw.lba_high;
    case ATA_REG_DEVICE:
        return hw.device;
    default:
        return 0xFF;
    }
}

void ata_hw_outb(uint16_t port, uint8_t v)
{
    if (port == ATA_PRIMARY_CTRL_BASE + ATA_CTRL_DEVICE_CONTROL) {
        fake.device_control = v;
        if (v & ATA_DC_SRST)
            for (int d = 0; d < 2; d++) {
                hw.phase[d] = PH_IDLE;
                hw.status[d] = ATA_SR_DRDY;
            }
        return;
    }
    int reg = port - ATA_PRIMARY_IO_BASE;
    if (reg != ATA_REG_DEVICE)
        check_settled("register write");
    int d = hw.selected;
    switch (reg) {
    case ATA_REG_SECTOR_COUNT: hw.seccount = v; break;
    case ATA_REG_LBA_LOW: hw.lba_low = v; break;
    case ATA_REG_LBA_MID: hw.lba_mid = v; break;
    case ATA_REG_LBA_HIGH: hw.lba_high = v; break;
    case ATA_REG_DEVICE:
        hw.device = v;
        fake.last_device = v;
        hw.selected = (v & ATA_DEV_SLAVE) ? 1 : 0;
        hw.settle = 4;
        break;
    case ATA_REG_COMMAND:
        fake.commands++;
        fake.last_command = v;
        if (!fake.drive[d].present)
            break; /* an empty slot ignores commands */
        if (hw.phase[d] != PH_IDLE) {
            fake.violations++; /* command while the drive is busy */
            break;
        }
        if (v != ATA_CMD_IDENTIFY && hw.seccount != 1)
            fake.violations++; /* the driver only moves one sector */
        if (v == ATA_CMD_IDENTIFY && fake.drive[d].atapi) {
            fail_cmd(d, ATA_ER_ABRT);
            break;
        }
        fake.irq_pending = false; /* a new command clears INTRQ */
        hw.lba[d] = (uint32_t)hw.lba_low | ((uint32_t)hw.lba_mid << 8) |
                    ((uint32_t)hw.lba_high << 16) |
                    ((uint32_t)(hw.device & ATA_DEV_LBA_TOP) << 24);
        fake.last_lba = hw.lba[d];
        hw.pending_cmd[d] = v;
        hw.phase[d] = PH_BUSY;
        hw.busy_left[d] = fake.busy_polls;
        break;
    default:
        break;
    }
}

void ata_hw_insw(uint16_t port, void *buf, uint32_t words)
{
    int d = hw.selected;
    uint16_t *out = buf;

    check_settled("data read");
    if (port != ATA_PRIMARY_IO_BASE + ATA_REG_DATA || hw.phase[d] != PH_READ_DATA) {
        fake.violations++;
        return;
    }
    for (uint32_t i = 0; i < words && hw.word[d] < 256; i++, hw.word[d]++)
        memcpy(&out[i], &hw.buffer[d][hw.word[d] * 2], 2);
    if (hw.word[d] == 256) {
        hw.phase[d] = PH_IDLE;
        hw.status[d] = ATA_SR_DRDY;
    }
}

void ata_hw_outsw(uint16_t port, const void *buf, uint32_t words)
{
    int d = hw.selected;
    const uint16_t *in = buf;

    check_settled("data write");
    if (port != ATA_PRIMARY_IO_BASE + ATA_REG_DATA || hw.phase[d] != PH_WRITE_DATA) {
        fake.violations++;
        return;
    }
    for (uint32_t i = 0; i < words && hw.word[d] < 256; i++, hw.word[d]++)
        memcpy(&hw.buffer[d][hw.word[d] * 2], &in[i], 2);
    if (hw.word[d] == 256) {
        hw.phase[d] = PH_WRITE_BUSY;
        hw.busy_left[d] = fake.busy_polls;
    }
}
