/* t_fork.c: fork() gives the child its own copy of every kind of memory (data, bss, heap,
 * stack, a mem_alloc region): writes on one side are not seen on the other. Exit 0 = PASS. */
#include "user/lib/ulib.h"

static int data_var = 1111;
static int bss_var;

int main(void)
{
    volatile int stack_var = 3333;
    int *heap = malloc(sizeof *heap);
    int *region = mem_alloc(4096);
    if (heap == NULL || region == NULL) {
        printf("t_fork: cannot allocate (setup)\n");
        return 2;
    }
    *heap = 4444;
    *region = 5555;
    bss_var = 2222;
    int parent = getpid();

    int pid = fork();
    if (pid == 0) { /* the child: sees the parent's values, then changes its own copies */
        int bad = 0;
        bad |= (data_var != 1111) << 0;
        bad |= (bss_var != 2222) << 1;
        bad |= (stack_var != 3333) << 2;
        bad |= (*heap != 4444) << 3;
        bad |= (*region != 5555) << 4;
        bad |= (getppid() != parent) << 5;
        bad |= (getpid() == parent) << 6;
        data_var = bss_var = stack_var = *heap = *region = -1;
        exit(bad == 0 ? 0 : 100 + (bad & 0x7F));
    }
    CHECK(pid > 0, "fork must return the child's pid in the parent, got %d (%s)", pid,
          errname(pid));
    int status = -1;
    int r = wait(pid, &status);
    CHECK(r == pid, "wait(child) must return the child's pid %d, got %d", pid, r);
    CHECK(ABI_WIFEXITED(status) && ABI_WEXITSTATUS(status) == 0,
          "the child must see the parent's values right after fork (status %#x: bit k set in "
          "status-100 = value k differed)", status);
    CHECK(data_var == 1111 && bss_var == 2222 && stack_var == 3333 && *heap == 4444 &&
              *region == 5555,
          "the child's writes must not reach the parent: data %d bss %d stack %d heap %d region %d",
          data_var, bss_var, stack_var, *heap, *region);
    free(heap);
    CHECK(mem_free(region) == 0, "mem_free of a region the parent owns must succeed after fork");
    return check_verdict("t_fork");
}
