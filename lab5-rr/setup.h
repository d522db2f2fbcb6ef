/* setup.h: lab5_setup(): lab 4's set-up, then preemptive round robin. */
#ifndef LAB5_SETUP_H
#define LAB5_SETUP_H

#include <stdbool.h>

/* lab4_setup(), then rr_init() (round robin replaces FIFO; the quantum= key
 * is read). True if threads can be created. Idempotent. Boot thread. */
bool lab5_setup(void);

#endif
