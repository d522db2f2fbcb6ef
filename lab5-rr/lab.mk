# lab.mk: lab 5's sources. LIB files are linked into this lab and every later
# one; main.c, tests_*, bench_* and hidden_* only into this lab (Makefile).
lab5-rr_LIB := setup.c rr_quantum.c rr_queue.c rr_policy.c rr_spin.c rr_race.c rr_demos.c rr_monitor.c
