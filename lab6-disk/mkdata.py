#!/usr/bin/env python3
"""mkdata.py: build lab 6's data disk: 4 x 16 x 63 blocks, block B holding its initial pattern (disk_pattern.h)."""
import argparse
import sys

SECTOR = 512
CYLINDERS, HEADS, SPT = 4, 16, 63
BLOCKS = CYLINDERS * HEADS * SPT        # DISK_DATA_BLOCKS in disk_layout.h


def initial_block(block):
    """Block BLOCK as the build writes it (disk_pattern_initial in C)."""
    head = ("STEPOS6 DATA BLOCK %08u\n" % block).encode("ascii")
    b = bytearray(b"." * 32)
    b[:len(head)] = head
    b += bytes((block * 7 + i * 13 + (block >> 8)) & 0xFF for i in range(32, SECTOR))
    return bytes(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    with open(a.output, "wb") as f:
        for block in range(BLOCKS):
            f.write(initial_block(block))
    print("mkdata: %s: %d blocks (%d cylinders x %d heads x %d sectors)"
          % (a.output, BLOCKS, CYLINDERS, HEADS, SPT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
