/* ata.c: ATA PIO primitives: drive select with the 400 ns delay, status polling, IDENTIFY, polled transfers. */
#include <stddef.h>

#include "ata.h"
#include "ata_hw.h"
#include "common/debug.h"
#include "common/kstring.h"

static uint16_t reg(const struct ata_channel *ch, enum ata_reg r)
{
    return (uint16_t)(ch->io_base + r);
}

static uint16_t ctrl(const struct ata_channel *ch, enum ata_ctrl_reg r)
{
    return (uint16_t)(ch->ctrl_base + r);
}

void ata_channel_init(struct ata_channel *ch, const char *name, uint16_t io_base,
                      uint16_t ctrl_base, int irq)
{
    KASSERT(ch != NULL && name != NULL);
    memset(ch, 0, sizeof *ch);
    ch->name = name;
    ch->io_base = io_base;
    ch->ctrl_base = ctrl_base;
    ch->irq = irq;
    ch->device_control = ATA_DC_NIEN; /* quiet until someone enables it */
}

uint8_t ata_alt_status(struct ata_channel *ch)
{
    ch->status_reads++;
    return ata_hw_inb(ctrl(ch, ATA_CTRL_ALT_STATUS));
}

uint8_t ata_status(struct ata_channel *ch)
{
    ch->status_reads++;
    return ata_hw_inb(reg(ch, ATA_REG_STATUS));
}

uint8_t ata_error(struct ata_channel *ch)
{
    return ata_hw_inb(reg(ch, ATA_REG_ERROR));
}

void ata_delay_400ns(struct ata_channel *ch)
{
    /* LAB 6: TODO read the alternate status register ATA_DELAY_READS times */
    /* LAB 6: BEGIN SOLUTION */
    for (int i = 0; i < ATA_DELAY_READS; i++)
        (void)ata_alt_status(ch);
    /* LAB 6: END SOLUTION */
    (void)ch;
}

void ata_select(struct ata_channel *ch, enum ata_drive drive, uint32_t lba)
{
    KASSERT(drive == ATA_MASTER || drive == ATA_SLAVE);
    KASSERT(lba < ATA_LBA28_LIMIT);
    /* LAB 6: TODO write the device register (obsolete bits, LBA mode, the
     * drive bit, LBA bits 24-27), then give the drive 400 ns to answer. */
    /* LAB 6: BEGIN SOLUTION */
    uint8_t dev = ATA_DEV_OBSOLETE | ATA_DEV_LBA | ((lba >> 24) & ATA_DEV_LBA_TOP);
    if (drive == ATA_SLAVE)
        dev |= ATA_DEV_SLAVE;
    ata_hw_outb(reg(ch, ATA_REG_DEVICE), dev);
    ata_delay_400ns(ch);
    /* LAB 6: END SOLUTION */
    (void)ch;
}

int ata_check(struct ata_channel *ch, uint8_t status)
{
    ch->last_status = status;
    ch->last_error = 0;
    /* LAB 6: TODO on ERR or DF: save the error register, return DISK_ERR_DRIVE */
    /* LAB 6: BEGIN SOLUTION full */
    if (status & ATA_SR_FAILED) {
        ch->last_error = ata_error(ch);
        return DISK_ERR_DRIVE;
    }
    /* LAB 6: END SOLUTION */
    return DISK_OK;
}

/* Poll the alternate status until BSY is clear and (status & MASK) == WANT;
 * with FAIL_ON_ERROR, ERR or DF end the wait with DISK_ERR_DRIVE. Before a
 * command the ERR bit still describes the previous command, so ata_setup
 * polls without FAIL_ON_ERROR. */
