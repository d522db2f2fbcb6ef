/* syscall.c: the system-call stubs: number in eax, arguments in ebx ecx edx esi edi, `int 0x80`. */
#include "ulib.h"

int syscall5(int num, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e)
{
    int ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(num), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
                     : "memory", "cc");
    return ret;
}

#define SC0(n)             syscall5((n), 0, 0, 0, 0, 0)
#define SC1(n, a)          syscall5((n), (uint32_t)(a), 0, 0, 0, 0)
#define SC2(n, a, b)       syscall5((n), (uint32_t)(a), (uint32_t)(b), 0, 0, 0)
#define SC3(n, a, b, c)    syscall5((n), (uint32_t)(a), (uint32_t)(b), (uint32_t)(c), 0, 0)

void exit(int status)
{
    for (;;)
        SC1(SYS_EXIT, status);
}

int fork(void) { return SC0(SYS_FORK); }
int spawn(const char *path, char *const argv[]) { return SC2(SYS_SPAWN, path, argv); }
int wait(int pid, int *status) { return SC2(SYS_WAIT, pid, status); }
int getpid(void) { return SC0(SYS_GETPID); }
int getppid(void) { return SC0(SYS_GETPPID); }
int kill(int pid) { return SC1(SYS_KILL, pid); }
int sleep(unsigned ms) { return SC1(SYS_SLEEP, ms); }
int yield(void) { return SC0(SYS_YIELD); }
int read(int fd, void *buf, unsigned len) { return SC3(SYS_READ, fd, buf, len); }
int write(int fd, const void *buf, unsigned len) { return SC3(SYS_WRITE, fd, buf, len); }
int procinfo(int index, struct abi_procinfo *out) { return SC2(SYS_PROCINFO, index, out); }
int sys_mem_alloc(unsigned size) { return SC1(SYS_MEM_ALLOC, size); }
int mem_free(void *start) { return SC1(SYS_MEM_FREE, start); }

void *mem_alloc(unsigned size)
{
    int r = sys_mem_alloc(size);
    return sys_failed(r) ? NULL : (void *)(uintptr_t)(unsigned)r;
}
