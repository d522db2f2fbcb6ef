/* main.c: lab 7's kernel: the whole system; it boots to init (pid 1), which starts the user-mode shell; shell=0 gives the kernel monitor. */
#include <stddef.h>

#include "common/kprintf.h"
#include "lab1-boot/cmdline.h"
#include "lab1-boot/kernel.h"
#include "proc.h"
#include "setup.h"
#include "uimage.h"

#define INIT "init" /* the first process: starts the shell, adopts orphans */

CMDLINE_KEY(shell, "shell=0: boot to the kernel monitor, not init and the user shell");

void lab_init(int demo)
{
    bool ok = lab7_setup();
    if (!demo)
        return;
    kprintf("lab7: %u user programs in the image:", uimage_count());
    for (unsigned i = 0; i < uimage_count(); i++)
        kprintf(" %s", uimage_name(i));
    kprintf("\n");
    const void *file;
    uint32_t size;
    const char *want = cmdline_get("shell");
    if (!ok || (want != NULL && want[0] == '0') || uimage_find(INIT, &file, &size) != 0) {
        kprintf("lab7: no shell: the kernel monitor ('ps', 'run PROGRAM ARGS...')\n");
        return;
    }
    char *argv[] = {INIT};
    int pid = proc_spawn(INIT, 1, argv);
    if (pid < 0) {
        kprintf("lab7: cannot start init: error %d\n", pid);
        return;
    }
    kprintf("lab7: init is process %d; it starts the user-mode shell (boot with "
            "shell=0 for the kernel monitor)\n", pid);
    int status = 0;
    proc_wait(pid, &status);
    kprintf("lab7: init ended (status 0x%x): the kernel monitor follows\n", status);
}
