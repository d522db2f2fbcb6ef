/* buddy_boot.h: lab 2's challenge at boot: the system buddy pool that alloc=buddy builds. */
#ifndef LAB2_BUDDY_BOOT_H
#define LAB2_BUDDY_BOOT_H

#include "lab2-frames/buddy_pool.h"

/* Frames the system buddy pool takes from the process pool: 8 MiB, so it
 * holds at least one 4 MiB-aligned block of BP_MAX_ORDER wherever it lands. */
#define BUDDY_BOOT_FRAMES 2048u

/* With alloc=buddy on the command line: take BUDDY_BOOT_FRAMES frames from
 * the process pool (records from the kernel pool) and build the system buddy
 * pool over them; print one line saying what was built or why not. Without
 * the key: nothing. Call once from lab_init, after frames_init. */
void buddy_boot_init(void);

/* The system buddy pool, or NULL (no alloc=buddy, or it could not be built). */
struct buddy_pool *buddy_system_pool(void);

#endif
