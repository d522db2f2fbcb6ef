/* main.c: lab 7's kernel: the whole system; it boots to the user-mode shell (pid 1), then the kernel monitor once the shell exits. */
#include <stddef.h>

#include "common/kprintf.h"
#include "lab1-boot/cmdline.h"
#include "lab1-boot/kernel.h"
#include "proc.h"
#include "setup.h"
#include "uimage.h"

#define SHELL "sh"

CMDLINE_KEY(shell, "shell=0: boot to the kernel monitor, not the user shell");

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
    if (!ok || (want != NULL && want[0] == '0') || uimage_find(SHELL, &file, &size) != 0) {
        kprintf("lab7: no shell: the kernel monitor ('ps', 'run PROGRAM ARGS...')\n");
        return;
    }
    char *argv[] = {SHELL};
    int pid = proc_spawn(SHELL, 1, argv);
    if (pid < 0) {
        kprintf("lab7: cannot start the shell: error %d\n", pid);
        return;
    }
    kprintf("lab7: the user-mode shell is process %d; its 'exit' returns to the kernel "
            "monitor\n", pid);
    int status = 0;
    proc_wait(pid, &status);
    kprintf("lab7: the shell ended (status 0x%x): the kernel monitor follows\n", status);
}
