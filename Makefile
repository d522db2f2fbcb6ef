# StepOS top-level Makefile. `make help` lists the targets.
#
# Lab N lives in labN-<topic>/ and links common/ plus the subsystems of labs
# 1..N; its build output goes to build/labN/.

.DEFAULT_GOAL := help
SHELL := /bin/bash
# No built-in implicit rules: every rule is written here. Without them make
# no longer searches the built-in catalogue for a way to remake each
# included .d file (0.4 s of CPU on every make, even one with nothing to do).
MAKEFLAGS += --no-builtin-rules

# A directory is a lab once it has a lab.mk; labs are numbered 1, 2, 3...
LAB_DIRS := $(patsubst %/lab.mk,%,$(sort $(wildcard lab[1-9]-*/lab.mk)))
LAB_NUMS := $(patsubst lab%,%,$(foreach d,$(LAB_DIRS),$(firstword $(subst -, ,$(d)))))

include common/rules.mk
include $(foreach d,$(LAB_DIRS),$(d)/lab.mk)
# One rule for what lab N links besides its LIB (lab.mk): main.c, every test
# (tests_*.c, tests_*.asm), benchmark (bench_*.c) and hidden test of the
# instructor (hidden_*.c, grade/README.md; handouts leave them out) and
# challenge (challenge_*.c, the lab's optional extension) in its directory,
# except those its LIB already lists (test helpers later labs reuse).
LAB_MAIN_GLOBS := tests_*.c tests_*.asm bench_*.c hidden_*.c challenge_*.c
$(foreach d,$(LAB_DIRS),$(eval $(d)_MAIN := main.c $(filter-out $($(d)_LIB),$(sort \
    $(notdir $(wildcard $(addprefix $(d)/,$(LAB_MAIN_GLOBS))))))))
$(foreach n,$(LAB_NUMS),$(eval $(call LAB_RULES,$(n),lab$(n)-$(patsubst lab$(n)-%,%,$(filter lab$(n)-%,$(LAB_DIRS))),,)))
# make labN-gdb's kernels: build/labN-gdb/, built with $(GDB_OPT) (-Og).
$(foreach n,$(LAB_NUMS),$(eval $(call LAB_RULES,$(n),lab$(n)-$(patsubst lab$(n)-%,%,$(filter lab$(n)-%,$(LAB_DIRS))),-gdb,$(GDB_OPT))))

# The full system (make grade-full): the last lab's kernel with every lab's
# tests and benchmarks linked in, graded against every lab's rubric.
FULL_LAB := $(lastword $(LAB_NUMS))
FULL_DIR := $(lastword $(LAB_DIRS))
FULL_TESTS := $(foreach d,$(LAB_DIRS),$(addprefix $(d)/,$(filter-out main.c,$($(d)_MAIN))))
lab$(FULL_LAB)-full_SRCS := $(lab$(FULL_LAB)_SRCS) $(filter-out $(lab$(FULL_LAB)_SRCS),$(FULL_TESTS))
$(eval $(call LAB_RULES,$(FULL_LAB),$(FULL_DIR),-full,))
.PHONY: build-full grade-full
build-full: build-lab$(FULL_LAB)-full
grade-full:
	$(PYTHON) grade/grade.py full --emulator $(EMU)

-include common/host.mk


CMDLINE ?=
EMU ?= qemu

.PHONY: help all clean gdb grade grade-selftest test bench bench-compare bench-baseline handout autograder
help:
	@echo "StepOS: a teaching OS for 32-bit x86 in $(words $(LAB_DIRS)) labs"
	@echo ""
	@echo "Student targets (N = 1..$(words $(LAB_DIRS))):"
	@echo "  make labN            build lab N and boot it in QEMU (serial here; Ctrl-A X quits)"
	@echo "  make labN-bochs      boot lab N in the Bochs debugger, symbols loaded"
	@echo "  make labN-gdb        build lab N with -Og (build/labN-gdb/), boot it in QEMU"
	@echo "                       waiting for gdb; then 'make gdb' in another terminal"
	@echo "  make gdb             attach gdb to the waiting QEMU (uses .gdbinit)"
	@echo "  make grade-labN      build lab N, run its tests, print the score"
	@echo "                       (CHALLENGES=1: also the lab's challenge tests, not counted)"
	@echo "  make build-labN      just build build/labN/disk.img"
	@echo "  make submit [LAB=N]  the zip to upload to the autograder (LAB=N: built first)"
	@echo "  CMDLINE='key=value ...' passes a kernel command line to labN/labN-bochs"
	@echo ""
	@echo "Everyone:"
	@echo "  make all             build every lab"
	@echo "  make host-test       host unit tests (cmocka, sanitizers)"
	@echo "  make compile_commands.json   compile commands of every lab, for clangd"
	@echo "  make test            host tests + every lab graded on QEMU and Bochs"
	@echo "  make bench           benchmarks (KMETRIC lines) beside their goals and baseline"
	@echo "  make bench-compare   fail on any Bochs figure worse than labN-*/bench.toml's baseline"
	@echo "  make bench-baseline  rewrite the baselines and the handouts' benchmark tables"
	@echo "  make grade           grade every lab on QEMU"
	@echo "  make grade-selftest  check the grader catches broken kernels"
	@echo "  make mutation-score LAB=N|all   which automatic bugs the rubric misses"
	@echo "  make soak            labs 4-6 graded 50x on both emulators on a loaded host (long)"
	@echo "  make clean           remove build/"
	@echo ""
	@echo "Instructors:"
	@echo "  make handout LAB=N [DEPTH=core|full] [OUT=dir] [KEEP_SOLUTIONS=K] [ONLY=1]"
	@echo "                       student tree with lab >= N solutions stripped"
	@echo "  make autograder LAB=N [OUT=file.zip]"
	@echo "                       Gradescope autograder zip for lab N (grade/README.md)"
	@echo ""
	@echo "Labs: $(LAB_DIRS)"
	@echo "Toolchain: $(KCC) ($(if $(CROSS),cross,host -m32))"

