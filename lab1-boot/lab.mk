# lab.mk: lab 1's sources. LIB files are linked into this lab and every later
# one; main.c, tests_*, bench_* and hidden_* only into this lab (Makefile).
lab1-boot_LIB := entry.asm gdt.c idt.c isr.asm intr.c intr_check.c exception.c pic.c \
                 pit.c double_fault.c cmdline.c input.c keyboard.c monitor.c kmain.c

# The boot sectors (stage 1 and the loader): every lab's disk image starts
# with them (common/rules.mk, BOOT_STAGE1/BOOT_STAGE2).
BOOT_SRC := lab1-boot/boot
BOOT_STAGE1 := build/boot/stage1.bin
BOOT_STAGE2 := build/boot/stage2.bin
build/boot/%.bin: $(BOOT_SRC)/%.asm $(wildcard $(BOOT_SRC)/*.inc) | tools-ok
	@mkdir -p $(@D)
	$(call say,NASM  $<)
	$(Q)$(NASM) -f bin -I$(BOOT_SRC)/ $< -o $@ -l $(@:.bin=.lst)
