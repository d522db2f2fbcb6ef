/* power.c: power-off through QEMU's isa-debug-exit and Bochs's shutdown port. */
#include "power.h"
#include "serial.h"
#include "x86.h"

#define QEMU_DEBUG_EXIT_PORT 0xF4   /* -device isa-debug-exit,iobase=0xf4 */
#define BOCHS_SHUTDOWN_PORT  0x8900 /* write "Shutdown" to power off */

void power_off(int status)
{
    cpu_cli();
    serial_drain(); /* let the last line reach the grader */
    outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
    for (const char *p = "Shutdown"; *p; p++)
        outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
    for (;;)
        cpu_hlt();
}
