/* bench_cont_frame_pool.c: host benchmark of the frame pool's word-at-a-time search against a per-frame scan. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/debug.h"
#include "common/kprintf.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab2-frames/phys_mem.h"

/*
 * A 1 GiB pool (262144 frames) is driven through cont_frame_pool.c (the
 * kernel's files, unchanged) and through a plain implementation written
 * below: the same 2-bit bitmap, searched first-fit one frame at a time,
 * which is what a first version of the lab usually looks like. Cases:
 *
 *   fill     get_frames(1) repeatedly on an empty pool (the plain scan is
 *            quadratic here, so both fill only the first FILL_OPS frames)
 *   frag1    fragmented pool (small used and free runs, a 16-frame hole
 *            every 1024 frames): get_frames(1) + release, repeatedly
 *   frag16   same pool: get_frames(16) + release, repeatedly
 *   worst    every frame used but the last: get_frames(1) + release,
 *            repeatedly (the next-fit hint wraps to the start every time,
 *            so each request scans the whole bitmap)
 *
 * Output: for each case "KMETRIC cfp_bench_<case>_ns <x> ns" (pool, per
 * operation), "KMETRIC cfp_bench_<case>_plain_ns <x> ns" (plain scan) and
 * "KMETRIC cfp_bench_<case>_ratio <x> ratio" (plain / pool). Each figure is
 * the best of several rounds. Exit status 1 if the worst-case ratio is
 * below 20.
 */

#define POOL_FRAMES 262144ul /* 1 GiB */
#define POOL_BASE 1024ul
#define INFO_FRAME 1ul
#define FILL_OPS 16384ul
#define ROUNDS 5

/* ---- Host doubles for the kernel services the pool uses ---------------- */

static unsigned char ram[(INFO_FRAME + 16) * CFP_FRAME_SIZE];

void *phys_to_ptr(unsigned long paddr)
{
    if (paddr >= sizeof ram) {
        fprintf(stderr, "phys_to_ptr(0x%lx): outside the simulated RAM\n", paddr);
        abort();
    }
    return ram + paddr;
}

int kvprintf(const char *fmt, va_list ap)
{
    return vfprintf(stderr, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}

void panic_at(const char *file, int line, const char *func, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "KPANIC %s:%d %s: ", file, line, func);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* ---- The plain implementation ------------------------------------------ */

struct plain_pool {
    uint32_t bitmap[POOL_FRAMES / 16];
    unsigned long n;
};

static struct plain_pool plain;

static unsigned plain_state(unsigned long i)
{
    return (plain.bitmap[i / 16] >> (2 * (i % 16))) & 3u;
}

static void plain_set(unsigned long i, unsigned s)
{
    uint32_t *w = &plain.bitmap[i / 16];
    *w = (*w & ~(3u << (2 * (i % 16)))) | (s << (2 * (i % 16)));
}

static void plain_init(void)
{
    plain.n = POOL_FRAMES;
    for (unsigned long i = 0; i < POOL_FRAMES; i++)
        plain_set(i, CFP_STATE_FREE);
}

static void plain_mark_run(unsigned long idx, unsigned long n)
{
    plain_set(idx, CFP_STATE_HEAD);
    for (unsigned long i = idx + 1; i < idx + n; i++)
        plain_set(i, CFP_STATE_USED);
}

/* First fit, one frame at a time. Index of the run, or -1. */
static long plain_get(unsigned long n)
{
    unsigned long run = 0;
    for (unsigned long i = 0; i < plain.n; i++) {
        if (plain_state(i) != CFP_STATE_FREE) {
            run = 0;
            continue;
        }
        if (++run == n) {
            plain_mark_run(i + 1 - n, n);
            return (long)(i + 1 - n);
        }
    }
    return -1;
}

static void plain_release(unsigned long idx)
{
    plain_set(idx, CFP_STATE_FREE);
    for (unsigned long i = idx + 1; i < plain.n && plain_state(i) == CFP_STATE_USED; i++)
        plain_set(i, CFP_STATE_FREE);
}

/* ---- Setup of both implementations -------------------------------------- */

static struct cont_frame_pool pool;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "bench: %s failed\n", what);
        exit(2);
    }
}

static void fresh_pools(void)
{
    if (cfp_first_pool() != NULL)
        check(cfp_fini(&pool) == CFP_OK, "cfp_fini");
    check(cfp_init(&pool, POOL_BASE, POOL_FRAMES, INFO_FRAME) == CFP_OK, "cfp_init");
    cfp_set_name(&pool, "bench");
    plain_init();
}

/* Fragmented layout: a 32-frame segment of small used and free runs,
 * repeated; every 32nd segment is used 8, free 16, used 8 instead. */
static const unsigned seg_small[] = {5, 3, 6, 2, 7, 4, 5}; /* used, free, ... */
static const unsigned seg_hole[] = {8, 16, 8};

