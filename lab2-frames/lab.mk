# lab.mk: lab 2's sources. LIB files are linked into this lab and every later
# one; main.c, tests_*, bench_* and hidden_* only into this lab (Makefile).
lab2-frames_LIB := setup.c cont_frame_pool.c cfp_registry.c cfp_init.c cfp_bitmap.c phys_mem.c \
                   frames.c frames_monitor.c frames_dump.c
lab2-frames_LIB += buddy_pool.c buddy_boot.c  # the challenge (README.md, "Challenge")
