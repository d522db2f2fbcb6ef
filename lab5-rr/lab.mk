# lab.mk: lab 5's sources. LIB files are linked into this lab and every later
# one; MAIN files (lab_init, tests, benchmarks) only into this lab.
lab5-rr_LIB := rr_quantum.c rr_policy.c rr_spin.c rr_race.c rr_demos.c rr_monitor.c
lab5-rr_MAIN := main.c tests_rr.c tests_rr_safety.c tests_quantum_bounds.c \
                tests_preempt_regs.c tests_rr_guard.c bench_rr.c
