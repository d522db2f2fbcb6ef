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
KERNEL_MAX_SECTORS = 1024
STAGE2_MAGIC = 0x32675453
DISK_SECTORS = 2016      # 2 cylinders x 16 heads x 63 sectors (Bochs geometry)


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
             f"({KERNEL_MAX_SECTORS * SECTOR // 1024} KiB)")
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


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stage1", required=True)
    ap.add_argument("--stage2", required=True)
    ap.add_argument("--kernel", required=True, help="flat kernel binary")
    ap.add_argument("--cmdline", default="")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    with open(a.stage1, "rb") as f1, open(a.stage2, "rb") as f2, \
            open(a.kernel, "rb") as fk:
        img, nsect = build(f1.read(), f2.read(), fk.read(), a.cmdline)
    with open(a.output, "wb") as f:
        f.write(img)
    print(f"mkimage: {a.output}: kernel {nsect} sectors "
          f"({nsect * 100 // KERNEL_MAX_SECTORS}% of the loader's limit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
