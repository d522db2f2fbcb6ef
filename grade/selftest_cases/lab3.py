"""lab3.py: broken paging, VM pools and heaps the lab 3 grader must catch."""
from protocol import FAIL, PANIC

PT = "lab3-paging/page_table.c"
POOL = "lab3-paging/vm_pool.c"
FAULT = "lab3-paging/page_fault.c"
DEMAND_PTE = "    *paging_pte_ptr(page) = pte_make_frame(frame, PTE_PRESENT | PTE_WRITABLE);"


def cases(Case):
    return [
        # A freed page's stale translation stays in the TLB (QEMU keeps it
        # long enough to be seen; Bochs breaks earlier tests instead).
        Case("lab3-no-tlb-invalidation", "paging_freed_page_faults_again", FAIL,
             [(PT, "    *pte = 0;\n    invlpg(va);\n    int err = cfp_release_frames(frame);",
               "    *pte = 0;\n    int err = cfp_release_frames(frame);")],
             lab="lab3", others=False),
        Case("lab3-tables-from-kernel-pool", "paging_tables_from_process_pool", FAIL,
             [(PT, "    unsigned long frame = cfp_get_frames(process_pool, 1);",
               "    unsigned long frame = cfp_get_frames(kernel_pool, 1);")],
             lab="lab3", others=False),
        Case("lab3-legitimate-only-bounds", "paging_unallocated_in_pool_faults", FAIL,
             [(POOL, "    return vm_regions_is_allocated(pool->regions, address);",
               "    return true;")],
             lab="lab3", others=False),
        Case("lab3-release-frees-unmapped", "vm_pool_release_only_mapped", PANIC,
             [(POOL, "        if (page_table_is_mapped(pool->pt, page))\n"
                     "            page_table_free_page(pool->pt, page);",
               "        page_table_free_page(pool->pt, page);")],
             lab="lab3", others=False),
        Case("lab3-pages-not-zeroed", "paging_new_pages_zeroed", FAIL,
             [(FAULT, "    paging_zero_page((void *)page);\n    return NULL;",
               "    return NULL;")],
             lab="lab3", others=False),
        # The same on Bochs, whose TLB keeps the entry as long as QEMU's when
        # the page is read again right away.
        Case("lab3-bochs-no-tlb-invalidation", "paging_tlb_release_every_page", FAIL,
             [(PT, "    *pte = 0;\n    invlpg(va);\n    int err = cfp_release_frames(frame);",
               "    *pte = 0;\n    int err = cfp_release_frames(frame);")],
             lab="lab3", emulator="bochs", others=False),
        # The recursive entry (and so every page table) open to ring 3.
        Case("lab3-recursive-pde-user", "paging_entry_flags", FAIL,
             [(PT, "    pd[PAGING_RECURSIVE_SLOT] = pte_make_frame(pd_frame, PTE_PRESENT | PTE_WRITABLE);",
               "    pd[PAGING_RECURSIVE_SLOT] = pte_make_frame(pd_frame, PTE_PRESENT | PTE_WRITABLE"
               " | PTE_USER);")],
             lab="lab3"),
        # Demand-paged pages mapped user-accessible.
        Case("lab3-demand-pte-user", "paging_entry_flags", FAIL,
             [(FAULT, DEMAND_PTE, DEMAND_PTE.replace("PTE_WRITABLE)", "PTE_WRITABLE | PTE_USER)"))],
             lab="lab3"),
        # Demand-paged pages mapped without the present bit: zeroing the page
        # faults again inside the page-fault handler. The kernel must stop
        # with its nested-exception KPANIC, not recurse into a triple fault.
        Case("lab3-demand-pte-not-present", "paging_identity_map", PANIC,
             [(FAULT, DEMAND_PTE, DEMAND_PTE.replace("PTE_PRESENT | ", ""))],
             lab="lab3", others=False),
        # A new page table used without zeroing its frame.
        Case("lab3-new-table-not-zeroed", "paging_new_table_zeroed", FAIL,
             [(PT, "    memset(table, 0, PAGE_SIZE);\n    stats.tables_created++;",
               "    stats.tables_created++;")],
             lab="lab3", others=False),
    ]
