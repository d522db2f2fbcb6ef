"""stepos.py: gdb commands for StepOS kernels: threads, btthread ID, pf ADDR, pools.

Sourced by the .gdbinit that `make labN-gdb` writes. Each command reads the
kernel's own data structures through gdb's symbol table, so it works in every
lab whose kernel has them and says "not in this lab" otherwise.
"""
import gdb

PAGING_PD_WINDOW = 0xFFFFF000     # lab3-paging/page_table.h: the directory itself
PAGING_PT_WINDOW = 0xFFC00000     # all page tables, through PDE 1023
PAGE_SHIFT = 12
PDE_SHIFT = 22
ENTRIES = 1024
FRAME_MASK = 0xFFFFF000
# Entry bits (Intel SDM vol. 3, 4.3), lowest first.
ENTRY_FLAGS = [(0x001, "P"), (0x002, "RW"), (0x004, "US"), (0x008, "PWT"), (0x010, "PCD"),
               (0x020, "A"), (0x040, "D"), (0x080, "PS"), (0x100, "G")]
# switch.asm: a stopped thread's saved_esp points at edi, esi, ebx, ebp, return address.
SAVED_EBP_OFFSET = 12
SAVED_EIP_OFFSET = 16
MAX_FRAMES = 32
THREAD_MAGIC = 0x54485244


class NotInLab(gdb.GdbError):
    """The loaded kernel lacks what a command needs."""


def stepos_need(symbol, what):
    """The gdb.Value of global SYMBOL; NotInLab naming WHAT when the kernel has none."""
    try:
        return gdb.parse_and_eval(symbol)
    except gdb.error:
        raise NotInLab("%s: not in this lab (the kernel has no '%s'; it comes with a "
                       "later lab)" % (what, symbol))


def stepos_u32(addr):
    """The 32-bit word at virtual ADDR (gdb.MemoryError if unmapped)."""
    data = gdb.selected_inferior().read_memory(addr, 4).tobytes()
    return int.from_bytes(data, "little")


def stepos_where(pc):
    """'function (file:line)' of code address PC, or its hex value."""
    sal = gdb.find_pc_line(pc)
    block = gdb.block_for_pc(pc)
    while block is not None and block.function is None:
        block = block.superblock
    if block is not None:
        name = block.function.print_name
    else:   # assembly: the nearest symbol ("thread_start + 3 in section .text")
        text = gdb.execute("info symbol 0x%x" % pc, to_string=True).strip()
        name = text.split(" in section")[0] if not text.startswith("No symbol") else "??"
    if sal.symtab is not None:
        return "%s (%s:%d)" % (name, sal.symtab.filename, sal.line)
    return name


def stepos_threads():
    """[(struct thread * Value)] of the live threads, in the kernel's all-threads list."""
    head = stepos_need("&all_threads", "threads")
    thread_t = gdb.lookup_type("struct thread")
    offset = thread_t["all_elem"].bitpos // 8
    elem = head["head"]["next"]
    tail = head["tail"].address
    out = []
    while int(elem) != int(tail) and int(elem) != 0 and len(out) < 1000:
        out.append(gdb.Value(int(elem) - offset).cast(thread_t.pointer()))
        elem = elem["next"]
    return out


def stepos_state(t):
    return str(t["state"]).replace("THREAD_", "")


