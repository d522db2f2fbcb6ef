/* setup.c: lab5_setup(): lab 4's set-up, then round robin (docs/architecture.md, "Start-up"). */
#include "lab4-threads/setup.h"
#include "rr.h"
#include "setup.h"

bool lab5_setup(void)
{
    bool threads = lab4_setup();
    rr_init();
    return threads;
}
