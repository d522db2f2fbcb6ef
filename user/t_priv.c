/* t_priv.c: `t_priv INSN` runs one privileged instruction in ring 3; the kernel must end the
 * process (#GP). Exit 1 = the instruction ran (FAIL); 2 = unknown INSN. INSN: cli sti hlt in out
 * lgdt lidt ltr cr3 cr0 invlpg wrmsr. */
#include "user/lib/ulib.h"

static void run(const char *insn)
{
    static uint8_t table[6]; /* a GDT/IDT pseudo-descriptor: limit 0, base 0 */
    if (strcmp(insn, "cli") == 0)
        __asm__ volatile("cli");
    else if (strcmp(insn, "sti") == 0)
        __asm__ volatile("sti");
    else if (strcmp(insn, "hlt") == 0)
        __asm__ volatile("hlt");
    else if (strcmp(insn, "in") == 0) {
        uint8_t v;
        __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"((uint16_t)0x64));
    } else if (strcmp(insn, "out") == 0)
        __asm__ volatile("outb %0, %1" : : "a"((uint8_t)0), "Nd"((uint16_t)0x80));
    else if (strcmp(insn, "lgdt") == 0)
        __asm__ volatile("lgdt %0" : : "m"(table));
    else if (strcmp(insn, "lidt") == 0)
        __asm__ volatile("lidt %0" : : "m"(table));
    else if (strcmp(insn, "ltr") == 0)
        __asm__ volatile("ltr %w0" : : "r"(0x28));
    else if (strcmp(insn, "cr3") == 0)
        __asm__ volatile("mov %0, %%cr3" : : "r"(0u) : "memory");
    else if (strcmp(insn, "cr0") == 0) {
        uint32_t v;
        __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    } else if (strcmp(insn, "invlpg") == 0)
        __asm__ volatile("invlpg (%0)" : : "r"(0x08048000u) : "memory");
    else if (strcmp(insn, "wrmsr") == 0)
        __asm__ volatile("wrmsr" : : "c"(0x10u), "a"(0u), "d"(0u));
    else {
        printf("t_priv: unknown instruction '%s'\n", insn);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    const char *insn = argc > 1 ? argv[1] : "cli";
    printf("t_priv: running '%s' in user mode (the kernel must end this process)\n", insn);
    run(insn);
    printf("t_priv: FAIL: '%s' ran in user mode\n", insn);
    return 1;
}
