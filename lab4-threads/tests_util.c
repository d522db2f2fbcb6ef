/* tests_util.c: helpers shared by lab 4's in-kernel tests: memory baselines, waiting for threads. */
#include "common/intr_level.h"
#include "common/kstring.h"
#include "lab2-frames/frames.h"
#include "lab3-paging/kmalloc.h"
#include "fifo_policy.h"
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

void tests_baseline_take(struct tests_baseline *b, int n, int n_bufs, size_t buf_size)
{
    struct thread *ts[TESTS_WARMUP_MAX];
    void *bufs[TESTS_WARMUP_MAX];
    int ids[TESTS_WARMUP_MAX];

    n = n < 1 ? 1 : n > TESTS_WARMUP_MAX ? TESTS_WARMUP_MAX : n;
    n_bufs = n_bufs < 0 ? 0 : n_bufs > TESTS_WARMUP_MAX ? TESTS_WARMUP_MAX : n_bufs;
    for (int i = 0; i < n; i++) { /* all alive at once, none run yet */
        ts[i] = thread_create_named("warmup", warm_up, NULL, 0);
        if (ts[i] == NULL)
            KT_FAIL("thread_create failed during the warm-up");
    }
    for (int i = 0; i < n_bufs; i++) {
        bufs[i] = kmalloc(buf_size);
        if (bufs[i] != NULL)
            memset(bufs[i], 0, buf_size);
    }
    for (int i = 0; i < n_bufs; i++)
        kfree(bufs[i]);
    for (int i = 0; i < n; i++) {
        ids[i] = thread_id(ts[i]);
        scheduler_add(ts[i]);
    }
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

void tests_expect_ready(size_t n)
{
    enum intr_level old = intr_disable();
    const char *problem = fifo_check();
    size_t ready = fifo_ready_count();
    intr_set_level(old);
    if (problem != NULL)
        KT_FAIL("ready queue broken: %s", problem);
    if (ready != n)
        KT_FAIL("%lu threads counted ready, %lu really are: every enqueue and every pick "
                "must count exactly once", (unsigned long)ready, (unsigned long)n);
}
