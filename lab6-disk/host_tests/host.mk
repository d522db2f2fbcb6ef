# host.mk: lab 6 host unit tests: the request queue and dual-queue pick, the disk policy, and the ATA layer against a fake drive; rules in common/host.mk.
HOST_TESTS += lab6-disk/test_disk_queue lab6-disk/test_disk_policy lab6-disk/test_ata
lab6-disk/test_disk_queue_SRCS := lab6-disk/host_tests/test_disk_queue.c lab6-disk/disk_queue.c \
                                  lab6-disk/disk_scan.c
lab6-disk/test_disk_policy_SRCS := lab6-disk/host_tests/test_disk_policy.c \
                                   lab6-disk/disk_policy.c lab6-disk/disk_queue.c lab6-disk/disk_scan.c \
                                   lab4-threads/fifo_policy.c lab4-threads/ready_queue.c
lab6-disk/test_disk_policy_CFLAGS := -DSCHED_HOST_TEST
lab6-disk/test_ata_SRCS := lab6-disk/host_tests/test_ata.c lab6-disk/host_tests/fake_ata.c \
                           lab6-disk/ata.c
