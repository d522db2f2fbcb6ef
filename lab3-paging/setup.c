/* setup.c: lab3_setup(): lab 2's set-up, then virtual memory (docs/architecture.md, "Start-up"). */
#include "lab2-frames/setup.h"
#include "setup.h"
#include "vm.h"

bool lab3_setup(void)
{
    lab2_setup();
    return vm_setup();
}
