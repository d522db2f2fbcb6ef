/* frames_monitor.c: monitor commands to look at and play with the frame pools. */
#include <stddef.h>

#include "common/kprintf.h"
#include "common/kstring.h"
#include "lab1-boot/monitor.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab2-frames/frames.h"

static int cmd_frames(int argc, char **argv)
{
    (void)argv;
    for (struct cont_frame_pool *p = cfp_first_pool(); p; p = cfp_next_pool(p))
        frames_print_pool(p, argc < 2); /* 'frames -s': totals only */
    return 0;
}
MONITOR_COMMAND(frames, "[-s]", "frame pools: totals and bitmap map", cmd_frames);

/* Parse a number argument; print why not and return false if it is not one. */
static bool parse_number(const char *s, unsigned long *out)
{
    char *end;
    *out = strtoul(s, &end, 0);
    if (*s == '\0' || *end != '\0') {
        kprintf("'%s' is not a number\n", s);
        return false;
    }
    return true;
}

static int cmd_alloc(int argc, char **argv)
{
    unsigned long n;
    struct cont_frame_pool *pool = frames_process_pool();

    if (!frames_available()) {
        kprintf("alloc: the frame pools are not available (see the boot messages)\n");
        return 1;
    }
    if (argc < 2 || argc > 3 || !parse_number(argv[1], &n)) {
        kprintf("usage: alloc N [kernel|process]\n");
        return 1;
    }
    if (argc == 3 && strcmp(argv[2], "kernel") == 0)
        pool = frames_kernel_pool();
    else if (argc == 3 && strcmp(argv[2], "process") != 0) {
        kprintf("unknown pool '%s' (kernel or process)\n", argv[2]);
        return 1;
    }
    unsigned long f = cfp_get_frames(pool, (unsigned int)n);
    if (f == 0) { /* cfp_get_frames already explained bad requests */
        if (n > 0 && n <= cfp_n_frames(pool))
            kprintf("no run of %lu free frames in the %s pool\n", n, cfp_name(pool));
        return 1;
    }
    kprintf("frames %lu-%lu (0x%08lx-0x%08lx) from the %s pool\n", f, f + n - 1,
            f * PAGE_SIZE, (f + n) * PAGE_SIZE - 1, cfp_name(pool));
    return 0;
}
MONITOR_COMMAND(alloc, "N [POOL]", "allocate N contiguous frames", cmd_alloc);

static int cmd_free(int argc, char **argv)
{
    unsigned long f;

    if (argc != 2 || !parse_number(argv[1], &f)) {
        kprintf("usage: free FRAME (the first frame of a run)\n");
        return 1;
    }
    int err = cfp_release_frames(f);
    if (err != CFP_OK) /* cfp_release_frames logged why */
        return 1;
    kprintf("released the run starting at frame %lu\n", f);
    return 0;
}
MONITOR_COMMAND(free, "FRAME", "release the run that starts at FRAME", cmd_free);
