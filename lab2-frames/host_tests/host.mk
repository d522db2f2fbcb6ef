# host.mk: lab 2 host unit tests and benchmark of the frame pool; rules in common/host.mk.
# Three test programs share one fixture (simulated RAM + reference model).
CFP_SRCS := lab2-frames/cont_frame_pool.c lab2-frames/cfp_registry.c lab2-frames/cfp_init.c \
    lab2-frames/cfp_bitmap.c
CFP_HOST_SRCS := lab2-frames/host_tests/cfp_test_model.c $(CFP_SRCS)
HOST_TESTS += lab2-frames/test_cont_frame_pool lab2-frames/test_cfp_search \
    lab2-frames/test_cfp_random
lab2-frames/test_cont_frame_pool_SRCS := lab2-frames/host_tests/test_cont_frame_pool.c \
    $(CFP_HOST_SRCS)
lab2-frames/test_cfp_search_SRCS := lab2-frames/host_tests/test_cfp_search.c $(CFP_HOST_SRCS)
lab2-frames/test_cfp_random_SRCS := lab2-frames/host_tests/test_cfp_random.c $(CFP_HOST_SRCS)

# Plain C, -O2, no sanitizers; brings its own kprintf, panic_at, phys_to_ptr.
# Prints "KMETRIC cfp_bench_* ..." lines; exit status 1 if the worst-case
# ratio against the per-frame scan is below 20.
HOST_BENCHES += lab2-frames/bench_cont_frame_pool
lab2-frames/bench_cont_frame_pool_SRCS := \
    lab2-frames/host_tests/bench_cont_frame_pool.c $(CFP_SRCS)
