/* setup.h: lab7_setup(): lab 6's set-up, then user processes. */
#ifndef LAB7_SETUP_H
#define LAB7_SETUP_H

#include <stdbool.h>

/* lab6_setup(), then ring 3, the shared kernel tables, the switch hook and
 * the user fault handlers. True if processes can run (paging and threads
 * work). Idempotent. Boot thread. */
bool lab7_setup(void);

/* True once lab7_setup() made processes possible. */
bool lab7_ready(void);

#endif
