# lab.mk: lab 1's sources. LIB files are linked into this lab and every later
# one; MAIN files (the lab's lab_init and its tests) only into this lab.
lab1-boot_LINKS :=
lab1-boot_LIB := entry.asm gdt.c idt.c isr.asm intr.c exception.c pic.c \
                 pit.c double_fault.c cmdline.c input.c keyboard.c monitor.c kmain.c
lab1-boot_MAIN := main.c tests_libk.c tests_intr.c tests_boot.c tests_hw.c bench_intr.c
