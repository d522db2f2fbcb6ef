/* uaccess.c: checked copies between the kernel and the running process's memory. */
#include <stddef.h>

#include "common/kstring.h"
#include "lab3-paging/page_table.h"
#include "proc.h"
#include "syscall_abi.h"
#include "uaccess.h"
#include "ucow.h"
#include "uvm.h"

/* 0 if the page at VA may be accessed by the running process (mapping it if
 * legitimate and absent; giving it its own copy of a copy-on-write page it
 * is about to write), else -E_FAULT. */
static int page_ok(struct uspace *us, uint32_t va, bool write)
{
    uint32_t pte = uvm_pte(us, va);
    if (pte_present(pte)) {
        if (!(pte & PTE_USER))
            return -E_FAULT;
        if (write && !(pte & PTE_WRITABLE)) {
            /* LAB 7: TODO (challenge: copy-on-write fork) a page fork
             * shared (PTE_COW) gets its own copy first (ucow_break), as a
             * write from ring 3 would: the kernel is about to write it */
            /* LAB 7: BEGIN SOLUTION challenge */
            if (pte & PTE_COW)
                return ucow_break(us->pd, va) == 0 ? 0 : -E_FAULT;
            /* LAB 7: END SOLUTION */
            return -E_FAULT;
        }
        return 0;
    }
    if (!uvm_legitimate(us, va))
        return -E_FAULT;
    return uvm_map_zero(us, va & ~PAGE_MASK, true) == 0 ? 0 : -E_FAULT;
}

int uaccess_check(uint32_t uaddr, uint32_t len, bool write)
{
    struct process *p = proc_current();
    if (len == 0)
        return 0;
    if (p == NULL)
        return -E_FAULT;
    /* LAB 7: TODO refuse a range that starts below the user range, wraps
     * around, or ends above it; then check every page it touches */
    /* LAB 7: BEGIN SOLUTION */
    if (uaddr < USER_LO || uaddr + len < uaddr || uaddr + len > USER_HI)
        return -E_FAULT;
    for (uint32_t va = uaddr & ~PAGE_MASK; va < uaddr + len; va += PAGE_SIZE)
        if (page_ok(&p->us, va, write) != 0)
            return -E_FAULT;
    /* LAB 7: END SOLUTION */
    (void)uaddr, (void)write;
    return 0;
}

int copy_from_user(void *dst, uint32_t usrc, uint32_t len)
{
    int rc = uaccess_check(usrc, len, false);
    if (rc == 0)
        memcpy(dst, (const void *)usrc, len);
    return rc;
}

int copy_to_user(uint32_t udst, const void *src, uint32_t len)
{
    int rc = uaccess_check(udst, len, true);
    if (rc == 0)
        memcpy((void *)udst, src, len);
    return rc;
}

int strncpy_from_user(char *dst, uint32_t usrc, uint32_t max)
{
    struct process *p = proc_current();
    if (p == NULL || max == 0)
        return -E_FAULT;
    for (uint32_t i = 0; i < max; i++) {
        uint32_t va = usrc + i;
        if (va < usrc || va < USER_LO || va >= USER_HI)
            return -E_FAULT;
        if ((i == 0 || (va & PAGE_MASK) == 0) && page_ok(&p->us, va, false) != 0)
            return -E_FAULT;
        dst[i] = *(const char *)va;
        if (dst[i] == '\0')
            return (int)i;
    }
    dst[max - 1] = '\0';
    return -E_NAMETOOLONG;
}
