/* thread_demos.c: demo threads: the four-thread ping-pong, a sleeping counter, a stack overflow, a fault. */
#include <stddef.h>

#include "common/format.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "common/kstring.h"
#include "scheduler.h"
#include "thread.h"
#include "thread_demos.h"

static const struct thread_demo *demos[THREAD_DEMOS_MAX];
static int n_demos;

void thread_demo_register(const struct thread_demo *demo)
{
    for (int i = 0; i < n_demos; i++)
        if (strcmp(demos[i]->name, demo->name) == 0) {
            demos[i] = demo;
            return;
        }
    if (n_demos < THREAD_DEMOS_MAX)
        demos[n_demos++] = demo;
    else
        kprintf("thread_demo_register: no room for '%s'\n", demo->name);
}

const struct thread_demo *thread_demo_find(const char *name)
{
    for (int i = 0; i < n_demos; i++)
        if (strcmp(demos[i]->name, name) == 0)
            return demos[i];
    return NULL;
}

const struct thread_demo *thread_demo_at(int i)
{
    return i >= 0 && i < n_demos ? demos[i] : NULL;
}

unsigned long thread_demo_arg(int argc, char **argv, int i, unsigned long default_value)
{
    char *end;
    if (i >= argc)
        return default_value;
    unsigned long v = strtoul(argv[i], &end, 0);
    return (*argv[i] != '\0' && *end == '\0') ? v : default_value;
}

int thread_demo_spawn_one(const char *name, void (*fn)(void *), void *arg, int *ids, int max)
{
    struct thread *t = max > 0 ? thread_spawn(name, fn, arg) : NULL;
    if (t == NULL)
        return 0;
    ids[0] = thread_id(t);
    return 1;
}

/* ---- ping-pong ------------------------------------------------------------ */

struct pingpong_arg {
    struct pingpong *pp;
    int number; /* 1-based */
};
static struct pingpong_arg pingpong_args[PINGPONG_MAX]; /* one ping-pong at a time */

static void pingpong_thread(void *p)
{
    struct pingpong_arg *a = p;
    struct pingpong *pp = a->pp;
    int n = a->number;

    for (int b = 0; b < pp->bursts[n - 1]; b++) {
        kprintf("thread %d: burst %d\n", n, b);
        enum intr_level old = intr_disable();
        if (pp->logged < PINGPONG_LOG)
            pp->log[pp->logged] = n * 1000 + b;
        pp->logged++;
        intr_set_level(old);
        scheduler_yield(); /* pass the CPU on to the next thread */
    }
    kprintf("thread %d: done after %d bursts\n", n, pp->bursts[n - 1]);
    enum intr_level old = intr_disable();
    pp->finished++;
    intr_set_level(old);
    if (pp->use_exit[n - 1])
        thread_exit();
    /* else: returning ends the thread too */
}

int pingpong_start(struct pingpong *pp)
{
    struct thread *ts[PINGPONG_MAX];
    int started = 0;

    pp->logged = pp->finished = 0;
    for (int i = 0; i < pp->n_threads && i < PINGPONG_MAX; i++) {
        char name[THREAD_NAME_MAX];
        ksnprintf(name, sizeof name, "pingpong%d", i + 1);
        pingpong_args[i] = (struct pingpong_arg){pp, i + 1};
        ts[i] = thread_create_named(name, pingpong_thread, &pingpong_args[i], 0);
        if (ts[i] == NULL)
            break;
        pp->ids[i] = thread_id(ts[i]);
        started++;
    }
    /* Add them only once all exist, so that they start in order 1, 2, 3... */
    for (int i = 0; i < started; i++)
        scheduler_add(ts[i]);
    return started;
}

static struct pingpong demo_pp;

static int demo_pingpong(int argc, char **argv, int *ids, int max)
{
    int bursts = (int)thread_demo_arg(argc, argv, 1, 3);
    if (max < 4)
        return 0;
    demo_pp = (struct pingpong){.n_threads = 4};
    for (int i = 0; i < 4; i++)
        demo_pp.bursts[i] = i < 2 ? bursts : 2 * bursts; /* 1 and 2 end first */
    demo_pp.use_exit[1] = true;
    int n = pingpong_start(&demo_pp);
    for (int i = 0; i < n; i++)
        ids[i] = demo_pp.ids[i];
    return n;
}

/* ---- counter: counts slowly, sleeping between counts ----------------------- */

static void counter_thread(void *arg)
{
    unsigned long n = (unsigned long)arg;
    for (unsigned long i = 1; i <= n; i++) {
        kprintf("counter (thread %d): %lu of %lu\n", thread_id(thread_current()), i, n);
        scheduler_sleep(200);
    }
}

static int demo_counter(int argc, char **argv, int *ids, int max)
{
    unsigned long n = thread_demo_arg(argc, argv, 1, 5);
    return thread_demo_spawn_one("counter", counter_thread, (void *)n, ids, max);
}

/* ---- overflow: unbounded recursion into the guard page ---------------------- */

static volatile unsigned long overflow_depth;

/* Each call keeps 64+ bytes of frame alive across the next call (the callee
 * writes into it), so no optimisation turns this into a loop. */
unsigned long thread_demo_recurse(unsigned long n, volatile char *parent,
                                  volatile unsigned long *depth)
{
    volatile char frame[64];
    if (n == 0) /* never: the guard page ends us first */
        return 0;
    frame[0] = (char)n;
    if (parent != NULL)
        parent[1] = frame[0];
    *depth = n;
    unsigned long r = thread_demo_recurse(n + 1, frame, depth);
    __asm__ volatile("" ::: "memory");
    return r + (unsigned long)frame[1];
}

static void overflow_thread(void *arg)
{
    (void)arg;
    kprintf("overflow: recursing until the guard page stops us\n");
    thread_demo_recurse(1, NULL, &overflow_depth);
    kprintf("overflow: not reached\n");
}

static int demo_overflow(int argc, char **argv, int *ids, int max)
{
    (void)argc, (void)argv;
    return thread_demo_spawn_one("overflow", overflow_thread, NULL, ids, max);
}

/* ---- fault: an invalid opcode in a thread ------------------------------------ */

static void fault_thread(void *arg)
{
    (void)arg;
    kprintf("fault: executing ud2\n");
    __asm__ volatile("ud2");
}

static int demo_fault(int argc, char **argv, int *ids, int max)
{
    (void)argc, (void)argv;
    return thread_demo_spawn_one("fault", fault_thread, NULL, ids, max);
}

static const struct thread_demo lab4_demos[] = {
    {"pingpong", "[BURSTS]", "four threads pass the CPU round; 1 and 2 end first",
     demo_pingpong},
    {"counter", "[N]", "one thread counts to N, sleeping 200 ticks between counts",
     demo_counter},
    {"overflow", "", "a thread recurses into its guard page and is ended",
     demo_overflow},
    {"fault", "", "a thread executes an invalid opcode and is ended", demo_fault},
};

void thread_demos_init(void)
{
    for (size_t i = 0; i < sizeof lab4_demos / sizeof *lab4_demos; i++)
        thread_demo_register(&lab4_demos[i]);
}
