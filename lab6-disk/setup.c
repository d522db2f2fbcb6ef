/* setup.c: lab6_setup(): lab 5's set-up, then the disks (docs/architecture.md, "Start-up"). */
#include <stddef.h>

#include "disk.h"
#include "lab5-rr/setup.h"
#include "setup.h"

bool lab6_setup(void)
{
    lab5_setup();
    disk_system_init();
    return disk_data() != NULL;
}
