# host.mk: host unit tests of libk (format, kstring, list); rules in common/host.mk.
HOST_TESTS += common/test_format common/test_kstring common/test_list
common/test_format_SRCS := common/host_tests/test_format.c common/format.c
common/test_kstring_SRCS := common/host_tests/test_kstring.c common/kstring.c
common/test_list_SRCS := common/host_tests/test_list.c common/list.c
HOST_TESTS += common/test_sched_trace
common/test_sched_trace_SRCS := common/host_tests/test_sched_trace.c common/sched_trace.c
common/test_sched_trace_CFLAGS := -include common/host_tests/fake_cpu.h