all: $(foreach n,$(LAB_NUMS),build-lab$(n))

# labN, labN-bochs, labN-gdb, grade-labN for every lab.
# CMDLINE reaches boot.py through the environment, unexpanded: neither make
# ($H, $(x), $(shell ...)) nor the shell (`cmd`, $(cmd), quotes) touches the
# user's text. make would expand CMDLINE itself to export it: it is not exported.
export STEPOS_CMDLINE := $(value CMDLINE)
unexport CMDLINE
define LAB_TARGETS
.PHONY: lab$(1) lab$(1)-bochs lab$(1)-gdb grade-lab$(1)
lab$(1): build-lab$(1)
	$(PYTHON) tools/boot.py lab$(1) --cmdline "$$$$STEPOS_CMDLINE"
lab$(1)-bochs: build-lab$(1)
	$(PYTHON) tools/boot.py lab$(1) --bochs --cmdline "$$$$STEPOS_CMDLINE"
lab$(1)-gdb: build-lab$(1)-gdb
	$(PYTHON) tools/boot.py lab$(1) --gdb --cmdline "$$$$STEPOS_CMDLINE"
grade-lab$(1):
	$(PYTHON) grade/grade.py lab$(1) --emulator $(EMU) $(if $(filter-out 0,$(CHALLENGES)),--challenges)
endef
$(foreach n,$(LAB_NUMS),$(eval $(call LAB_TARGETS,$(n))))

# Fails at once, with a hint, when no QEMU waits on .gdbinit's port.
gdb:
	@$(PYTHON) tools/gdb/attach.py

# The zip to upload (tools/submit.py): LAB=N builds lab N first.
.PHONY: submit
submit:
	@$(PYTHON) tools/submit.py $(if $(LAB),--lab $(LAB)) $(if $(OUT),--out $(OUT))

# For clangd and other editors: every lab's C compile commands, as make runs them.
.PHONY: compile_commands.json print-compile-commands
compile_commands.json:
	@$(PYTHON) tools/compile_commands.py --make "$(MAKE)" -o $@
print-compile-commands:
	@:$(foreach n,$(LAB_NUMS),$(foreach s,$(filter %.c,$(lab$(n)_SRCS)),$(info lab$(n)	$(s)	$(KCC) $(lab$(n)_CFLAGS) -c $(s) -o build/lab$(n)/obj/$(s).o)))

grade:
	$(PYTHON) grade/grade.py all --emulator $(EMU)

grade-selftest:
	$(PYTHON) grade/selftest.py

# Mutation testing of the rubric (grade/README.md): LAB=N or all; ARGS="--sample 20 --seed 1 ..."
.PHONY: mutation-score
mutation-score:
	$(PYTHON) grade/mutate.py $(or $(LAB),all) $(ARGS)

test:
	$(PYTHON) tools/test_all.py

# Grading under load (grade/README.md): SEEDS=50 LABS=4,5,6 SOAK_EMU=both LOAD=2 SELFTEST=1
.PHONY: soak
soak:
	$(PYTHON) tools/soak.py $(if $(SEEDS),--seeds $(SEEDS)) $(if $(LABS),--labs $(LABS)) \
	    $(if $(SOAK_EMU),--emulator $(SOAK_EMU)) $(if $(LOAD),--load $(LOAD)) $(if $(SELFTEST),--selftest)

bench:
	$(PYTHON) tools/bench.py

bench-compare:
	$(PYTHON) tools/bench.py --compare

bench-baseline:
	$(PYTHON) tools/bench.py --baseline

handout:
	@test -n "$(LAB)" || { echo "usage: make handout LAB=N [DEPTH=core|full] [OUT=dir] [KEEP_SOLUTIONS=K] [ONLY=1]"; exit 2; }
	$(PYTHON) tools/handout.py $(LAB) $(if $(OUT),--out $(OUT)) $(if $(DEPTH),--depth $(DEPTH)) \
	    $(if $(KEEP_SOLUTIONS),--keep-solutions $$(( $(KEEP_SOLUTIONS) ))) $(if $(ONLY),--only)

autograder:
	@test -n "$(LAB)" || { echo "usage: make autograder LAB=N [OUT=file.zip]"; exit 2; }
	$(PYTHON) tools/autograder.py $(LAB) $(if $(OUT),--out $(OUT))

clean:
	rm -rf build .gdbinit
