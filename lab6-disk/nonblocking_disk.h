/* nonblocking_disk.h: NonBlockingDisk's interrupt side (the driver's ops are in disk.h). */
#ifndef LAB6_NONBLOCKING_DISK_H
#define LAB6_NONBLOCKING_DISK_H

struct disk_channel;

/* IRQ14 for channel CH: acknowledge the drive by reading its status, finish
 * the request that was waiting for this interrupt (moving a read's data into
 * its buffer), wake its thread and the next request's, then yield so that
 * they run now (the interrupt-triggered yield). An interrupt with no request
 * waiting for it is counted as unexpected and only acknowledged. From the
 * IRQ handler: interrupts off, EOI sent; may switch threads. */
void nonblocking_disk_interrupt(struct disk_channel *ch);

#endif
