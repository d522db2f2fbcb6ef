# lab.mk: lab 2's sources. LIB files are linked into this lab and every later
# one; MAIN files (lab_init, tests, benchmarks) only into this lab.
lab2-frames_LINKS := lab1-boot
lab2-frames_LIB := cont_frame_pool.c cfp_bitmap.c phys_mem.c frames.c frames_monitor.c
lab2-frames_MAIN := main.c $(notdir $(wildcard lab2-frames/tests_*.c lab2-frames/bench_*.c))
