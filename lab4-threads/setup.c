/* setup.c: lab4_setup(): lab 3's set-up, then the scheduler (docs/architecture.md, "Start-up"). */
#include "lab3-paging/setup.h"
#include "scheduler.h"
#include "setup.h"
#include "thread_demos.h"

bool lab4_setup(void)
{
    lab3_setup();
    scheduler_init();
    thread_demos_init();
    return scheduler_idle_thread() != NULL;
}
