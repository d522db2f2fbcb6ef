/* buddy_boot.c: lab 2's challenge at boot: alloc=buddy builds the system buddy pool; the 'buddy' monitor command. */
#include "lab2-frames/buddy_boot.h"

#include <stddef.h>

#include "common/kprintf.h"
#include "common/kstring.h"
#include "lab1-boot/cmdline.h"
#include "lab1-boot/monitor.h"
#include "lab2-frames/frames.h"

CMDLINE_KEY(alloc, "frame allocator beside the bitmap pools: 'buddy' (lab 2 challenge)");

static struct buddy_pool system_buddy;
static bool buddy_ready;

void buddy_boot_init(void)
{
    const char *which = cmdline_get("alloc");
    if (which == NULL)
        return;
    if (strcmp(which, "buddy") != 0) {
        kprintf("buddy: alloc=%s: unknown allocator (only 'buddy'); none built\n", which);
        return;
    }
    if (!frames_available()) {
        kprintf("buddy: no frame pools, so no buddy pool\n");
        return;
    }
    unsigned long base = cfp_get_frames(frames_process_pool(), BUDDY_BOOT_FRAMES);
    unsigned long info = cfp_get_frames(frames_kernel_pool(),
                                        (unsigned int)bp_needed_info_frames(BUDDY_BOOT_FRAMES));
    int err = base && info ? bp_init(&system_buddy, base, BUDDY_BOOT_FRAMES, info)
                           : BP_ERR_INVALID;
    if (err != BP_OK) {
        kprintf("buddy: alloc=buddy: no buddy pool: %s\n",
                base && info ? bp_strerror(err) : "no frames for it");
        if (base)
            cfp_release_frames(base);
        if (info)
            cfp_release_frames(info);
        return;
    }
    system_buddy.name = "buddy";
    buddy_ready = true;
    kprintf("buddy: pool base=%lu n=%lu free=%lu, records in frames %lu+%lu (alloc=buddy)\n",
            base, (unsigned long)BUDDY_BOOT_FRAMES, bp_free_count(&system_buddy), info,
            bp_needed_info_frames(BUDDY_BOOT_FRAMES));
}

struct buddy_pool *buddy_system_pool(void)
{
    return buddy_ready ? &system_buddy : NULL;
}

static void buddy_print(const struct buddy_pool *pool)
{
    kprintf("buddy: pool %s base=%lu n=%lu free=%lu; free blocks by order:",
            pool->name ? pool->name : "(unnamed)", bp_base_frame(pool), bp_n_frames(pool),
            bp_free_count(pool));
    for (unsigned int k = 0; k < BP_ORDERS; k++)
        kprintf(" %u:%lu", k, bp_free_blocks(pool, k));
    kprintf("\n");
}

static int cmd_buddy(int argc, char **argv)
{
    struct buddy_pool *pool = buddy_system_pool();
    if (pool == NULL) {
        kprintf("buddy: no buddy pool (lab 2 builds one at boot with alloc=buddy: "
                "make lab2 CMDLINE=alloc=buddy)\n");
        return 1;
    }
    if (argc == 1) {
        buddy_print(pool);
        return 0;
    }
    char *end;
    unsigned long n = argc == 3 ? strtoul(argv[2], &end, 0) : 0;
    if (argc != 3 || *argv[2] == '\0' || *end != '\0') {
        kprintf("usage: buddy [alloc N | free FRAME]\n");
        return 1;
    }
    if (strcmp(argv[1], "alloc") == 0) {
        unsigned long f = bp_get_frames(pool, (unsigned int)n);
        if (f == 0) {
            kprintf("buddy: no free block for %lu frames\n", n);
            return 1;
        }
        kprintf("buddy: frames %lu-%lu (order %d)\n", f,
                f + (1ul << bp_block_order(pool, f)) - 1, bp_block_order(pool, f));
        return 0;
    }
    if (strcmp(argv[1], "free") == 0)
        return bp_release_frames(pool, n) == BP_OK ? 0 : 1; /* it logs why not */
    kprintf("usage: buddy [alloc N | free FRAME]\n");
    return 1;
}
MONITOR_COMMAND(buddy, "[alloc N|free F]", "the buddy pool of alloc=buddy (lab 2 challenge)",
                cmd_buddy);
