/* setup.h: lab2_setup(): bring up labs 1-2 (the frame pools); the start of the chain each later lab's setup calls first. */
#ifndef LAB2_SETUP_H
#define LAB2_SETUP_H

#include <stdbool.h>

/* Build the kernel and process frame pools from the E820 map (lab 1's
 * machinery is up before any lab code runs: kernel_main). True if both pools
 * exist. Idempotent. Boot thread, before threads exist. */
bool lab2_setup(void);

#endif
