/* fake_cpu.h: host stand-ins for the interrupt flag and the time-stamp counter (forced in with -include before x86.h and intr_level.h). */
#ifndef COMMON_HOST_TESTS_FAKE_CPU_H
#define COMMON_HOST_TESTS_FAKE_CPU_H

#define COMMON_X86_H        /* the real ones execute cli/sti/rdtsc: not on the host */
#define COMMON_INTR_LEVEL_H

#include <stdint.h>

enum intr_level { INTR_OFF, INTR_ON };

/* The simulated interrupt flag, how often it was turned off, and the
 * counter rdtsc() returns (it advances by fake_tsc_step on every read). */
extern enum intr_level fake_intr;
extern unsigned long fake_cli_count;
extern uint64_t fake_tsc, fake_tsc_step;

static inline enum intr_level intr_get_level(void) { return fake_intr; }

static inline enum intr_level intr_disable(void)
{
    enum intr_level old = fake_intr;
    fake_intr = INTR_OFF;
    fake_cli_count++;
    return old;
}

static inline enum intr_level intr_set_level(enum intr_level level)
{
    enum intr_level old = fake_intr;
    fake_intr = level;
    return old;
}

static inline uint64_t rdtsc(void)
{
    fake_tsc += fake_tsc_step;
    return fake_tsc;
}

#endif
