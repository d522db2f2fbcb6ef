# host.mk: build and run every host unit test (cmocka + ASan/UBSan) declared in */host_tests/host.mk.
#
# Usage: the top-level Makefile does `include common/host.mk` (from the repo
# root). This file itself includes every */host_tests/host.mk fragment, so
# the Makefile need not; including them again is harmless as long as they
# hold only variable assignments (see below).
#
# A fragment declares each test binary by a name DIR/NAME (by convention DIR is
# the lab directory and NAME starts with test_):
#
#     HOST_TESTS += lab2-frames/test_cfp
#     lab2-frames/test_cfp_SRCS   := lab2-frames/host_tests/test_cfp.c \
#                                    lab2-frames/cont_frame_pool.c
#     lab2-frames/test_cfp_CFLAGS := -DCFP_HOST_TEST       # optional, extra
#     lab2-frames/test_cfp_LDLIBS := -lm                   # optional, extra
#     lab2-frames/test_cfp_NO_LIBK := 1                    # optional, see below
#
# The binary is build/host/DIR/NAME; objects go to build/host/DIR/NAME.obj/.
# Every test is compiled with HOST_CFLAGS plus HOST_LIBK_CFLAGS (libk's
# standard-named functions renamed to libk_*, see
# common/host_tests/libk_rename.h) and linked with HOST_LIBK_SRCS (libk and
# the host panic_at/kprintf doubles of common/host_tests/host_support.h), so
# list only your own sources; listing a libk source again is harmless. Set
# NAME_NO_LIBK := 1 to get neither (plain host libc, no panic_at/kprintf).
#
# Host benchmarks (plain C, -O2, no sanitizers, no cmocka, no libk: they
# bring their own main, panic_at, kprintf...) are declared the same way:
#
#     HOST_BENCHES += lab2-frames/bench_cfp
#     lab2-frames/bench_cfp_SRCS := lab2-frames/host_tests/bench_cfp.c ...
#     (optional lab2-frames/bench_cfp_CFLAGS, lab2-frames/bench_cfp_LDLIBS)
#
# and built to build/host/DIR/NAME by host-bench-build (list: HOST_BENCH_BINS);
# running them is up to whoever uses them (e.g. `make bench`).
# HOST_BENCH_RULES is set before the fragments are read, so a fragment can
# tell these generic bench rules exist.
#
# Fragments should hold only variable assignments (no rules of their own):
# then reading one twice is harmless.
#
# Targets:
#   host-test        build, then run the tests through tools/run-host-tests.sh;
#                    last line "host: P passed, F failed" (cmocka test cases),
#                    exit status non-zero if F > 0.
#                    HOST_FILTER=lab2-frames/% runs a subset; V=1 shows commands.
#   host-test-build  only build the test binaries.
#   host-bench-build build the benchmark binaries.
#   host-test-clean  remove build/host.

ifndef STEPOS_HOST_MK_INCLUDED
STEPOS_HOST_MK_INCLUDED := 1

HOST_CC ?= gcc
HOST_BUILD := build/host
HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror $(HOST_SAN) \
               -fno-omit-frame-pointer -U_FORTIFY_SOURCE -I.
HOST_LDFLAGS := $(HOST_SAN)
HOST_LDLIBS := -lcmocka
HOST_LIBK_CFLAGS := -fno-builtin -include common/host_tests/libk_rename.h
HOST_LIBK_SRCS := common/kstring.c common/format.c common/list.c \
                  common/host_tests/host_panic.c
HOST_FILTER ?= %
HOST_BENCH_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I.
HOST_BENCH_RULES := 1

HOST_MK_FRAGMENTS := $(sort $(wildcard */host_tests/host.mk))
include $(HOST_MK_FRAGMENTS)

ifeq ($(V),1)
HOST_Q :=
else
HOST_Q := @
endif

