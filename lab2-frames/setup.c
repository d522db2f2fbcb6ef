/* setup.c: lab2_setup(): the frame pools (docs/architecture.md, "Start-up"). */
#include "frames.h"
#include "setup.h"

bool lab2_setup(void)
{
    static bool done;

    if (!done) {
        done = true;
        frames_init();
    }
    return frames_available();
}
