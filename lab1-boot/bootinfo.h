/* bootinfo.h: the record the bootloader leaves for the kernel (E820 map, drive, command line). */
#ifndef LAB1_BOOTINFO_H
#define LAB1_BOOTINFO_H

#include <stdint.h>

/* Physical address of the record; boot/stage2.asm fills it in before
 * protected mode. Keep these numbers in step with boot/layout.inc. */
#define BOOTINFO_ADDR    0x00005000u
#define BOOTINFO_MAGIC   0x53744F53u /* "SOtS" */
#define BOOTINFO_E820_MAX 32
#define BOOTINFO_CMDLINE_MAX 512

/* E820 region types reported by the BIOS. */
#define E820_USABLE   1
#define E820_RESERVED 2
#define E820_ACPI     3
#define E820_NVS      4
#define E820_BAD      5

struct e820_entry {
    uint64_t base;   /* physical start address */
    uint64_t length; /* bytes */
    uint32_t type;   /* E820_USABLE, E820_RESERVED, ... */
    uint32_t acpi;   /* ACPI 3.0 extended attributes (bit 0 = valid) */
} __attribute__((packed));
_Static_assert(sizeof(struct e820_entry) == 24, "E820 entry is 24 bytes");

struct boot_info {
    uint32_t magic;          /* BOOTINFO_MAGIC */
    uint32_t boot_drive;     /* BIOS drive number (0x80 = first hard disk) */
    uint32_t kernel_sectors; /* sectors of kernel image the loader read */
    uint32_t e820_count;     /* valid entries in e820[] */
    struct e820_entry e820[BOOTINFO_E820_MAX];
    char cmdline[BOOTINFO_CMDLINE_MAX]; /* NUL-terminated kernel command line */
    uint64_t loader_tsc; /* rdtsc when stage 2 started (benchmarks) */
} __attribute__((packed));
_Static_assert(sizeof(struct boot_info) == 16 + 32 * 24 + 512 + 8,
               "struct boot_info must match boot/layout.inc");

/* The boot record. Valid after kernel_main starts; read-only. */
static inline const struct boot_info *boot_info(void)
{
    return (const struct boot_info *)BOOTINFO_ADDR;
}

#endif