static int ata_poll(struct ata_channel *ch, uint8_t mask, uint8_t want, bool fail_on_error,
                    ata_pause_fn *pause, uint8_t *status)
{
    uint32_t start = ata_hw_ms();
    uint8_t st = 0;
    int result = DISK_ERR_TIMEOUT;

    /* LAB 6: TODO poll the alternate status: while BSY, call PAUSE (if any)
     * and give up once more than ATA_TIMEOUT_MS have passed on ata_hw_ms
     * (its first millisecond may be partly over) or after ATA_POLL_LIMIT
     * polls; once BSY is clear, fail on ERR/DF if FAIL_ON_ERROR
     * (ata_check), succeed when (st & MASK) == WANT. */
    /* LAB 6: BEGIN SOLUTION */
    for (unsigned long polls = 0; polls < ATA_POLL_LIMIT; polls++) {
        st = ata_alt_status(ch);
        if (!(st & ATA_SR_BSY)) {
            if (fail_on_error && (st & ATA_SR_FAILED)) {
                result = ata_check(ch, st);
                break;
            }
            if ((st & mask) == want) {
                result = DISK_OK;
                break;
            }
        }
        if (ata_hw_ms() - start > ATA_TIMEOUT_MS)
            break;
        if (pause != NULL)
            pause();
    }
    /* LAB 6: END SOLUTION */
    (void)start, (void)mask, (void)want, (void)fail_on_error, (void)pause;
    if (status != NULL)
        *status = st;
    if (result == DISK_ERR_TIMEOUT)
        ch->last_status = st;
    return result;
}

int ata_wait(struct ata_channel *ch, uint8_t mask, uint8_t want, ata_pause_fn *pause,
             uint8_t *status)
{
    return ata_poll(ch, mask, want, true, pause, status);
}

int ata_setup(struct ata_channel *ch, enum ata_drive drive, uint32_t lba,
              ata_pause_fn *pause)
{
    int err = DISK_OK;

    /* LAB 6: TODO select the drive, wait until it is ready (ata_poll: BSY and
     * DRQ clear, PAUSE between polls; an ERR left by the previous command
     * does not count), then program sector count 1 and the LBA low, mid and
     * high bytes. */
    /* LAB 6: BEGIN SOLUTION full */
    ata_select(ch, drive, lba);
    err = ata_poll(ch, ATA_SR_DRQ, 0, false, pause, NULL);
    if (err != DISK_OK)
        return err;
    ata_hw_outb(reg(ch, ATA_REG_SECTOR_COUNT), 1);
    ata_hw_outb(reg(ch, ATA_REG_LBA_LOW), (uint8_t)lba);
    ata_hw_outb(reg(ch, ATA_REG_LBA_MID), (uint8_t)(lba >> 8));
    ata_hw_outb(reg(ch, ATA_REG_LBA_HIGH), (uint8_t)(lba >> 16));
    /* LAB 6: END SOLUTION */
    (void)ch, (void)drive, (void)lba, (void)pause;
    return err;
}

void ata_command(struct ata_channel *ch, uint8_t command)
{
    ata_hw_outb(reg(ch, ATA_REG_COMMAND), command);
}

void ata_read_data(struct ata_channel *ch, void *buf)
{
    KASSERT(buf != NULL);
    ata_hw_insw(reg(ch, ATA_REG_DATA), buf, ATA_SECTOR_WORDS);
}

void ata_write_data(struct ata_channel *ch, const void *buf)
{
    KASSERT(buf != NULL);
    ata_hw_outsw(reg(ch, ATA_REG_DATA), buf, ATA_SECTOR_WORDS);
}

void ata_set_interrupts(struct ata_channel *ch, bool enabled)
{
    ch->device_control = enabled ? 0 : ATA_DC_NIEN;
    ata_hw_outb(ctrl(ch, ATA_CTRL_DEVICE_CONTROL), ch->device_control);
}

int ata_reset(struct ata_channel *ch)
{
    uint32_t start;

    ata_hw_outb(ctrl(ch, ATA_CTRL_DEVICE_CONTROL), ch->device_control | ATA_DC_SRST);
    start = ata_hw_ms();
    while (ata_hw_ms() - start < 2) /* SRST must stay set for >= 5 us */
        (void)ata_alt_status(ch);
    ata_hw_outb(ctrl(ch, ATA_CTRL_DEVICE_CONTROL), ch->device_control);
    ata_delay_400ns(ch);
    return ata_poll(ch, 0, 0, false, NULL, NULL);
}

/* Copy the byte-swapped, space-padded model string out of IDENTIFY data. */
static void ata_copy_model(char *out, const uint16_t *words)
{
    int n = 0;

    for (int i = 0; i < ATA_ID_MODEL_WORDS; i++) {
        out[n++] = (char)(words[ATA_ID_MODEL + i] >> 8);
        out[n++] = (char)(words[ATA_ID_MODEL + i] & 0xFF);
    }
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\0'))
        out[--n] = '\0';
}

