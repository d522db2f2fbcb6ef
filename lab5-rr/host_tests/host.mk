# host.mk: lab 5 host unit tests: the quantum countdown with seeded jitter, and round robin simulated over lab 4's FIFO queue; rules in common/host.mk.
HOST_TESTS += lab5-rr/test_rr_quantum
lab5-rr/test_rr_quantum_SRCS := lab5-rr/host_tests/test_rr_quantum.c lab5-rr/rr_quantum.c \
                                lab4-threads/fifo_policy.c lab4-threads/ready_queue.c
lab5-rr/test_rr_quantum_CFLAGS := -DSCHED_HOST_TEST
