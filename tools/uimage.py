#!/usr/bin/env python3
"""uimage.py: pack user programs (ELF files) into the image lab 7's kernel embeds, or list one.

Usage:
    tools/uimage.py -o IMAGE NAME=FILE... | FILE...   pack (a FILE alone is named by its
                                                       base name without .elf)
    tools/uimage.py --list IMAGE                       print the table

Format (little-endian; offsets from the start of the image; lab7-user/uimage.h):
    header  magic "SUIM" (0x4D495553), version 1, count, total size     4 x u32
    table   count x { name[32] NUL-padded, NUL-terminated; offset u32; size u32 }
    files   each at a multiple of 16 bytes, in table order, zero padding between
"""
import argparse
import os
import struct
import sys

MAGIC = 0x4D495553
VERSION = 1
NAME_LEN = 32
ALIGN = 16
MAX_COUNT = 256
HEADER = struct.Struct("<4I")
ENTRY = struct.Struct(f"<{NAME_LEN}s2I")
ELF_MAGIC = b"\x7fELF"


class ImageError(Exception):
    pass


def align(n):
    return (n + ALIGN - 1) // ALIGN * ALIGN


def check_name(name):
    """Refuse a name the kernel could not look up."""
    raw = name.encode("ascii", "replace")
    if not name:
        raise ImageError("empty program name")
    if len(raw) >= NAME_LEN:
        raise ImageError(f"program name too long: {name!r} ({len(raw)} bytes, "
                         f"at most {NAME_LEN - 1})")
    if not all(c.isalnum() or c in "_-." for c in name) or not name.isascii():
        raise ImageError(f"program name {name!r}: only letters, digits, '_', '-', '.'")


def pack(programs):
    """The image bytes for PROGRAMS, a list of (name, bytes)."""
    if len(programs) > MAX_COUNT:
        raise ImageError(f"too many programs: {len(programs)} (at most {MAX_COUNT})")
    seen = set()
    for name, data in programs:
        check_name(name)
        if name in seen:
            raise ImageError(f"duplicate program name: {name!r}")
        seen.add(name)
        if not data.startswith(ELF_MAGIC):
            raise ImageError(f"program {name!r} is not an ELF file")
    head_len = HEADER.size + ENTRY.size * len(programs)
    offsets, end = [], head_len
    for _, data in programs:
        offsets.append(align(end))
        end = offsets[-1] + len(data)
    image = bytearray(end)
    HEADER.pack_into(image, 0, MAGIC, VERSION, len(programs), end)
    for i, ((name, data), off) in enumerate(zip(programs, offsets)):
        ENTRY.pack_into(image, HEADER.size + i * ENTRY.size, name.encode("ascii"), off, len(data))
        image[off:off + len(data)] = data
    return bytes(image)


def parse(image):
    """The table of IMAGE as a list of (name, offset, size); ImageError if malformed."""
    if len(image) < HEADER.size:
        raise ImageError("image shorter than its header")
    magic, version, count, total = HEADER.unpack_from(image)
    if magic != MAGIC:
        raise ImageError(f"bad magic 0x{magic:08x} (expected 0x{MAGIC:08x})")
    if version != VERSION:
        raise ImageError(f"unknown version {version}")
    if total != len(image):
        raise ImageError(f"header says {total} bytes, the file has {len(image)}")
    if count > MAX_COUNT or HEADER.size + count * ENTRY.size > len(image):
        raise ImageError(f"program table ({count} entries) does not fit the image")
    rows = []
    for i in range(count):
        raw, off, size = ENTRY.unpack_from(image, HEADER.size + i * ENTRY.size)
        if b"\0" not in raw or raw[0] == 0:
            raise ImageError(f"entry {i}: name empty or not terminated")
        if off > len(image) or size > len(image) - off:
            raise ImageError(f"entry {i}: file outside the image")
        rows.append((raw.split(b"\0", 1)[0].decode("ascii", "replace"), off, size))
    return rows


def read_programs(specs):
    programs = []
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep:
            path = spec
            name = os.path.basename(spec)
            if name.endswith(".elf"):
                name = name[:-4]
        try:
            with open(path, "rb") as f:
                programs.append((name, f.read()))
        except OSError as e:
            raise ImageError(f"cannot read program {name!r}: {path}: {e.strerror}")
    return programs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", help="image to write")
    ap.add_argument("--list", metavar="IMAGE", help="print the table of IMAGE")
    ap.add_argument("programs", nargs="*", help="NAME=FILE or FILE")
    a = ap.parse_args()
    try:
        if a.list:
            with open(a.list, "rb") as f:
                image = f.read()
            rows = parse(image)
            print(f"{a.list}: {len(rows)} programs, {len(image)} bytes")
            print(f"{'name':<24} {'offset':>8} {'size':>8}")
            for name, off, size in rows:
                print(f"{name:<24} {off:>8} {size:>8}")
            return 0
        if not a.output or not a.programs:
            ap.error("give -o IMAGE and at least one program, or --list IMAGE")
        image = pack(read_programs(a.programs))
        parse(image)  # the writer and the reader agree
        tmp = a.output + ".tmp"
        with open(tmp, "wb") as f:
            f.write(image)
        os.replace(tmp, a.output)
        print(f"uimage: {a.output}: {len(a.programs)} programs, {len(image)} bytes")
        return 0
    except (ImageError, OSError) as e:
        print(f"uimage: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
