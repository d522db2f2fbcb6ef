/* t_segs.c: a process starts as the kernel must enter it: the user selectors in every segment
 * register (cs the user code segment, ds es fs gs ss the user data segment, all RPL 3) and a
 * 4-byte aligned initial stack (argv lies right above argc). Exit 0 = PASS. */
#include "lab7-user/uspace.h"
#include "user/lib/ulib.h"

#define SEGS_READ(reg, out) __asm__ volatile("mov %%" reg ", %0" : "=r"(out))

int main(int argc, char **argv)
{
    uint32_t cs, ds, es, fs, gs, ss;
    SEGS_READ("cs", cs);
    SEGS_READ("ds", ds);
    SEGS_READ("es", es);
    SEGS_READ("fs", fs);
    SEGS_READ("gs", gs);
    SEGS_READ("ss", ss);
    static const char *const names[] = {"ds", "es", "fs", "gs", "ss"};
    const uint32_t data[] = {ds, es, fs, gs, ss};
    CHECK((cs & 0xFFFF) == USER_CS, "cs must be the user code selector %#x, got %#x", USER_CS,
          cs & 0xFFFF);
    for (unsigned i = 0; i < sizeof data / sizeof data[0]; i++)
        CHECK((data[i] & 0xFFFF) == USER_DS,
              "%s must be the user data selector %#x (a null or kernel one is not), got %#x",
              names[i], USER_DS, data[i] & 0xFFFF);
    CHECK(((uint32_t)argv & 3) == 0 && argc >= 1,
          "the initial stack must be 4-byte aligned: argv at %p (argc %d)", (void *)argv, argc);
    return check_verdict("t_segs");
}
