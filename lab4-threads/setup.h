/* setup.h: lab4_setup(): lab 3's set-up, then threads and the FIFO scheduler. */
#ifndef LAB4_SETUP_H
#define LAB4_SETUP_H

#include <stdbool.h>

/* lab3_setup(), then scheduler_init() (the boot thread becomes thread 0) and
 * the demo threads of the monitor's spawn command. True if threads can be
 * created. Idempotent. Boot thread. */
bool lab4_setup(void);

#endif
