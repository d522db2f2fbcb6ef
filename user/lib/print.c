/* print.c: formatted output on a file descriptor (common/format.c's engine), error and status names. */
#include "ulib.h"

#define PRINT_BUF 128

/* Characters gathered before one write() call. */
struct print_buf {
    int fd;
    unsigned len;
    char data[PRINT_BUF];
};

int write_all(int fd, const void *buf, unsigned len)
{
    const char *p = buf;
    unsigned done = 0;
    while (done < len) {
        int n = write(fd, p + done, len - done);
        if (n <= 0)
            return n < 0 ? n : -E_INVAL;
        done += (unsigned)n;
    }
    return (int)done;
}

static void print_emit(char c, void *ctx)
{
    struct print_buf *pb = ctx;
    pb->data[pb->len++] = c;
    if (pb->len == PRINT_BUF) {
        write_all(pb->fd, pb->data, pb->len);
        pb->len = 0;
    }
}

int vdprintf(int fd, const char *fmt, va_list ap)
{
    struct print_buf pb = {.fd = fd, .len = 0};
    int n = kformat(print_emit, &pb, fmt, ap);
    if (pb.len > 0)
        write_all(fd, pb.data, pb.len);
    return n;
}

int dprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vdprintf(fd, fmt, ap);
    va_end(ap);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vdprintf(1, fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    return dprintf(1, "%s\n", s);
}

const char *errname(int err)
{
    static const struct {
        int code;
        const char *name;
    } names[] = {
        {E_PERM, "E_PERM"},     {E_NOENT, "E_NOENT"},   {E_SRCH, "E_SRCH"},
        {E_2BIG, "E_2BIG"},     {E_NOEXEC, "E_NOEXEC"}, {E_BADF, "E_BADF"},
        {E_CHILD, "E_CHILD"},   {E_AGAIN, "E_AGAIN"},   {E_NOMEM, "E_NOMEM"},
        {E_FAULT, "E_FAULT"},   {E_INVAL, "E_INVAL"},   {E_NAMETOOLONG, "E_NAMETOOLONG"},
        {E_NOSYS, "E_NOSYS"},
    };
    if (err < 0)
        err = -err;
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].code == err)
            return names[i].name;
    return "unknown error";
}

void perror_code(const char *what, int err)
{
    dprintf(2, "%s: %s (%d)\n", what, errname(err), err);
}

/* Why the kernel ended a process: an exception vector or an ABI_KILLED_* reason. */
static const char *kill_reason(unsigned reason)
{
    switch (reason) {
    case 0: return "divide error";
    case 1: return "debug exception";
    case 3: return "breakpoint";
    case 4: return "overflow";
    case 5: return "bound range exceeded";
    case 6: return "invalid opcode";
    case 7: return "no math coprocessor";
    case 10: return "invalid TSS";
    case 11: return "segment not present";
    case 12: return "stack-segment fault";
    case 13: return "general protection fault";
    case 14: return "page fault";
    case 16: return "x87 floating-point error";
    case 17: return "alignment check";
    case ABI_KILLED_BY_KILL: return "kill() from another process";
    case ABI_KILLED_PRIV: return "privileged instruction";
    case ABI_KILLED_MEMORY: return "memory access outside the process";
    case ABI_KILLED_STACK: return "stack grew past its limit";
    default: return "unknown reason";
    }
}

const char *status_text(int status, char *buf, size_t size)
{
    if (ABI_WIFEXITED(status))
        ksnprintf(buf, size, "exit %d", ABI_WEXITSTATUS(status));
    else
        ksnprintf(buf, size, "killed: %s (reason %u)", kill_reason(ABI_WKILLREASON(status)),
                  ABI_WKILLREASON(status));
    return buf;
}
