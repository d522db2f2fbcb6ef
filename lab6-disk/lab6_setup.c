/* lab6_setup.c: the scheduler set-up lab 6 reuses from labs 4 and 5. */
#include "lab4-threads/scheduler.h"
#include "lab5-rr/rr.h"
#include "lab6_setup.h"

void lab6_setup_scheduler(void)
{
    scheduler_init();
    rr_init(); /* round robin: the policy lab 6's disk policy wraps */
}
