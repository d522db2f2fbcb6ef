# lab.mk: lab 3's sources. LIB files are linked into this lab and every later
# one; MAIN files (the lab's lab_init, tests and benchmarks) only into this lab.
lab3-paging_LIB := page_table.c page_fault.c vm_regions.c vm_pool.c kheap.c \
                   kmalloc.c vm.c monitor_vm.c
lab3-paging_MAIN := main.c tests_support.c tests_paging.c tests_vm_pool.c \
                    tests_kmalloc.c tests_tlb.c bench_paging.c
