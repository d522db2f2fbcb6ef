/* ktest_key.h: the grader's per-boot key (ktkey=) and the tags it puts on KTEST/KMETRIC lines. */
#ifndef COMMON_KTEST_KEY_H
#define COMMON_KTEST_KEY_H

#include <stdbool.h>
#include <stddef.h>

#define KTEST_KEY_NAME "ktkey"   /* command-line key: ktkey=<32 hex digits> */
#define KTEST_TAG_ROOM 32        /* bytes ktest_key_seal() may append */

/* Take the key off the boot command line CMDLINE (a buffer of SIZE bytes,
 * NUL-terminated, modified in place): keep the last well-formed ktkey= word
 * in private storage, remove every ktkey= word from CMDLINE and zero the rest
 * of the buffer, erase any other copy of "ktkey=..." in conventional memory
 * (below 640 KiB), and, if a key was found, rewrite sector 1 of the boot disk
 * (primary ATA master) with the cleaned command line. Call once, at the very
 * start of kernel_main, before any lab code runs; interrupts must be off. */
void ktest_key_take(char *cmdline, size_t size);

/* True if this boot has a key (its result lines are tagged). */
bool ktest_key_present(void);

/* If this boot has a key, append " #<seq>:<tag>" to the NUL-terminated LINE
 * (a buffer of SIZE bytes with at least KTEST_TAG_ROOM bytes free after the
 * text): seq counts the boot's tagged lines from 0, tag is the SipHash-2-4 of
 * "<LINE> #<seq>" under the key, 16 hex digits. Without a key LINE is left
 * alone. Call with interrupts off (the counter is shared). */
void ktest_key_seal(char *line, size_t size);

#endif