class StepOSThreads(gdb.Command):
    """threads: list the kernel's live threads (lab 4 on): id, name, state, saved esp."""

    def __init__(self):
        super().__init__("threads", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        current = int(stepos_need("thread_running", "threads"))
        print("%3s  %-16s %-8s %-10s %s" % ("id", "name", "state", "saved_esp", "stack"))
        for t in stepos_threads():
            mark = "*" if int(t) == current else " "
            print("%s%2d  %-16s %-8s 0x%08x 0x%08x..0x%08x" % (
                mark, int(t["id"]), t["name"].string(), stepos_state(t),
                int(t["saved_esp"]), int(t["stack_base"]), int(t["stack_top"])))
        print("(* = running; 'btthread ID' shows where a stopped one is)")


class StepOSBtThread(gdb.Command):
    """btthread ID: backtrace of a stopped thread from its saved stack pointer (lab 4 on)."""

    def __init__(self):
        super().__init__("btthread", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        try:
            want = int(arg, 0)
        except ValueError:
            raise gdb.GdbError("usage: btthread ID (an id from 'threads')")
        current = int(stepos_need("thread_running", "btthread"))
        match = [t for t in stepos_threads() if int(t["id"]) == want]
        if not match:
            raise gdb.GdbError("btthread: no live thread has id %d ('threads' lists them)" % want)
        t = match[0]
        if int(t) == current or stepos_state(t) == "RUNNING":
            print("thread %d is running: its stack is the CPU's, use 'bt'" % want)
            return
        esp = int(t["saved_esp"])
        pc = stepos_u32(esp + SAVED_EIP_OFFSET)
        ebp = stepos_u32(esp + SAVED_EBP_OFFSET)
        print("thread %d \"%s\" (%s), saved_esp 0x%08x:" % (want, t["name"].string(),
                                                            stepos_state(t), esp))
        for n in range(MAX_FRAMES):
            print("#%-2d 0x%08x in %s" % (n, pc, stepos_where(pc)))
            if ebp == 0 or pc == 0:
                break
            try:
                pc, ebp = stepos_u32(ebp + 4), stepos_u32(ebp)
            except gdb.MemoryError:
                print("    (frame pointer 0x%08x unreadable: stack ends)" % ebp)
                break
            if pc == 0:
                break


def stepos_flags(entry):
    return " ".join(name for bit, name in ENTRY_FLAGS if entry & bit) or "-"


class StepOSPf(gdb.Command):
    """pf [ADDR]: the PDE and PTE that map ADDR (default $cr2 if gdb has it), read
    through the recursive window at 0xFFFFF000/0xFFC00000, and their flags (lab 3 on)."""

    def __init__(self):
        super().__init__("pf", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        stepos_need("paging_init", "pf")
        if not arg.strip():
            raise gdb.GdbError("usage: pf ADDR (e.g. pf 0x400000, or pf $cr2 if your gdb "
                               "shows control registers)")
        va = int(gdb.parse_and_eval(arg)) & 0xFFFFFFFF
        pdi, pti = va >> PDE_SHIFT, (va >> PAGE_SHIFT) & (ENTRIES - 1)
        print("address 0x%08x: directory index %d, table index %d, offset 0x%03x"
              % (va, pdi, pti, va & 0xFFF))
        try:
            pde = stepos_u32(PAGING_PD_WINDOW + 4 * pdi)
        except gdb.MemoryError:
            print("the directory window 0x%08x is unreadable: paging is off, or PDE 1023 "
                  "is not the directory itself (recursive mapping missing)" % PAGING_PD_WINDOW)
            return
        print("PDE[%4d] = 0x%08x  table at 0x%08x  flags: %s"
              % (pdi, pde, pde & FRAME_MASK, stepos_flags(pde)))
        if not pde & 1:
            print("=> not present at the directory level: an access faults "
                  "(error code bit 0 = 0)")
            return
        pte = stepos_u32(PAGING_PT_WINDOW + 4 * (va >> PAGE_SHIFT))
        print("PTE[%4d] = 0x%08x  frame at 0x%08x  flags: %s"
              % (pti, pte, pte & FRAME_MASK, stepos_flags(pte)))
        if not pte & 1:
            print("=> not present: an access faults (error code bit 0 = 0)")
        elif not (pde & pte & 2):
            print("=> mapped read-only: a write faults (error code 0x3), a read works; "
                  "physical 0x%08x" % ((pte & FRAME_MASK) | (va & 0xFFF)))
        else:
            print("=> mapped read-write: no fault from ring 0; physical 0x%08x"
                  % ((pte & FRAME_MASK) | (va & 0xFFF)))


class StepOSPools(gdb.Command):
    """pools: the registered frame pools (lab 2 on): frames, free, bitmap, name."""

    def __init__(self):
        super().__init__("pools", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        pool = stepos_need("cfp_pools", "pools")
        print("%-10s %-23s %7s %7s %-8s %s" % ("name", "frames", "n", "free", "bitmap",
                                               "info frames"))
        total = free = n = 0
        while int(pool) != 0 and n < 64:
            base, count = int(pool["base_frame_no"]), int(pool["n_frames"])
            name = pool["name"].string() if int(pool["name"]) else "(unnamed)"
            where = "internal" if bool(pool["info_internal"]) else "external"
            print("%-10s 0x%05x..0x%05x   %7d %7d %-8s %d from frame 0x%x" % (
                name, base, base + count - 1, count, int(pool["free_count"]), where,
                int(pool["n_info_frames"]), int(pool["info_frame_no"])))
            total += count
            free += int(pool["free_count"])
            n += 1
            pool = pool["next"]
        if n == 0:
            print("no pool registered yet (frames_init has not run)")
        else:
            print("%d pool(s): %d frames, %d free (%d KiB)" % (n, total, free, free * 4))


StepOSThreads()
StepOSBtThread()
StepOSPf()
StepOSPools()
