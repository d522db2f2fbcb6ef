# lab.mk: lab 4's sources. LIB files are linked into this lab and every later
# one; MAIN files (lab_init, tests, benchmarks) only into this lab.
lab4-threads_LIB := switch.asm thread.c thread_stack.c thread_fault.c ready_queue.c \
                    fifo_policy.c scheduler.c thread_demos.c thread_monitor.c \
                    tests_util.c tests_regs.asm tests_regs.c
lab4-threads_MAIN := main.c tests_threads.c tests_sched.c tests_zombie.c \
                     tests_switch_regs.c tests_fifo_pick.c bench_sched.c
