/* thread_demos.h: demo thread sets for `spawn DEMO` and the tests: ping-pong, counter, overflow, fault. */
#ifndef LAB4_THREAD_DEMOS_H
#define LAB4_THREAD_DEMOS_H

#include <stdbool.h>

/* A demo the monitor's `spawn NAME [ARGS]` can start. START creates and
 * adds its threads, stores their ids in IDS (at most MAX) and returns how
 * many it started (0 after printing why not). Thread context. */
struct thread_demo {
    const char *name;
    const char *args; /* usage of ARGS, e.g. "[BURSTS]" */
    const char *help; /* one line */
    int (*start)(int argc, char **argv, int *ids, int max);
};

#define THREAD_DEMOS_MAX 16

/* Add DEMO (static storage) to the list; labs 5 and 6 add theirs. A second
 * demo with the same name replaces the first. Boot or thread context. */
void thread_demo_register(const struct thread_demo *demo);

/* The demo called NAME, or NULL. */
const struct thread_demo *thread_demo_find(const char *name);

/* The I-th registered demo (0-based), or NULL past the end. */
const struct thread_demo *thread_demo_at(int i);

/* Number argument I of ARGV, or DEFAULT_VALUE if absent or not a number.
 * For demos' START functions. */
unsigned long thread_demo_arg(int argc, char **argv, int i, unsigned long default_value);

/* Spawn one thread NAME running FN(ARG) for a demo: store its id in IDS[0]
 * and return 1, or return 0 if MAX < 1 or the spawn failed. Thread context. */
int thread_demo_spawn_one(const char *name, void (*fn)(void *), void *arg, int *ids, int max);

/* Recurse without end, each call keeping 64+ bytes of frame alive, storing
 * the depth reached in *DEPTH: the guard page below the stack ends the
 * thread. Used by the overflow demo and the overflow test. Never returns
 * normally. */
unsigned long thread_demo_recurse(unsigned long n, volatile char *parent,
                                  volatile unsigned long *depth);

/* Register lab 4's demos (pingpong, counter, overflow, fault). Idempotent. */
void thread_demos_init(void);

/* ---- The course's ping-pong, also run by the tests ----------------------- */

#define PINGPONG_MAX 8
#define PINGPONG_LOG 256

/* N_THREADS threads numbered 1..N; thread i prints "thread i: burst b" for
 * b = 0 .. bursts[i-1]-1, passing the CPU on (scheduler_yield) after each
 * burst, then "thread i: done after B bursts" and ends: by returning from
 * its function, or with thread_exit() if use_exit[i-1]. */
struct pingpong {
    int n_threads;
    int bursts[PINGPONG_MAX];
    bool use_exit[PINGPONG_MAX];
    int ids[PINGPONG_MAX];   /* filled by pingpong_start */
    int log[PINGPONG_LOG];   /* thread * 1000 + burst, in the order printed */
    int logged;              /* entries in log (writes beyond the end counted, dropped) */
    int finished;            /* threads that printed "done" */
};

/* Start PP's threads (PP must outlive them). Returns how many started
 * (fewer than n_threads only if thread creation failed: message printed). */
int pingpong_start(struct pingpong *pp);

#endif
