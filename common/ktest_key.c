/* ktest_key.c: take the grader's per-boot key off the command line, out of memory and off the boot disk. */
#include <stdint.h>

#include "kprintf.h"
#include "kstring.h"
#include "ktest_key.h"
#include "ktest.h"
#include "siphash.h"
#include "x86.h"

#define KEY_WORD      KTEST_KEY_NAME "="
#define KEY_WORD_LEN  (sizeof KEY_WORD - 1)
#define KEY_HEX       (2 * SIPHASH_KEY_BYTES)

/* Conventional memory scanned for stray copies: above the BIOS data area,
 * below the EBDA/video area. */
#define LOWMEM_SCAN_START 0x00000500u
#define LOWMEM_SCAN_END   0x0009FC00u

/* Primary ATA channel, master drive: where the loader found the command line. */
#define ATA_DATA        0x1F0
#define ATA_COUNT       0x1F2
#define ATA_LBA_LO      0x1F3
#define ATA_LBA_MID     0x1F4
#define ATA_LBA_HI      0x1F5
#define ATA_DRIVE       0x1F6
#define ATA_STATUS      0x1F7  /* read */
#define ATA_COMMAND     0x1F7  /* write */
#define ATA_CONTROL     0x3F6
#define ATA_SR_BSY      0x80
#define ATA_SR_DF       0x20
#define ATA_SR_DRQ      0x08
#define ATA_SR_ERR      0x01
#define ATA_CTL_NIEN    0x02   /* no INTRQ from the drive while we work */
#define ATA_DRIVE_MASTER_LBA 0xE0
#define ATA_CMD_WRITE   0x30
#define ATA_CMD_FLUSH   0xE7
#define ATA_SPIN_LIMIT  10000000
#define CMDLINE_LBA     1
#define SECTOR_BYTES    512

static bool key_present; /* a well-formed key was handed to ktest */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parse KEY_HEX hex digits at P (followed by a word end) and hand the key
 * to the test runner. */
static bool key_parse(const char *p)
{
    uint8_t k[SIPHASH_KEY_BYTES];

    for (int i = 0; i < KEY_HEX; i++) {
        int v = hex_value(p[i]);
        if (v < 0)
            return false;
        if (i % 2 == 0)
            k[i / 2] = (uint8_t)(v << 4);
        else
            k[i / 2] |= (uint8_t)v;
    }
    if (p[KEY_HEX] != '\0' && !is_space(p[KEY_HEX]))
        return false;
    bool ok = ktest_set_key(k);
    memset(k, 0, sizeof k);
    return ok;
}

/* Remove every ktkey= word (and the blank before it) from S, keeping the
 * last well-formed key; zero the buffer after the new end. */
static void cmdline_strip(char *s, size_t size)
{
    size_t r = 0, w = 0, len = strnlen(s, size - 1);

    while (r < len) {
        size_t start = r;
        while (r < len && is_space(s[r]))
            r++;
        size_t word = r;
        while (r < len && !is_space(s[r]))
            r++;
        if (r - word >= KEY_WORD_LEN && memcmp(s + word, KEY_WORD, KEY_WORD_LEN) == 0) {
            if (key_parse(s + word + KEY_WORD_LEN))
                key_present = true;
            else
                kprintf("ktest: malformed %s= ignored (want %d hex digits)\n",
                        KTEST_KEY_NAME, KEY_HEX);
            continue;
        }
        memmove(s + w, s + start, r - start);
        w += r - start;
    }
    memset(s + w, 0, size - w);
}

/* Zero any "ktkey=..." left in conventional memory (BIOS buffers). */
static void lowmem_scrub(void)
{
    volatile char *p = (volatile char *)LOWMEM_SCAN_START;
    volatile char *end = (volatile char *)LOWMEM_SCAN_END - KEY_WORD_LEN - KEY_HEX;

    for (; p < end; p++) {
        size_t i = 0;
        while (i < KEY_WORD_LEN && p[i] == KEY_WORD[i])
            i++;
        if (i < KEY_WORD_LEN)
            continue;
        for (i = 0; i < KEY_WORD_LEN + KEY_HEX; i++)
            p[i] = '\0';
    }
}

/* Wait until the primary channel is not busy; the status, or -1 on timeout. */
static int ata_wait_idle(void)
{
    for (long i = 0; i < ATA_SPIN_LIMIT; i++) {
        uint8_t st = inb(ATA_STATUS);
        if (!(st & ATA_SR_BSY))
            return st;
    }
    return -1;
}

/* Overwrite sector 1 of the boot disk with TEXT, NUL-padded (PIO, polled,
 * drive interrupts masked). Returns 0 or the failing status (-1: timeout). */
static int disk_rewrite_cmdline(const char *text)
{
    static uint16_t sector[SECTOR_BYTES / 2];
    int st;

    memset(sector, 0, sizeof sector);
    strlcpy((char *)sector, text, sizeof sector);
    outb(ATA_CONTROL, ATA_CTL_NIEN);
    if ((st = ata_wait_idle()) < 0)
        goto out;
    outb(ATA_DRIVE, ATA_DRIVE_MASTER_LBA | ((CMDLINE_LBA >> 24) & 0x0F));
    for (int i = 0; i < 4; i++)
        (void)inb(ATA_STATUS); /* 400 ns for the drive select to settle */
    if ((st = ata_wait_idle()) < 0)
        goto out;
    outb(ATA_COUNT, 1);
    outb(ATA_LBA_LO, CMDLINE_LBA & 0xFF);
    outb(ATA_LBA_MID, (CMDLINE_LBA >> 8) & 0xFF);
    outb(ATA_LBA_HI, (CMDLINE_LBA >> 16) & 0xFF);
    outb(ATA_COMMAND, ATA_CMD_WRITE);
    if ((st = ata_wait_idle()) < 0 || (st & (ATA_SR_ERR | ATA_SR_DF)) || !(st & ATA_SR_DRQ))
        goto out;
    outsw(ATA_DATA, sector, SECTOR_BYTES / 2);
    if ((st = ata_wait_idle()) < 0 || (st & (ATA_SR_ERR | ATA_SR_DF)))
        goto out;
    outb(ATA_COMMAND, ATA_CMD_FLUSH);
    if ((st = ata_wait_idle()) < 0 || (st & (ATA_SR_ERR | ATA_SR_DF)))
        goto out;
    st = 0;
out:
    (void)inb(ATA_STATUS);  /* acknowledge, so no INTRQ is left pending */
    outb(ATA_CONTROL, 0);   /* interrupts from the drive as the BIOS left them */
    memset(sector, 0, sizeof sector);
    return st;
}

void ktest_key_take(char *cmdline, size_t size)
{
    if (size == 0)
        return;
    cmdline[size - 1] = '\0';
    cmdline_strip(cmdline, size);
    lowmem_scrub();
    if (!key_present)
        return;
    int st = disk_rewrite_cmdline(cmdline);
    if (st != 0)
        kprintf("ktest: could not erase the key from the boot disk (ATA status %d)\n", st);
}
