/* tests_util.c: helpers shared by lab 4's in-kernel tests: memory baselines, waiting for threads. */
#include "lab2-frames/frames.h"
#include "lab3-paging/kmalloc.h"
#include "tests_util.h"

bool tests_threads_ok(void)
{
    return scheduler_running() && scheduler_idle_thread() != NULL;
}

void tests_baseline_now(struct tests_baseline *b)
{
    b->process_free = cfp_free_count(frames_process_pool());
    b->kernel_free = cfp_free_count(frames_kernel_pool());
    b->heap_blocks = kmalloc_heap()->stats.blocks_in_use;
    b->threads = thread_count();
}

static void warm_up(void *arg)
{
    (void)arg;
}

void tests_baseline_take(struct tests_baseline *b, int n)
{
    int ids[TESTS_WARMUP_MAX];
    if (n < 1)
        n = 1;
    if (n > TESTS_WARMUP_MAX)
        n = TESTS_WARMUP_MAX;
    for (int i = 0; i < n; i++)
        ids[i] = tests_spawn("warmup", warm_up, NULL);
    tests_wait_all(ids, n);
    tests_baseline_now(b);
}

int tests_spawn(const char *name, thread_fn *fn, void *arg)
{
    struct thread *t = thread_spawn(name, fn, arg);
    if (t == NULL)
        KT_FAIL("thread_spawn(\"%s\") returned NULL", name);
    return thread_id(t);
}

void tests_wait_all(const int *ids, int n)
{
    for (int i = 0; i < n; i++)
        thread_wait(ids[i]);
}
