/* t_range.c: a buffer that ends above the user range is refused as a whole, before any page of it
 * is touched: write() gives -E_FAULT and maps none of the legitimate stack pages it starts in.
 * Exit 0 = PASS. */
#include "lab7-user/uspace.h"
#include "user/lib/ulib.h"

#define RANGE_PAGES 8 /* the buffer's stack pages below USTACK_TOP, not mapped yet */

/* The user pages this process has mapped now (procinfo), or -1. */
static int my_pages(void)
{
    struct abi_procinfo info;
    for (int i = 0; procinfo(i, &info) == 0; i++)
        if (info.pid == getpid())
            return (int)info.pages;
    return -1;
}

int main(void)
{
    uint32_t start = USTACK_TOP - RANGE_PAGES * 4096u;
    uint32_t len = USER_HI - start + 1; /* one byte past the user range */
    int before = my_pages();
    int r = write(1, (const void *)start, len);
    int after = my_pages();
    CHECK(r == -E_FAULT, "write of [%#x, %#x) (past the user range) must give -E_FAULT, got %d",
          start, start + len, r);
    CHECK(before > 0 && after == before,
          "a range ending above the user range must be refused before any of its pages is "
          "touched: %d user pages before the call, %d after", before, after);
    return check_verdict("t_range");
}
