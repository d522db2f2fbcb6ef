# lab.mk: lab 6's sources. LIB files are linked into this lab and every later
# one; main.c, tests_*, bench_* and hidden_* only into this lab (Makefile). EXTRA:
# the data disk, attached as primary slave by the grader and tools/boot.py.
lab6-disk_LIB := setup.c ata.c disk_queue.c disk_channel.c disk_policy.c disk_sched.c disk.c \
                 disk_scan.c simple_disk.c blocking_disk.c nonblocking_disk.c disk_system.c \
                 disk_pattern.c disk_workload.c disk_monitor.c disk_trace.c
lab6-disk_EXTRA := build/lab6/data.img

build/lab6/data.img: lab6-disk/mkdata.py
	@mkdir -p $(@D)
	$(PYTHON) lab6-disk/mkdata.py -o $@
