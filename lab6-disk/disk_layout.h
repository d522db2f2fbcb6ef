/* disk_layout.h: what lives where on the data disk (build/lab6/data.img); lab6-disk/checks.py and mkdata.py use the same numbers. */
#ifndef LAB6_DISK_LAYOUT_H
#define LAB6_DISK_LAYOUT_H

/*
 * The data disk is 4 cylinders x 16 heads x 63 sectors = 4032 blocks
 * (2016 KiB), a geometry Bochs accepts. mkdata.py fills every block B with
 * disk_pattern_initial(B). Tests write only inside their own region, so the
 * grader can check the image afterwards: seeded regions hold exactly what
 * the tests wrote for that run's seed=, the read-only region is untouched.
 */
#define DISK_DATA_BLOCKS 4032u

#define DISK_RO_FIRST 0u          /* never written: reads are checked against */
#define DISK_RO_COUNT 1024u       /* the initial pattern */

#define DISK_CONC_FIRST 1024u     /* disk_concurrent_write_verify: stream CONC */
#define DISK_CONC_COUNT 128u

#define DISK_MODES_FIRST 1200u    /* disk_{simple,blocking,nonblocking}_write_read: */
#define DISK_MODES_PER_MODE 16u   /* 16 blocks each, stream MODES + mode */

#define DISK_MANY_FIRST 1300u     /* disk_many_threads_exactly_once: stream MANY */
#define DISK_MANY_COUNT 128u

#define DISK_SCRATCH_FIRST 2000u  /* other tests and benchmarks: anything goes */
#define DISK_SCRATCH_COUNT 900u

#define DISK_FAULT_FIRST 3000u    /* blkdebug error injection (grader, QEMU) */
#define DISK_FAULT_COUNT 100u

#define DISK_USER_FIRST 3500u     /* the monitor's `disk write` and the demo */
#define DISK_USER_COUNT 500u

/* Pattern streams (disk_pattern_fill's STREAM), one per writer above. */
enum disk_stream {
    DISK_STREAM_CONC = 1,
    DISK_STREAM_MODES = 2,        /* + the disk_mode: 2, 3, 4 */
    DISK_STREAM_MANY = 8,
    DISK_STREAM_SCRATCH = 9,
    DISK_STREAM_FAULT = 10,
    DISK_STREAM_USER = 11,
};

#endif
