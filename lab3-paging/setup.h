/* setup.h: lab3_setup(): lab 2's set-up, then paging, the VM pools and the kernel heap. */
#ifndef LAB3_SETUP_H
#define LAB3_SETUP_H

#include <stdbool.h>

/* lab2_setup(), then vm_setup(). True if paging is on and kmalloc works.
 * Idempotent. Boot thread, before threads exist. */
bool lab3_setup(void);

#endif
