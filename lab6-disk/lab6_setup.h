/* lab6_setup.h: bring up the scheduler the way lab 5 does (threads, then round robin) for lab 6's kernel and tests. */
#ifndef LAB6_SETUP_H
#define LAB6_SETUP_H

/* scheduler_init() and lab 5's round robin, as lab 5's kernel does. Boot. */
void lab6_setup_scheduler(void);

#endif
