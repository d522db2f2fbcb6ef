# host.mk: lab 7 host unit tests: the ELF parser, the program image's reader, the symbol look-up, the shell's word splitter; rules in common/host.mk.
HOST_TESTS += lab7-user/test_elf lab7-user/test_uimage
lab7-user/test_elf_SRCS := lab7-user/host_tests/test_elf.c lab7-user/elf.c
lab7-user/test_uimage_SRCS := lab7-user/host_tests/test_uimage.c lab7-user/uimage.c
lab7-user/test_uimage_CFLAGS := -DUIMAGE_HOST_TEST
HOST_TESTS += lab7-user/test_usym
lab7-user/test_usym_SRCS := lab7-user/host_tests/test_usym.c lab7-user/usym.c
lab7-user/test_usym_CFLAGS := -DUSYM_HOST_TEST
HOST_TESTS += lab7-user/test_split
lab7-user/test_split_SRCS := lab7-user/host_tests/test_split.c user/lib/split.c
# The user library's malloc over a fake SYS_MEM_ALLOC; its names are renamed so the host's stay.
HOST_TESTS += lab7-user/test_umalloc
lab7-user/test_umalloc_SRCS := lab7-user/host_tests/test_umalloc.c user/lib/malloc.c
lab7-user/test_umalloc_CFLAGS := -Dmalloc=umalloc -Dcalloc=ucalloc -Dfree=ufree -Ddprintf=udprintf \
                                 -Dexit=uexit
