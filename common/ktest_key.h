/* ktest_key.h: taking the grader's per-boot key (ktkey=) off the command line, memory and disk. */
#ifndef COMMON_KTEST_KEY_H
#define COMMON_KTEST_KEY_H

#include <stdbool.h>
#include <stddef.h>

#define KTEST_KEY_NAME "ktkey"   /* command-line key: ktkey=<32 hex digits> */

/* Take the key off the boot command line CMDLINE (a buffer of SIZE bytes,
 * NUL-terminated, modified in place): hand the first well-formed ktkey= word
 * to the test runner, remove every ktkey= word from CMDLINE and zero the rest
 * of the buffer, erase any other copy of "ktkey=..." in conventional memory
 * (below 640 KiB), and, if a key was found, rewrite sector 1 of the boot disk
 * (primary ATA master) with the cleaned command line. Call once, at the very
 * start of kernel_main, before any lab code runs; interrupts must be off.
 * The key goes to ktest_set_key() (ktest.h), which tags the result lines. */
void ktest_key_take(char *cmdline, size_t size);

#endif
