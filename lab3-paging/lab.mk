# lab.mk: lab 3's sources. LIB files are linked into this lab and every later
# one; main.c, tests_*, bench_* and hidden_* only into this lab (Makefile).
lab3-paging_LIB := setup.c page_table.c page_fault.c vm_regions.c vm_pool.c kheap.c \
                   kmalloc.c vm.c monitor_vm.c vm_dump.c
lab3-paging_LIB += large_page.c  # the challenge (README.md, "Challenge")
