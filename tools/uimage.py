#!/usr/bin/env python3
"""uimage.py: pack user programs (ELF files) into the image lab 7's kernel embeds, or list one.

Usage:
    tools/uimage.py -o IMAGE [--lz BLOB --nasm-inc INC] NAME=FILE... | FILE...
        pack (a FILE alone is named by its base name without .elf); --lz also writes the
        image compressed (what the kernel embeds), --nasm-inc a nasm include defining
        UIMAGE_RAW_BYTES (the image's size: the buffer the kernel unpacks it into)
    tools/uimage.py --list IMAGE|BLOB                  print the table

Format (little-endian; offsets from the start of the image; lab7-user/uimage.h):
    header  magic "SUIM" (0x4D495553), version 1, count, total size     4 x u32
    table   count x { name[32] NUL-padded, NUL-terminated; offset u32; size u32 }
    files   each at a multiple of 16 bytes, in table order, zero padding between

Compressed (--lz; lab7-user/uimage.c unpacks it at the first look-up):
    header  magic "SUIZ" (0x5A495553), raw size, compressed size, FNV-1a 32 of the raw image
    stream  groups of a flag byte and 8 items, flag bit i (LSB first) for item i:
            1 = one literal byte; 0 = a match: u16 distance back (1..65535), u8 length - 4
            (4..259), copied byte by byte (it may overlap what it writes); the stream
            ends when the raw size is reached
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
LZ_MAGIC = 0x5A495553
LZ_HEADER = struct.Struct("<4I")
LZ_MIN, LZ_MAX, LZ_WINDOW = 4, 259, 65535
LZ_CHAIN = 48  # candidates tried per position


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


def fnv1a(data):
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def lz_compress(raw):
    """RAW compressed in the --lz format (greedy matches over a hash chain)."""
    out = bytearray(LZ_HEADER.pack(LZ_MAGIC, len(raw), 0, fnv1a(raw)))
    chains = {}
    i, n = 0, len(raw)
    flag_at, bit = -1, 8
    while i < n:
        if bit == 8:
            flag_at, bit = len(out), 0
            out.append(0)
        best_len = best_dist = 0
        if i + LZ_MIN <= n:
            key = raw[i:i + LZ_MIN]
            limit = min(LZ_MAX, n - i)
            for j in reversed(chains.get(key, [])[-LZ_CHAIN:]):
                if i - j > LZ_WINDOW:
                    break
                length = LZ_MIN
                while length < limit and raw[j + length] == raw[i + length]:
                    length += 1
                if length > best_len:
                    best_len, best_dist = length, i - j
                    if length == limit:
                        break
        step = best_len if best_len >= LZ_MIN else 1
        if best_len >= LZ_MIN:
            out += struct.pack("<HB", best_dist, best_len - LZ_MIN)
        else:
            out[flag_at] |= 1 << bit
            out.append(raw[i])
        bit += 1
        for k in range(i, min(i + step, n - LZ_MIN + 1)):
            chains.setdefault(raw[k:k + LZ_MIN], []).append(k)
        i += step
    struct.pack_into("<I", out, 8, len(out) - LZ_HEADER.size)
    return bytes(out)


def lz_decompress(blob):
    """The raw image in BLOB (--lz format); ImageError if it is malformed."""
    if len(blob) < LZ_HEADER.size:
        raise ImageError("compressed image shorter than its header")
    magic, raw_size, comp_size, checksum = LZ_HEADER.unpack_from(blob)
    if magic != LZ_MAGIC or comp_size != len(blob) - LZ_HEADER.size:
        raise ImageError("bad compressed image header")
    out, i = bytearray(), LZ_HEADER.size
    while len(out) < raw_size:
        if i >= len(blob):
            raise ImageError("compressed stream ends early")
        flags = blob[i]
        i += 1
        for bit in range(8):
            if len(out) >= raw_size:
                break
            if flags >> bit & 1:
                if i >= len(blob):
                    raise ImageError("compressed stream ends early")
                out.append(blob[i])
                i += 1
                continue
            if i + 3 > len(blob):
                raise ImageError("compressed stream ends early")
            dist, length = struct.unpack_from("<HB", blob, i)
            length += LZ_MIN
            i += 3
            if dist == 0 or dist > len(out) or len(out) + length > raw_size:
                raise ImageError("compressed stream refers outside the image")
            for _ in range(length):
                out.append(out[-dist])
    if fnv1a(out) != checksum:
        raise ImageError("compressed image checksum mismatch")
    return bytes(out)


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
    ap.add_argument("--list", metavar="IMAGE", help="print the table of IMAGE (raw or compressed)")
    ap.add_argument("--lz", metavar="BLOB", help="also write the image compressed")
    ap.add_argument("--nasm-inc", metavar="INC", help="also write UIMAGE_RAW_BYTES for nasm")
    ap.add_argument("programs", nargs="*", help="NAME=FILE or FILE")
    a = ap.parse_args()
    try:
        if a.list:
            with open(a.list, "rb") as f:
                image = f.read()
            packed = len(image)
            if image[:4] == struct.pack("<I", LZ_MAGIC):
                image = lz_decompress(image)
            rows = parse(image)
            print(f"{a.list}: {len(rows)} programs, {len(image)} bytes"
                  + (f" ({packed} compressed)" if packed != len(image) else ""))
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
        note = ""
        if a.lz:
            blob = lz_compress(image)
            if lz_decompress(blob) != image:
                raise ImageError("internal error: the compressed image does not unpack")
            with open(a.lz + ".tmp", "wb") as f:
                f.write(blob)
            os.replace(a.lz + ".tmp", a.lz)
            note = f", {len(blob)} compressed ({a.lz})"
        if a.nasm_inc:
            with open(a.nasm_inc, "w") as f:
                f.write(f"; generated by tools/uimage.py; do not edit\n"
                        f"%define UIMAGE_RAW_BYTES {len(image)}\n")
        print(f"uimage: {a.output}: {len(a.programs)} programs, {len(image)} bytes{note}")
        return 0
    except (ImageError, OSError) as e:
        print(f"uimage: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
