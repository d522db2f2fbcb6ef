/* ulib.h: the StepOS user library: system calls, formatted output, strings, malloc (user/README.md). */
#ifndef USER_ULIB_H
#define USER_ULIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/format.h"
#include "common/kstring.h"
#include "lab7-user/syscall_abi.h"

/* ---- System calls (syscall.c): each returns what the kernel put in eax;
 * negative is -E_xxx (lab7-user/syscall_abi.h). ---- */
void exit(int status) __attribute__((noreturn));
int fork(void);
int spawn(const char *path, char *const argv[]);
int wait(int pid, int *status);
int getpid(void);
int getppid(void);
int kill(int pid);
int sleep(unsigned ms);
int yield(void);
int read(int fd, void *buf, unsigned len);
int write(int fd, const void *buf, unsigned len);
int procinfo(int index, struct abi_procinfo *out);
/* SYS_MEM_ALLOC's raw result: an address, or -E_xxx (see sys_failed). */
int sys_mem_alloc(unsigned size);
int mem_free(void *start);
/* Any call with raw arguments (the bad-pointer tests). */
int syscall5(int num, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e);

/* True if a raw result R is an error code rather than a value (an address
 * above 2 GiB is negative as an int, an error is -1..-4095). */
static inline bool sys_failed(int r)
{
    return (unsigned)r >= (unsigned)-4095;
}

/* A new zero-filled region of at least SIZE bytes (whole pages), or NULL. */
void *mem_alloc(unsigned size);

/* ---- Output (print.c) ---- */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vdprintf(int fd, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
#define snprintf ksnprintf
#define vsnprintf kvsnprintf
int puts(const char *s);              /* S and a newline on fd 1 */
int write_all(int fd, const void *buf, unsigned len);
/* A message on fd 2 naming the failed call, with its error's name. */
void perror_code(const char *what, int err);
const char *errname(int err);         /* "E_FAULT" for -E_FAULT or E_FAULT */
const char *status_text(int status, char *buf, size_t size); /* "exit 3", "killed: ..." */

/* ---- Input (readline.c) ---- */
/* Read one line from fd 0 into BUF (SIZE bytes, NUL-terminated, no newline):
 * its length, 0 at an empty line, -1 at end of input or an error. */
int readline(char *buf, size_t size);

/* ---- Words of a command line, with double quotes (split.c, split.h) ---- */
#include "user/lib/split.h"

/* ---- Numbers ---- */
int atoi(const char *s);

/* ---- Memory (malloc.c): small blocks inside pages from SYS_MEM_ALLOC ---- */
void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void free(void *p);

/* ---- Test programs: a verdict through the exit status (user/README.md) ---- */
#define TEST_PASS 0
#define TEST_FAIL 1
/* Print "NAME: FAIL: what" on fd 2 and count a failure when COND is false. */
#define CHECK(cond, ...) check_that((cond), __FILE__, __LINE__, __VA_ARGS__)
void check_that(bool ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* TEST_PASS if no CHECK failed, else TEST_FAIL; prints "NAME: PASS" / "NAME: FAIL (k checks)". */
int check_verdict(const char *name);

#endif
