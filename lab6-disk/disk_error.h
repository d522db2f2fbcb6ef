/* disk_error.h: the negative error codes every disk operation returns (0 is success). */
#ifndef LAB6_DISK_ERROR_H
#define LAB6_DISK_ERROR_H

enum disk_error {
    DISK_OK = 0,
    DISK_ERR_RANGE = -1,    /* block number past the end of the disk */
    DISK_ERR_NULL_BUF = -2, /* the caller passed a NULL buffer */
    DISK_ERR_DRIVE = -3,    /* the drive set ERR or DF in its status register */
    DISK_ERR_TIMEOUT = -4,  /* the drive stayed busy, or its interrupt never came */
    DISK_ERR_NO_DRIVE = -5, /* no such drive (missing slave, NULL disk) */
    DISK_ERR_NOT_IMPLEMENTED = -6, /* a feature not written yet (the elevator challenge) */
};

/* Short text for ERR ("block out of range", ...); "unknown error" for a
 * value that is not a disk_error. Any context. */
const char *disk_strerror(int err);

#endif
