/* t_oom.c: allocates and touches memory until the kernel says no: mem_alloc must fail with
 * -E_NOMEM (or the kernel end the process), never crash the system; then memory freed can be
 * allocated again. Exit 0 = PASS. `t_oom malloc` does the same with malloc. */
#include "user/lib/ulib.h"

#define CHUNK (256 * 1024)
#define MAX_CHUNKS (3u * 1024 * 1024 * 1024 / CHUNK) /* the whole user range */

static void *chunks[1024];

int main(int argc, char **argv)
{
    bool use_malloc = argc > 1 && strcmp(argv[1], "malloc") == 0;
    unsigned n = 0;
    int err = 0;
    for (unsigned i = 0; i < MAX_CHUNKS; i++) {
        void *p;
        if (use_malloc) {
            p = malloc(CHUNK);
        } else {
            int r = sys_mem_alloc(CHUNK);
            err = sys_failed(r) ? r : 0;
            p = err ? NULL : (void *)(uintptr_t)(unsigned)r;
        }
        if (p == NULL)
            break;
        for (unsigned off = 0; off < CHUNK; off += 4096) /* make the kernel back every page */
            ((volatile char *)p)[off] = 1;
        if (n < sizeof chunks / sizeof chunks[0])
            chunks[n] = p;
        n++;
    }
    printf("t_oom: %u KiB allocated and touched before the kernel refused (%s)\n",
           n * (CHUNK / 1024), use_malloc ? "malloc returned NULL" : errname(err));
    CHECK(n > 0, "a process must get some memory");
    CHECK(use_malloc || err == -E_NOMEM, "mem_alloc must end with -E_NOMEM, got %d", err);
    unsigned kept = n < sizeof chunks / sizeof chunks[0] ? n : sizeof chunks / sizeof chunks[0];
    for (unsigned i = 0; i < kept; i++) {
        if (use_malloc)
            free(chunks[i]);
        else
            CHECK(mem_free(chunks[i]) == 0, "mem_free of chunk %u must succeed", i);
    }
    if (kept > 0) {
        void *again = use_malloc ? malloc(CHUNK) : mem_alloc(CHUNK);
        CHECK(again != NULL, "memory freed must be allocatable again");
    }
    return check_verdict("t_oom");
}
