# lab.mk: lab 4's sources. LIB files are linked into this lab and every later
# one (the test helpers here too: labs 5 and 6 reuse them); main.c, tests_*,
# bench_* and hidden_* only into this lab (Makefile).
lab4-threads_LIB := setup.c switch.asm thread.c thread_list.c thread_stack.c thread_fault.c ready_queue.c \
                    fifo_policy.c scheduler.c thread_demos.c thread_monitor.c \
                    tests_util.c tests_regs.asm tests_regs.c timeline_monitor.c
