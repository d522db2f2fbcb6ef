/* t_peek.c: one process cannot read another's memory. A holder maps a page with a secret at
 * address A; a peeker (in whose address space A is not mapped) reads A and must be ended by the
 * kernel; a region mapped later at A in the peeker must be zero, not the secret. Exit 0 = PASS. */
#include "user/lib/ulib.h"

#define SECRET 0x5EC2E7u

static int state_of(int pid)
{
    struct abi_procinfo info;
    for (int i = 0; procinfo(i, &info) == 0; i++)
        if (info.pid == pid)
            return info.state;
    return -1;
}

int main(void)
{
    int status;
    /* A: the address the next mem_alloc of this size returns (then freed). */
    uint32_t *a = mem_alloc(4096);
    if (a == NULL || mem_free(a) != 0) {
        printf("t_peek: cannot allocate (setup)\n");
        return 2;
    }
    int holder = fork();
    if (holder == 0) {
        uint32_t *mine = mem_alloc(4096);
        if (mine != a)
            exit(3); /* not the same address: the test cannot be set up */
        *mine = SECRET;
        for (;;) /* blocked: the sign the secret is in place */
            sleep(100000);
    }
    CHECK(holder > 0, "fork failed: %s", errname(holder));
    for (int i = 0; i < 100000 && state_of(holder) != ABI_PROC_BLOCKED &&
                    state_of(holder) != ABI_PROC_ZOMBIE; i++)
        yield();
    CHECK(state_of(holder) == ABI_PROC_BLOCKED, "the holder must be sleeping (state %d)",
          state_of(holder));

    int peeker = fork();
    if (peeker == 0) {
        uint32_t v = *(volatile uint32_t *)a; /* unmapped here: must be ended */
        exit(v == SECRET ? 1 : 4);
    }
    CHECK(wait(peeker, &status) == peeker, "wait(peeker) failed");
    CHECK(!ABI_WIFEXITED(status), "reading an address only another process maps must end the "
          "reader, but it exited %d (1 = it read the secret)", ABI_WEXITSTATUS(status));

    uint32_t *again = mem_alloc(4096);
    CHECK(again != NULL && *again != SECRET, "a fresh region must not hold another's data");
    CHECK(again == NULL || *again == 0, "a fresh region must be zero-filled");

    CHECK(kill(holder) == 0, "kill(holder) failed");
    CHECK(wait(holder, &status) == holder && !ABI_WIFEXITED(status), "holder not killed");
    return check_verdict("t_peek");
}
