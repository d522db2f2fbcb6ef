/* bench_intr.c: lab 1 benchmarks: exception round trip and a timer tick. */
#include "common/ktest.h"
#include "common/x86.h"
#include "intr.h"
#include "pit.h"

#define ROUNDS 1000

static bool bench_bp_handler(struct intr_frame *frame)
{
    (void)frame;
    return true;
}

KBENCH(bench_exception_roundtrip)
{
    exception_handler_fn *prev = exception_chain(VEC_BREAKPOINT, bench_bp_handler);
    uint64_t t0 = rdtsc();
    for (int i = 0; i < ROUNDS; i++)
        __asm__ volatile("int3");
    uint64_t t1 = rdtsc();
    exception_chain(VEC_BREAKPOINT, prev);
    ktest_metric("exception_roundtrip", (unsigned long)(t1 - t0) / ROUNDS, "insns");
}
