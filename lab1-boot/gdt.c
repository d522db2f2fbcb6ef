/* gdt.c: build the flat GDT in C and load it (replacing the loader's). */
#include <stdint.h>

#include "gdt.h"

/* One 8-byte segment descriptor. */
struct gdt_entry {
    uint16_t limit_low;
    uint16_t base_low;
    uint8_t base_mid;
    uint8_t access; /* present, privilege, type */
    uint8_t flags_limit_high; /* granularity, size, limit 19:16 */
    uint8_t base_high;
} __attribute__((packed));
_Static_assert(sizeof(struct gdt_entry) == 8, "GDT entries are 8 bytes");

struct gdt_pointer {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

#define GDT_ACCESS_PRESENT 0x80
#define GDT_ACCESS_RING0   0x00
#define GDT_ACCESS_SEGMENT 0x10 /* code/data (not system) descriptor */
#define GDT_ACCESS_EXEC    0x08
#define GDT_ACCESS_RW      0x02 /* readable code / writable data */
#define GDT_ACCESS_TSS32   0x09 /* system descriptor: available 32-bit TSS */
#define GDT_FLAG_4K        0x80 /* limit counts 4 KiB pages */
#define GDT_FLAG_32BIT     0x40

static struct gdt_entry gdt[GDT_ENTRIES];

static void gdt_set(int i, uint32_t base, uint32_t limit, uint8_t access)
{
    gdt[i].limit_low = limit & 0xFFFF;
    gdt[i].base_low = base & 0xFFFF;
    gdt[i].base_mid = (base >> 16) & 0xFF;
    gdt[i].access = access;
    gdt[i].flags_limit_high =
        GDT_FLAG_4K | GDT_FLAG_32BIT | ((limit >> 16) & 0x0F);
    gdt[i].base_high = (base >> 24) & 0xFF;
}

void gdt_set_tss(uint16_t selector, uint32_t base, uint32_t limit)
{
    int i = selector / 8;
    gdt_set(i, base, limit, GDT_ACCESS_PRESENT | GDT_ACCESS_RING0 | GDT_ACCESS_TSS32);
    gdt[i].flags_limit_high &= 0x0F; /* byte-granular, no size bit */
}

void gdt_init(void)
{
    const uint8_t common = GDT_ACCESS_PRESENT | GDT_ACCESS_RING0 |
                           GDT_ACCESS_SEGMENT | GDT_ACCESS_RW;
    struct gdt_pointer ptr = {sizeof gdt - 1, (uint32_t)gdt};

    gdt_set(GDT_KERNEL_CODE / 8, 0, 0xFFFFF, common | GDT_ACCESS_EXEC);
    gdt_set(GDT_KERNEL_DATA / 8, 0, 0xFFFFF, common);

    __asm__ volatile("lgdt %0\n\t"
                     "movw %1, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%fs\n\t"
                     "movw %%ax, %%gs\n\t"
                     "movw %%ax, %%ss\n\t"
                     "ljmp %2, $1f\n"
                     "1:"
                     :
                     : "m"(ptr), "i"(GDT_KERNEL_DATA), "i"(GDT_KERNEL_CODE)
                     : "eax", "memory");
}
