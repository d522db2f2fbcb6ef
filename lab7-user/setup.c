/* setup.c: lab7_setup(): lab 6's set-up first (docs/architecture.md, "Start-up"), then processes. */
#include <stdbool.h>

#include "common/kprintf.h"
#include "lab3-paging/vm.h"
#include "lab4-threads/scheduler.h"
#include "lab6-disk/setup.h"
#include "proc.h"
#include "setup.h"
#include "ufault.h"

static bool ready;

bool lab7_setup(void)
{
    static bool done;
    if (done)
        return ready;
    done = true;
    lab6_setup();
    if (!vm_ready() || scheduler_idle_thread() == NULL) {
        kprintf("lab7: no paging or no threads (see above): no user processes\n");
        return false;
    }
    proc_init();
    ufault_init();
    ready = true;
    return true;
}

bool lab7_ready(void)
{
    return ready;
}
