# lab.mk: lab 7's sources. LIB files are linked into this lab and every later
# one; main.c, tests_*, bench_* and hidden_* only into this lab (Makefile).
lab7-user_LIB := elf.c uimage.c uimage_blob.asm setup.c ring3.c syscall_entry.asm uvm.c uaccess.c \
                 ucow.c proc.c proc_kfault.c syscall.c ufault.c usym.c proc_monitor.c tests_user_util.c tests_user_steps.c
# Lab 6's data disk, so lab 6's tests and commands work in this kernel too
# (make lab7, grade.py full).
lab7-user_EXTRA := build/lab7/data.img

build/lab7/data.img: lab6-disk/mkdata.py
	@mkdir -p $(@D)
	$(PYTHON) lab6-disk/mkdata.py -o $@

# ---- User programs (user/README.md) ----------------------------------------
# Every user/NAME.c is one program: compiled freestanding for ring 3, linked
# with the user library (user/lib/) at 0x08048000 (user/user.ld). NAME.elf
# keeps every symbol and the debug information (for gdb), NAME.sym lists its
# functions for Bochs; the image
# (tools/uimage.py) holds NAME.elf without debug information, symbols kept,
# and is embedded in the kernel compressed (uimage.lz) by uimage_blob.asm.
USER_B := build/lab7/user
USER_LD := user/user.ld
USER_CFLAGS := -m32 -std=gnu11 -ffreestanding -fno-pic -fno-pie -nostdlib -static \
               -fno-stack-protector -fno-omit-frame-pointer -fno-builtin -ffunction-sections \
               -mno-sse -mno-mmx -mno-80387 -nostdinc \
               -isystem $(shell $(KCC) -m32 -print-file-name=include) \
               -Wall -Wextra -Werror -Os -g -I.
USER_LDFLAGS := -m elf_i386 -nostdlib -static -n -z noexecstack --gc-sections -T $(USER_LD)
USER_LIB_SRCS := $(sort $(wildcard user/lib/*.c)) common/format.c common/kstring.c
USER_LIB_OBJS := $(patsubst %.c,$(USER_B)/obj/%.o,$(USER_LIB_SRCS))
USER_CRT0 := $(USER_B)/obj/user/lib/crt0.o
USER_PROGS := $(patsubst user/%.c,%,$(sort $(wildcard user/*.c)))
USER_ELFS := $(addprefix $(USER_B)/,$(addsuffix .elf,$(USER_PROGS)))
USER_BINS := $(addprefix $(USER_B)/img/,$(USER_PROGS))
USER_SYMS := $(addprefix $(USER_B)/,$(addsuffix .sym,$(USER_PROGS)))
UIMAGE := $(USER_B)/uimage.img
UIMAGE_LZ := $(USER_B)/uimage.lz
UIMAGE_INC := $(USER_B)/uimage.inc

$(USER_B)/cflags: FORCE
	@mkdir -p $(@D)
	@echo '$(USER_CFLAGS)' | cmp -s - $@ || echo '$(USER_CFLAGS)' > $@

$(USER_B)/obj/%.o: %.c $(USER_B)/cflags | tools-ok
	@mkdir -p $(@D)
	$(call say,CC    $< [user])
	$(Q)$(KCC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(USER_CRT0): user/lib/crt0.asm | tools-ok
	@mkdir -p $(@D)
	$(call say,NASM  $< [user])
	$(Q)$(NASM) $(NASMFLAGS) $< -o $@

$(USER_B)/libuser.a: $(USER_LIB_OBJS)
	$(Q)rm -f $@ && $(CROSS)ar rcs $@ $^

# Keep the objects: make would delete them as intermediates of the pattern rules.
.SECONDARY: $(USER_LIB_OBJS) $(patsubst %,$(USER_B)/obj/user/%.o,$(USER_PROGS))

$(USER_B)/%.elf: $(USER_B)/obj/user/%.o $(USER_CRT0) $(USER_B)/libuser.a $(USER_LD)
	$(call say,LD    $@)
	$(Q)$(KLD) $(USER_LDFLAGS) -o $@ $(USER_CRT0) $< $(USER_B)/libuser.a

# Bochs's `ldsym global "build/lab7/user/NAME.sym"`: the program's functions, "addr name" lines.
$(USER_B)/%.sym: $(USER_B)/%.elf
	$(Q)$(KNM) -n $< | awk '$$2 ~ /^[Tt]$$/ { print $$1, $$3 }' > $@

$(USER_B)/img/%: $(USER_B)/%.elf
	@mkdir -p $(@D)
	$(Q)$(KOBJCOPY) --strip-debug $< $@

# Small malformed programs (bad_*) and a valid one of the same shape (good_tiny): the loader
# must refuse each bad_* with -E_NOEXEC (t_noexec, tests_uimage.c).
USER_BAD_STAMP := $(USER_B)/bad/.stamp
$(USER_BAD_STAMP): tools/mkbadelf.py
	@rm -rf $(@D) && mkdir -p $(@D)
	$(Q)$(PYTHON) tools/mkbadelf.py $(@D) && touch $@

# The image, its compressed form (what the kernel embeds) and its size for nasm, in one run.
$(UIMAGE) $(UIMAGE_LZ) $(UIMAGE_INC) &: $(USER_BINS) $(USER_BAD_STAMP) tools/uimage.py
	$(Q)$(PYTHON) tools/uimage.py -o $@ --lz $(UIMAGE_LZ) --nasm-inc $(UIMAGE_INC) \
	    $(USER_BINS) $$(ls $(USER_B)/bad/* | sort)

.PHONY: user-programs
user-programs: $(UIMAGE) $(USER_ELFS) $(USER_SYMS)

# Every kernel that links uimage_blob.asm embeds the image (nasm's incbin).
$(foreach n,$(LAB_NUMS),$(foreach v,/ -gdb/ -full/,build/lab$(n)$(v)obj/lab7-user/uimage_blob.asm.o)): \
    $(UIMAGE) $(UIMAGE_LZ) $(UIMAGE_INC) $(USER_ELFS) $(USER_SYMS)

-include $(patsubst %.o,%.d,$(USER_LIB_OBJS) $(patsubst %,$(USER_B)/obj/user/%.o,$(USER_PROGS)))
