# rules.mk: toolchain detection, kernel flags and the per-lab build rules.

# ---- Toolchain: i686-elf- cross gcc, else i686-linux-gnu-, else gcc -m32 ----
ifneq ($(shell command -v i686-elf-gcc 2>/dev/null),)
  CROSS ?= i686-elf-
else ifneq ($(shell command -v i686-linux-gnu-gcc 2>/dev/null),)
  CROSS ?= i686-linux-gnu-
else
  CROSS ?=
endif
KCC     := $(CROSS)gcc
KLD     := $(CROSS)ld
KOBJCOPY := $(CROSS)objcopy
KNM     := $(CROSS)nm
NASM    := nasm
PYTHON  := python3

# OPT is the optimisation of build/labN (what the grader runs); make labN-gdb
# builds build/labN-gdb/ with GDB_OPT added (gcc obeys the last -O). A change of flags rebuilds:
# every object depends on its build directory's cflags stamp, and every kernel
# on its link-list stamp (the objects it links).
OPT ?= -O2
GDB_OPT ?= -Og -fno-asynchronous-unwind-tables
KCFLAGS := -m32 -std=gnu11 -ffreestanding -fno-pic -fno-pie \
           -fno-stack-protector -fno-omit-frame-pointer -fno-builtin \
           -mpreferred-stack-boundary=2 \
           -mno-sse -mno-mmx -mno-80387 -nostdinc \
           -isystem $(shell $(KCC) -m32 -print-file-name=include) \
           -Wall -Wextra -Werror $(OPT) -g -I. -DSTEPOS_KERNEL
KLDFLAGS := -m elf_i386 -nostdlib -z noexecstack --no-warn-rwx-segments -T common/kernel.ld
NASMFLAGS := -f elf32 -g

# Every library source of common/ goes into every kernel.
COMMON_SRCS := $(addprefix common/,console.c serial.c vga.c kstring.c \
               format.c list.c panic.c power.c ksyms.c kstep.c ktest.c ktest_key.c \
               siphash.c kjmp.asm x86.c port_trace.c sched_trace.c)

# Quiet by default; `make V=1` shows full commands.
ifeq ($(V),1)
  Q :=
  say = @true
else
  Q := @
  say = @echo "  $(1)"
endif

# ---- Tool check: name what is missing and how to install it ----------------
SETUP_HINT := run tools/setup.sh (or: sudo apt-get install
.PHONY: tools-ok
tools-ok:
	@command -v $(NASM) >/dev/null || { echo "error: nasm not found; $(SETUP_HINT) nasm)"; exit 1; }
	@command -v $(KCC) >/dev/null || { echo "error: $(KCC) not found; $(SETUP_HINT) gcc)"; exit 1; }
	@command -v $(PYTHON) >/dev/null || { echo "error: python3 not found; $(SETUP_HINT) python3)"; exit 1; }
	@if [ -z "$(CROSS)" ] && ! echo 'int main(void){return 0;}' | \
	    $(KCC) -m32 -x c - -o /dev/null 2>/dev/null; then \
	    echo "error: $(KCC) cannot build 32-bit code; $(SETUP_HINT) gcc-multilib)"; exit 1; fi
	@echo 'int x;' | $(KCC) $(KCFLAGS) -x c -c - -o /dev/null 2>/dev/null || { \
	    echo "error: $(KCC) rejects the kernel flags:"; \
	    echo 'int x;' | $(KCC) $(KCFLAGS) -x c -c - -o /dev/null; exit 1; }

# ---- One kernel per lab ----------------------------------------------------
# The boot sectors every disk image starts with, BOOT_STAGE1 and BOOT_STAGE2,
# and the rules that make them come from the lab that writes the loader
# (lab1-boot/lab.mk): common/ knows no lab.
# $(1) = lab number, $(2) = lab directory, $(3) = variant suffix ("" or -gdb),
# $(4) = flags added to KCFLAGS. Lab N links common/, the LIB files of labs 1..N,
# and the MAIN files of lab N, into build/labN$(3)/. A lab may list more files
# that build-labN must produce in labN-xxx_EXTRA (lab 6: its data disk), with
# the rules for them in its lab.mk; a variant gets a copy of each.
FORCE:
.PHONY: FORCE
define LAB_RULES
lab$(1)_DIRS := $(wordlist 1,$(1),$(LAB_DIRS))
lab$(1)_SRCS := $(COMMON_SRCS) \
    $$(foreach d,$$(lab$(1)_DIRS),$$(addprefix $$(d)/,$$($$(d)_LIB))) \
    $(addprefix $(2)/,$($(2)_MAIN))
lab$(1)$(3)_B := build/lab$(1)$(3)
lab$(1)$(3)_CFLAGS := $$(KCFLAGS) $(4) -DLAB_NAME='"lab$(1)"' -DLAB_TITLE='"$(2)"'
lab$(1)$(3)_SRCS ?= $$(lab$(1)_SRCS)
lab$(1)$(3)_OBJS := $$(patsubst %,build/lab$(1)$(3)/obj/%.o,$$(lab$(1)$(3)_SRCS))

# Rewritten only when the flags change (then every object is rebuilt).
build/lab$(1)$(3)/cflags: FORCE
	@mkdir -p $$(@D)
	@echo '$$(subst ','"'"',$$(lab$(1)$(3)_CFLAGS))' | cmp -s - $$@ || \
	    echo '$$(subst ','"'"',$$(lab$(1)$(3)_CFLAGS))' > $$@