static void fragment_pools(void)
{
    fresh_pools();
    unsigned long idx = 0;
    static unsigned long free_heads[POOL_FRAMES / 2];
    unsigned long n_free = 0;
    for (unsigned long seg = 0; idx < POOL_FRAMES; seg++) {
        const unsigned *lens = seg % 32 == 31 ? seg_hole : seg_small;
        unsigned n_lens = seg % 32 == 31 ? 3 : 7;
        for (unsigned k = 0; k < n_lens; k++) {
            unsigned long f = cfp_get_frames(&pool, lens[k]);
            check(f == POOL_BASE + idx, "fragment layout");
            plain_mark_run(idx, lens[k]);
            if (k % 2 == 1)
                free_heads[n_free++] = idx;
            idx += lens[k];
        }
    }
    for (unsigned long i = 0; i < n_free; i++) {
        check(cfp_release_frames(POOL_BASE + free_heads[i]) == CFP_OK, "release");
        plain_release(free_heads[i]);
    }
}

static void worst_pools(void)
{
    fresh_pools();
    check(cfp_get_frames(&pool, POOL_FRAMES - 1) == POOL_BASE, "worst layout");
    plain_mark_run(0, POOL_FRAMES - 1);
}

/* ---- Timing ------------------------------------------------------------- */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile unsigned long sink;

/* ns per get+release of N frames, OPS times, on the pool / the plain one. */
static double pool_get_release(unsigned n, unsigned long ops)
{
    double t0 = now_ns();
    for (unsigned long i = 0; i < ops; i++) {
        unsigned long f = cfp_get_frames(&pool, n);
        check(f != 0, "pool get");
        check(cfp_release_frames(f) == CFP_OK, "pool release");
        sink += f;
    }
    return (now_ns() - t0) / (double)ops;
}

static double plain_get_release(unsigned n, unsigned long ops)
{
    double t0 = now_ns();
    for (unsigned long i = 0; i < ops; i++) {
        long f = plain_get(n);
        check(f >= 0, "plain get");
        plain_release((unsigned long)f);
        sink += (unsigned long)f;
    }
    return (now_ns() - t0) / (double)ops;
}

static double min_d(double a, double b)
{
    return a < b ? a : b;
}

static void report(const char *name, double pool_ns, double plain_ns)
{
    printf("KMETRIC cfp_bench_%s_ns %.1f ns\n", name, pool_ns);
    printf("KMETRIC cfp_bench_%s_plain_ns %.1f ns\n", name, plain_ns);
    printf("KMETRIC cfp_bench_%s_ratio %.1f ratio\n", name, plain_ns / pool_ns);
}

int main(void)
{
    double best_pool, best_plain;

    /* fill */
    best_pool = best_plain = 1e300;
    for (int r = 0; r < ROUNDS; r++) {
        fresh_pools();
        double t0 = now_ns();
        for (unsigned long i = 0; i < FILL_OPS; i++)
            sink += cfp_get_frames(&pool, 1);
        best_pool = min_d(best_pool, (now_ns() - t0) / FILL_OPS);
        t0 = now_ns();
        for (unsigned long i = 0; i < FILL_OPS; i++)
            sink += (unsigned long)plain_get(1);
        best_plain = min_d(best_plain, (now_ns() - t0) / FILL_OPS);
    }
    report("fill", best_pool, best_plain);

    /* The whole 1 GiB, pool only (the plain scan would take minutes). */
    fresh_pools();
    double t0 = now_ns();
    for (unsigned long i = 0; i < POOL_FRAMES; i++)
        check(cfp_get_frames(&pool, 1) != 0, "full fill");
    printf("KMETRIC cfp_bench_fill_all_ns %.1f ns\n", (now_ns() - t0) / POOL_FRAMES);

    /* fragmented */
    fragment_pools();
    static const struct {
        const char *name;
        unsigned n;
        unsigned long ops, plain_ops;
    } frag[] = {{"frag1", 1, 200000, 200000}, {"frag16", 16, 20000, 2000}};
    for (int c = 0; c < 2; c++) {
        best_pool = best_plain = 1e300;
        for (int r = 0; r < ROUNDS; r++) {
            best_pool = min_d(best_pool, pool_get_release(frag[c].n, frag[c].ops));
            best_plain = min_d(best_plain, plain_get_release(frag[c].n, frag[c].plain_ops));
        }
        report(frag[c].name, best_pool, best_plain);
    }

    /* worst case */
    worst_pools();
    best_pool = best_plain = 1e300;
    for (int r = 0; r < ROUNDS; r++) {
        best_pool = min_d(best_pool, pool_get_release(1, 2000));
        best_plain = min_d(best_plain, plain_get_release(1, 200));
    }
    report("worst", best_pool, best_plain);
    double ratio = best_plain / best_pool;
    if (ratio < 20.0) {
        fprintf(stderr, "bench: worst-case ratio %.1f is below 20\n", ratio);
        return 1;
    }
    return 0;
}
