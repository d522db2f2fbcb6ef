# host.mk: lab 3 host unit tests: VM pool region bookkeeping and the heap's block lists; rules in common/host.mk.
HOST_TESTS += lab3-paging/test_vm_regions lab3-paging/test_kheap
lab3-paging/test_vm_regions_SRCS := lab3-paging/host_tests/test_vm_regions.c \
                                    lab3-paging/vm_regions.c
lab3-paging/test_kheap_SRCS := lab3-paging/host_tests/test_kheap.c lab3-paging/kheap.c
