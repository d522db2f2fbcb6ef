# host.mk: lab 4 host unit tests: the ready queue and the FIFO policy's hooks; rules in common/host.mk.
HOST_TESTS += lab4-threads/test_ready_queue lab4-threads/test_fifo_policy
lab4-threads/test_ready_queue_SRCS := lab4-threads/host_tests/test_ready_queue.c \
                                      lab4-threads/ready_queue.c
lab4-threads/test_fifo_policy_SRCS := lab4-threads/host_tests/test_fifo_policy.c \
                                      lab4-threads/fifo_policy.c lab4-threads/ready_queue.c
lab4-threads/test_fifo_policy_CFLAGS := -DSCHED_HOST_TEST