# $(1) = test name DIR/NAME. Defines the binary, its objects and their flags.
define HOST_TEST_RULES
$$(if $$(strip $$($(1)_SRCS)),,$$(error host test $(1): $(1)_SRCS is empty))
$(1)_ALL_SRCS := $$(sort $$($(1)_SRCS) $$(if $$($(1)_NO_LIBK),,$$(HOST_LIBK_SRCS)))
# A test with flags of its own compiles libk itself; the others share one
# compile of it (the same flags: HOST_CFLAGS and HOST_LIBK_CFLAGS).
$(1)_SHARED := $$(if $$($(1)_NO_LIBK)$$(strip $$($(1)_CFLAGS)),,$$(HOST_LIBK_SRCS))
$(1)_OBJS := $$(patsubst %.c,$(HOST_BUILD)/$(1).obj/%.o,$$(filter-out $$($(1)_SHARED),$$($(1)_ALL_SRCS))) \
             $$(patsubst %.c,$(HOST_BUILD)/libk.obj/%.o,$$($(1)_SHARED))
$(HOST_BUILD)/$(1): $$($(1)_OBJS)
	@mkdir -p $$(@D)
	@echo "  HOSTLD  $$@"
	$$(HOST_Q)$$(HOST_CC) $$(HOST_LDFLAGS) -o $$@ $$^ $$(HOST_LDLIBS) $$($(1)_LDLIBS)
$(HOST_BUILD)/$(1).obj/%.o: %.c common/host.mk $$(HOST_MK_FRAGMENTS)
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$<  ($(1))"
	$$(HOST_Q)$$(HOST_CC) $$(HOST_CFLAGS) \
	    $$(if $$($(1)_NO_LIBK),,$$(HOST_LIBK_CFLAGS)) $$($(1)_CFLAGS) \
	    -MMD -MP -c -o $$@ $$<
-include $$($(1)_OBJS:.o=.d)
endef

$(HOST_BUILD)/libk.obj/%.o: %.c common/host.mk $(HOST_MK_FRAGMENTS)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<  (libk, shared)"
	$(HOST_Q)$(HOST_CC) $(HOST_CFLAGS) $(HOST_LIBK_CFLAGS) -MMD -MP -c -o $@ $<
-include $(patsubst %.c,$(HOST_BUILD)/libk.obj/%.d,$(HOST_LIBK_SRCS))

HOST_TESTS := $(sort $(HOST_TESTS))
$(foreach t,$(HOST_TESTS),$(eval $(call HOST_TEST_RULES,$(t))))

HOST_TEST_BINS := $(addprefix $(HOST_BUILD)/,$(filter $(HOST_FILTER),$(HOST_TESTS)))

# $(1) = benchmark name DIR/NAME: one compile-and-link command, rebuilt when a
# source or a header beside a source or in common/ changes.
define HOST_BENCH_RULE
$$(if $$(strip $$($(1)_SRCS)),,$$(error host benchmark $(1): $(1)_SRCS is empty))
$(HOST_BUILD)/$(1): $$($(1)_SRCS) $$(wildcard $$(addsuffix *.h,$$(sort $$(dir $$($(1)_SRCS)))) common/*.h) \
        common/host.mk $$(HOST_MK_FRAGMENTS)
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$@"
	$$(HOST_Q)$$(HOST_CC) $$(HOST_BENCH_CFLAGS) $$($(1)_CFLAGS) -o $$@ \
	    $$($(1)_SRCS) $$($(1)_LDLIBS)
endef

HOST_BENCHES := $(sort $(HOST_BENCHES))
$(foreach b,$(HOST_BENCHES),$(eval $(call HOST_BENCH_RULE,$(b))))
HOST_BENCH_BINS := $(addprefix $(HOST_BUILD)/,$(HOST_BENCHES))

.PHONY: host-test host-test-build host-bench-build host-test-clean
host-test-build: $(HOST_TEST_BINS)

host-bench-build: $(HOST_BENCH_BINS)

host-test: host-test-build
	@tools/run-host-tests.sh $(HOST_TEST_BINS)

host-test-clean:
	rm -rf $(HOST_BUILD)

endif # STEPOS_HOST_MK_INCLUDED
