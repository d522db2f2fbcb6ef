/* ata_hw.h: the only door to the ATA ports and the clock, so host tests can put a fake drive behind it. */
#ifndef LAB6_ATA_HW_H
#define LAB6_ATA_HW_H

#include <stdint.h>

/*
 * In the kernel these are the common/x86.h port helpers and the PIT's tick
 * counter. A host unit test (lab6-disk/host_tests/fake_ata.c) defines the
 * same functions itself and plays an ATA drive behind them. Any context.
 */
#ifdef STEPOS_KERNEL
#include "common/x86.h"
#include "lab1-boot/pit.h"

static inline uint8_t ata_hw_inb(uint16_t port) { return inb(port); }
static inline void ata_hw_outb(uint16_t port, uint8_t v) { outb(port, v); }

/* Read WORDS 16-bit words from PORT into BUF. */
static inline void ata_hw_insw(uint16_t port, void *buf, uint32_t words)
{
    insw(port, buf, words);
}

/* Write WORDS 16-bit words from BUF to PORT. */
static inline void ata_hw_outsw(uint16_t port, const void *buf, uint32_t words)
{
    outsw(port, buf, words);
}

/* Milliseconds since boot (advances only while interrupts are on). */
static inline uint32_t ata_hw_ms(void)
{
    uint32_t t = timer_ticks(), hz = pit_hz();
    return (t / hz) * 1000u + (t % hz) * 1000u / hz; /* no 64-bit division */
}
#else
uint8_t ata_hw_inb(uint16_t port);
void ata_hw_outb(uint16_t port, uint8_t v);
void ata_hw_insw(uint16_t port, void *buf, uint32_t words);
void ata_hw_outsw(uint16_t port, const void *buf, uint32_t words);
uint32_t ata_hw_ms(void);
#endif

#endif
