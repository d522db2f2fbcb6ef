/* ufault.h: ring-3 exceptions end the faulting process (and serve user demand paging). */
#ifndef LAB7_UFAULT_H
#define LAB7_UFAULT_H

/* Chain ufault's handler in front of every exception vector (but NMI and
 * the double-fault task gate). lab7_setup, once. */
void ufault_init(void);

/* The last report line ("lab7: process 3 (bad) ended: ..."), "" if none. */
const char *ufault_last_report(void);

/* Processes ended by a fault so far. */
unsigned long ufault_kills(void);

#endif
