#!/usr/bin/env python3
"""mkimage.py: assemble the boot disk: boot sector, command line, stage 2, kernel."""
import argparse
import struct
import sys

SECTOR = 512
CMDLINE_LBA = 1          # keep in step with lab1-boot/boot/layout.inc
STAGE2_LBA = 2
STAGE2_SECTORS = 4
KERNEL_LBA = 8
KERNEL_ADDR = 0x100000   # the loader puts the kernel at 1 MiB...
KERNEL_MEM_LIMIT = 0x200000  # ...and it must end below lab 2's kernel frame pool
KERNEL_MAX_SECTORS = (KERNEL_MEM_LIMIT - KERNEL_ADDR) // SECTOR   # 2048
STAGE2_MAGIC = 0x32675453
DISK_SECTORS = 3024      # 3 cylinders x 16 heads x 63 sectors (Bochs geometry)
WARN_PERCENT = 80        # from here on, also say how much memory the kernel uses


def fail(msg):
    print(f"mkimage: error: {msg}", file=sys.stderr)
    sys.exit(1)


def build(stage1, stage2, kernel, cmdline):
    if len(stage1) != SECTOR or stage1[510:] != b"\x55\xaa":
        fail("boot sector must be 512 bytes ending in 55 AA")
    if len(stage2) != STAGE2_SECTORS * SECTOR:
        fail(f"stage 2 must be {STAGE2_SECTORS * SECTOR} bytes")
    if struct.unpack_from("<I", stage2, 4)[0] != STAGE2_MAGIC:
        fail("stage 2 has no magic at offset 4")
    nsect = (len(kernel) + SECTOR - 1) // SECTOR
    if nsect > KERNEL_MAX_SECTORS:
        fail(f"kernel too large: {len(kernel)} bytes = {nsect} sectors, "
             f"the loader reads at most {KERNEL_MAX_SECTORS} "
             f"({KERNEL_MAX_SECTORS * SECTOR // 1024} KiB: from 1 MiB up to the kernel "
             f"frame pool at 2 MiB)")
    cmd = cmdline.encode()
    if len(cmd) >= SECTOR:
        fail(f"command line too long ({len(cmd)} bytes, max {SECTOR - 1})")
    img = bytearray(DISK_SECTORS * SECTOR)
    img[0:SECTOR] = stage1
    img[CMDLINE_LBA * SECTOR:CMDLINE_LBA * SECTOR + len(cmd)] = cmd
    s2 = bytearray(stage2)
    struct.pack_into("<I", s2, 8, nsect)
    img[STAGE2_LBA * SECTOR:(STAGE2_LBA + STAGE2_SECTORS) * SECTOR] = s2
    img[KERNEL_LBA * SECTOR:KERNEL_LBA * SECTOR + len(kernel)] = kernel
    return img, nsect


def elf_symbol(elf, name):
    """The value of symbol NAME in the 32-bit ELF file contents ELF, or None."""
    if elf[:4] != b"\x7fELF" or elf[4] != 1:
        return None
    shoff, = struct.unpack_from("<I", elf, 0x20)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x2E)
    sections = [struct.unpack_from("<IIIIIIIIII", elf, shoff + i * shentsize)
                for i in range(shnum)]
    for sh in sections:
        if sh[1] != 2:                       # SHT_SYMTAB
            continue
        strtab = sections[sh[6]]              # sh_link: its string table
        for off in range(sh[4], sh[4] + sh[5], sh[9]):
            st_name, st_value = struct.unpack_from("<II", elf, off)
            start = strtab[4] + st_name
            if elf[start:elf.index(b"\0", start)] == name.encode():
                return st_value
    return None


def usage_lines(output, nsect, kernel_end):
    """The report: sectors used of the loader's limit and, near the limit,
    where the kernel (image + BSS, __kernel_end) ends in memory."""
    percent = nsect * 100 // KERNEL_MAX_SECTORS
    lines = [f"mkimage: {output}: kernel {nsect} sectors ({percent}% of the loader's limit)"]
    if kernel_end is not None:
        mem = (kernel_end - KERNEL_ADDR) * 100 // (KERNEL_MEM_LIMIT - KERNEL_ADDR)
        if max(percent, mem) >= WARN_PERCENT:
            lines.append(f"mkimage: {output}: kernel image + BSS ends at {kernel_end:#x}, "
                         f"{mem}% of the room below {KERNEL_MEM_LIMIT:#x} (2 MiB, the "
                         f"kernel frame pool)")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stage1", required=True)
    ap.add_argument("--stage2", required=True)
    ap.add_argument("--kernel", required=True, help="flat kernel binary")
    ap.add_argument("--elf", help="the kernel's ELF file: report where __kernel_end is")
    ap.add_argument("--cmdline", default="")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    with open(a.stage1, "rb") as f1, open(a.stage2, "rb") as f2, \
            open(a.kernel, "rb") as fk:
        img, nsect = build(f1.read(), f2.read(), fk.read(), a.cmdline)
    with open(a.output, "wb") as f:
        f.write(img)
    kernel_end = None
    if a.elf:
        with open(a.elf, "rb") as fe:
            kernel_end = elf_symbol(fe.read(), "__kernel_end")
    print("\n".join(usage_lines(a.output, nsect, kernel_end)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
