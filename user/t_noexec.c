/* t_noexec.c: spawn refuses each malformed program in the image (bad_*, tools/mkbadelf.py) with
 * -E_NOEXEC and the system goes on: a valid program of the same shape runs. Exit 0 = PASS. */
#include "user/lib/ulib.h"

static const char *const bad[] = {
    "bad_class64", "bad_machine", "bad_type_rel", "bad_kernel_segment", "bad_top_segment",
    "bad_filesz", "bad_memsz", "bad_filesz_memsz", "bad_offset_wraps", "bad_entry", "bad_overlap",
    "bad_truncated",
};

int main(void)
{
    int status;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = {(char *)bad[i], NULL};
        int r = spawn(bad[i], argv);
        CHECK(r == -E_NOEXEC, "spawn(\"%s\") must return -E_NOEXEC, got %d (%s)", bad[i], r,
              r < 0 ? errname(r) : "it ran");
        if (r > 0)
            wait(r, &status);
    }
    char *tiny[] = {"good_tiny", NULL};
    int pid = spawn("good_tiny", tiny);
    CHECK(pid > 0, "spawn(\"good_tiny\") must succeed, got %s", errname(pid));
    CHECK(pid <= 0 || (wait(pid, &status) == pid && status == ABI_STATUS_EXITED(42)),
          "good_tiny must exit 42 (status %#x)", status);
    char *hello[] = {"hello", NULL};
    pid = spawn("hello", hello);
    CHECK(pid > 0 && wait(pid, &status) == pid && status == 0, "hello must still run");
    return check_verdict("t_noexec");
}
