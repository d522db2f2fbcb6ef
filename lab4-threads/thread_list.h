/* thread_list.h: the registry of live threads (thread_list.c), for thread.c. */
#ifndef LAB4_THREAD_LIST_H
#define LAB4_THREAD_LIST_H

struct thread;

/* Register T (main at adoption, then every created thread) as live: it is in
 * the all-threads list and counted until thread_note_end(). Interrupts off. */
void thread_list_add(struct thread *t);

#endif
