# lab.mk: lab 1's sources. LIB files are linked into this lab and every later
# one; main.c, tests_*, bench_* and hidden_* only into this lab (Makefile).
lab1-boot_LIB := entry.asm gdt.c idt.c isr.asm intr.c exception.c pic.c \
                 pit.c double_fault.c cmdline.c input.c keyboard.c monitor.c kmain.c
