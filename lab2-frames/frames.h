/* frames.h: the kernel's two system frame pools, built from the E820 map. */
#ifndef LAB2_FRAMES_H
#define LAB2_FRAMES_H

#include <stdbool.h>

#include "lab2-frames/cont_frame_pool.h"

/* Physical layout (README.md, "Machine"). */
#define FRAMES_KERNEL_POOL_BASE 512ul    /* 2 MiB */
#define FRAMES_KERNEL_POOL_FRAMES 512ul  /* up to 4 MiB */
#define FRAMES_PROCESS_POOL_BASE 1024ul  /* 4 MiB, up to the end of usable RAM */

/* Build the two system pools and register them:
 *   kernel pool: frames 512-1023, bitmap in its own first frame;
 *   process pool: frame 1024 up to the end of usable RAM per the E820 map,
 *     bitmap in frames taken from the kernel pool.
 * In both, frames not covered by a usable E820 range (reserved ranges,
 * holes) and frames of the kernel image are marked inaccessible.
 * Prints one summary line per pool (see frames_print_pool). Panics, saying
 * why, if the map is missing or the machine is too small. Call once, early,
 * before anything allocates frames. */
void frames_init(void);

/* True once frames_init() built both pools. False if the pool code refused
 * (frames_init printed why); the kernel then runs without frame pools. */
bool frames_available(void);

/* The system pools (frames_init must have run). */
struct cont_frame_pool *frames_kernel_pool(void);
struct cont_frame_pool *frames_process_pool(void);

/* True if every byte of frame FRAME_NO lies in a usable E820 range and in
 * no other kind of range (the rule frames_init applies). */
bool frames_e820_usable(unsigned long frame_no);

/* Print POOL's totals on one line:
 *   frames: pool NAME base=B n=N free=F used=U head=H inaccessible=I info=X+K
 * and, if MAP, a compact map of its bitmap (one character per frame, or per
 * group of frames for large pools; legend printed). For the monitor. */
void frames_print_pool(const struct cont_frame_pool *pool, bool map);

#endif
