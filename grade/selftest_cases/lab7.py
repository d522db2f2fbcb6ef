"""lab7.py: broken user-process kernels the lab 7 grader must catch."""
from protocol import FAIL, PANIC, TIMEOUT

PROC = "lab7-user/proc.c"
UVM = "lab7-user/uvm.c"
UACCESS = "lab7-user/uaccess.c"


def cases(Case):
    return [
        # The switch hook forgets the TSS: a thread's ring-3 interrupts would
        # push their frame on whichever stack esp0 still names.
        Case("lab7-esp0-not-updated", "user_tss_stack_follows_thread", FAIL,
             [(PROC, "    ring3_set_kernel_stack(next->stack_top);\n    /* LAB 7: END SOLUTION */",
               "    /* LAB 7: END SOLUTION */")],
             only=["user_tss_stack_follows_thread"], lab="lab7", others=False),
        # Only the first page of a buffer is checked: one that straddles the
        # stack top passes, and the kernel's copy faults on the unmapped page
        # (the test fails, or the kernel stops, or the process never ends).
        Case("lab7-uaccess-first-page-only", "user_bad_pointers_refused", (FAIL, PANIC, TIMEOUT),
             [(UACCESS, "va < uaddr + len; va += PAGE_SIZE)", "va <= uaddr; va += PAGE_SIZE)")],
             only=["user_bad_pointers_refused"], lab="lab7", others=False, timeout_scale=0.3),
        # fork maps fresh pages for the child but copies nothing into them.
        Case("lab7-fork-no-copy", "user_fork_memory_independent", FAIL,
             [(UVM, "            if (rc == 0)\n                rc = uvm_write(dst, va, (const void *)va, PAGE_SIZE);\n",
               "")],
             only=["user_fork_memory_independent"], lab="lab7", others=False),
        # exit keeps the address space: every process leaks its pages.
        Case("lab7-exit-leaks-memory", "user_hello_runs_in_ring3", FAIL,
             [(PROC, "    uvm_activate(NULL);\n    uvm_destroy(&p->us);\n", "    uvm_activate(NULL);\n")],
             only=["user_hello_runs_in_ring3"], lab="lab7", others=False),
        # The kernel's directory entries are copied user-accessible (their
        # tables still say supervisor, but one more slip and ring 3 reads
        # the kernel): the directory test looks at every entry.
        Case("lab7-kernel-pdes-user", "user_directory_shares_kernel_part", FAIL,
             [(UVM, "(i < PDE_USER_FIRST || i >= PDE_KERNEL_FIRST) ? kpd[i] : 0;",
               "(i < PDE_USER_FIRST || i >= PDE_KERNEL_FIRST) ? kpd[i] | PTE_USER : 0;")],
             only=["user_directory_shares_kernel_part"], lab="lab7", others=False),
    ]