int ata_identify(struct ata_channel *ch, enum ata_drive drive, struct ata_identity *id)
{
    uint16_t words[ATA_SECTOR_WORDS];
    uint8_t st;

    KASSERT(id != NULL);
    memset(id, 0, sizeof *id);
    ata_select(ch, drive, 0);
    if (ata_alt_status(ch) == 0xFF) /* floating bus: no drive on the channel */
        return DISK_ERR_NO_DRIVE;
    int err = ata_poll(ch, 0, 0, false, NULL, NULL); /* the other drive may be busy */
    if (err == DISK_ERR_TIMEOUT)
        return err;
    ata_hw_outb(reg(ch, ATA_REG_SECTOR_COUNT), 0);
    ata_hw_outb(reg(ch, ATA_REG_LBA_LOW), 0);
    ata_hw_outb(reg(ch, ATA_REG_LBA_MID), 0);
    ata_hw_outb(reg(ch, ATA_REG_LBA_HIGH), 0);
    ata_command(ch, ATA_CMD_IDENTIFY);
    ata_delay_400ns(ch);
    if (ata_alt_status(ch) == 0) { /* an empty slot answers 0 */
        (void)ata_status(ch);
        return DISK_ERR_NO_DRIVE;
    }
    id->present = true;
    err = ata_wait(ch, 0, 0, NULL, &st);
    if (err == DISK_ERR_TIMEOUT)
        return err;
    /* ATAPI and SATA devices abort IDENTIFY and leave a signature here. */
    if (ata_hw_inb(reg(ch, ATA_REG_LBA_MID)) != 0 || ata_hw_inb(reg(ch, ATA_REG_LBA_HIGH)) != 0) {
        (void)ata_status(ch);
        return DISK_ERR_NO_DRIVE;
    }
    err = ata_wait(ch, ATA_SR_DRQ, ATA_SR_DRQ, NULL, &st);
    if (err != DISK_OK) {
        (void)ata_status(ch);
        return err;
    }
    ata_read_data(ch, words);
    err = ata_check(ch, ata_status(ch));
    if (err != DISK_OK)
        return err;
    ata_copy_model(id->model, words);
    id->sectors = (uint32_t)words[ATA_ID_LBA28_SECTORS] |
                  ((uint32_t)words[ATA_ID_LBA28_SECTORS + 1] << 16);
    id->ata = (words[ATA_ID_CAPABILITIES] & ATA_ID_CAP_LBA) != 0 && id->sectors > 0;
    return id->ata ? DISK_OK : DISK_ERR_NO_DRIVE;
}

int ata_pio_polled(struct ata_channel *ch, enum ata_drive drive, uint32_t lba, bool write,
                   void *buf, ata_pause_fn *pause)
{
    int err = DISK_ERR_DRIVE;

    KASSERT(buf != NULL);
    /* LAB 6: TODO SimpleDisk: ata_setup, the command, ata_delay_400ns, wait
     * for DRQ, move the data, then (writes) wait until BSY and DRQ are both
     * clear (the drive has taken the sector); end with one
     * read of the status register (ata_status) checked by ata_check. On an
     * error, still read the status register before returning. */
    /* LAB 6: BEGIN SOLUTION */
    err = ata_setup(ch, drive, lba, pause);
    if (err != DISK_OK)
        return err;
    ata_command(ch, write ? ATA_CMD_WRITE_SECTORS : ATA_CMD_READ_SECTORS);
    ata_delay_400ns(ch);
    err = ata_wait(ch, ATA_SR_DRQ, ATA_SR_DRQ, pause, NULL);
    if (err != DISK_OK) {
        (void)ata_status(ch); /* do not leave an interrupt pending */
        return err;
    }
    if (write) {
        ata_write_data(ch, buf);
        ata_delay_400ns(ch);
        err = ata_wait(ch, ATA_SR_DRQ, 0, pause, NULL);
        if (err != DISK_OK) {
            (void)ata_status(ch);
            return err;
        }
    } else {
        ata_read_data(ch, buf);
    }
    err = ata_check(ch, ata_status(ch));
    /* LAB 6: END SOLUTION */
    (void)ch, (void)drive, (void)lba, (void)write, (void)pause;
    return err;
}