# The link list: rewritten only when the objects linked change (a file added
# to a LIB, a tests_*.c or bench_*.c added or deleted), so the kernel relinks
# then even though no object is newer than it.
build/lab$(1)$(3)/linklist: FORCE
	@mkdir -p $$(@D)
	@echo '$$(lab$(1)$(3)_OBJS)' | cmp -s - $$@ || echo '$$(lab$(1)$(3)_OBJS)' > $$@

# An object another lab compiled from the same source with the same flags is
# copied instead when neither the source nor its headers name LAB_NAME or
# LAB_TITLE (tools/reuse_obj.sh says when that is safe); else it is compiled,
# under temporary names renamed when complete (the .d first), so that no
# other lab's make copies half an object.
# The donors: the other labs' build directories of the same variant (the
# full system: lab N's own and the other plain labs').
lab$(1)$(3)_DONORS := $(if $(filter -full,$(3)),build/lab$(1)/obj) \
    $(foreach m,$(filter-out $(1),$(LAB_NUMS)),build/lab$(m)$(if $(filter -full,$(3)),,$(3))/obj)
build/lab$(1)$(3)/obj/%.c.o: %.c build/lab$(1)$(3)/cflags | tools-ok
	@mkdir -p $$(@D)
	$(Q)$(SHELL) tools/reuse_obj.sh $$@ build/lab$(1)$(3)/cflags $$(addsuffix /$$*.c.o,$$(lab$(1)$(3)_DONORS)) || { \
	    $$(if $(Q),echo "  CC    $$< [lab$(1)$(3)]";) \
	    $$(KCC) $$(lab$(1)$(3)_CFLAGS) -MMD -MP -MF $$(@:.o=.d).tmp -MT $$@ -c $$< -o $$@.tmp && \
	    mv -f $$(@:.o=.d).tmp $$(@:.o=.d) && mv -f $$@.tmp $$@; }

build/lab$(1)$(3)/obj/%.asm.o: %.asm | tools-ok
	@mkdir -p $$(@D)
	$$(call say,NASM  $$< [lab$(1)$(3)])
	$(Q)$$(NASM) $$(NASMFLAGS) $$< -o $$@

# First link with an empty symbol table, then embed the real one.
build/lab$(1)$(3)/ksyms0.asm: tools/mksyms.py | tools-ok
	@mkdir -p $$(@D)
	$(Q)$$(PYTHON) tools/mksyms.py --empty --asm $$@
build/lab$(1)$(3)/kernel0.elf: $$(lab$(1)$(3)_OBJS) build/lab$(1)$(3)/ksyms0.o common/kernel.ld \
                            build/lab$(1)$(3)/linklist
	$(Q)$$(KLD) $$(KLDFLAGS) -o $$@ $$(lab$(1)$(3)_OBJS) build/lab$(1)$(3)/ksyms0.o
build/lab$(1)$(3)/ksyms.asm: build/lab$(1)$(3)/kernel0.elf tools/mksyms.py
	$(Q)$$(PYTHON) tools/mksyms.py --nm $$(KNM) --elf $$< --asm $$@ \
	    --bochs build/lab$(1)$(3)/kernel.sym
build/lab$(1)$(3)/%.o: build/lab$(1)$(3)/%.asm
	$(Q)$$(NASM) -f elf32 $$< -o $$@
build/lab$(1)$(3)/kernel.elf: $$(lab$(1)$(3)_OBJS) build/lab$(1)$(3)/ksyms.o common/kernel.ld \
                           build/lab$(1)$(3)/linklist
	$(Q)$$(KLD) $$(KLDFLAGS) -Map build/lab$(1)$(3)/kernel.map -o $$@ \
	    $$(lab$(1)$(3)_OBJS) build/lab$(1)$(3)/ksyms.o
build/lab$(1)$(3)/kernel.bin: build/lab$(1)$(3)/kernel.elf
	$(Q)$$(KOBJCOPY) -O binary $$< $$@
build/lab$(1)$(3)/disk.img: build/lab$(1)$(3)/kernel.bin $(BOOT_STAGE1) $(BOOT_STAGE2) \
                        tools/mkimage.py
	$$(PYTHON) tools/mkimage.py --stage1 $(BOOT_STAGE1) \
	    --stage2 $(BOOT_STAGE2) --kernel $$< --elf build/lab$(1)$(3)/kernel.elf -o $$@
$(if $(3),$$(foreach f,$$($(2)_EXTRA),$$(eval $$(call LAB_EXTRA_COPY,$$(f),$$(subst build/lab$(1)/,build/lab$(1)$(3)/,$$(f))))))

.PHONY: build-lab$(1)$(3)
build-lab$(1)$(3): build/lab$(1)$(3)/disk.img $(if $(3),$$(subst build/lab$(1)/,build/lab$(1)$(3)/,$$($(2)_EXTRA)),$$($(2)_EXTRA))

-include $$(patsubst %.o,%.d,$$(filter %.c.o,$$(lab$(1)$(3)_OBJS)))
endef

# $(1) = a lab's EXTRA file, $(2) = its copy in a variant's build directory.
define LAB_EXTRA_COPY
$(2): $(1)
	@mkdir -p $$(@D)
	cp $$< $$@
endef
