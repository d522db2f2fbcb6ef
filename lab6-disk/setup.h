/* setup.h: lab6_setup(): lab 5's set-up, then the disks. */
#ifndef LAB6_SETUP_H
#define LAB6_SETUP_H

#include <stdbool.h>

/* lab5_setup(), then disk_system_init() (probe both drives of the primary
 * channel, IRQ14). True if the data disk is there. Idempotent. Boot thread. */
bool lab6_setup(void);

#endif
