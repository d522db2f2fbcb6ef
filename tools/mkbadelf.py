#!/usr/bin/env python3
"""mkbadelf.py: write small malformed ELF programs for lab 7's image: spawn must refuse each with -E_NOEXEC.

Usage: tools/mkbadelf.py DIR    writes DIR/bad_<defect> for each defect below (and DIR/good_tiny,
                                a valid program of the same shape: it exits with status 42).
"""
import os
import struct
import sys

TEXT_VA = 0x08048000
EHDR = struct.Struct("<16sHHIIIIIHHHHHH")
PHDR = struct.Struct("<8I")
# The program: mov ebx, 42; mov eax, 1 (SYS_EXIT); int 0x80; jmp $ (spins if exit returns)
CODE = bytes([0xBB, 42, 0, 0, 0, 0xB8, 1, 0, 0, 0, 0xCD, 0x80, 0xEB, 0xFE])


def build(ident_class=1, machine=3, etype=2, vaddr=TEXT_VA, entry=None, phnum=1,
          filesz=None, memsz=None, second=None, offset=None):
    """One program: a header, PHNUM program headers, the code. SECOND adds another PT_LOAD
    (vaddr, memsz)."""
    headers = phnum + (1 if second else 0)
    off = EHDR.size + PHDR.size * headers
    entry = TEXT_VA if entry is None and vaddr == TEXT_VA else (entry if entry is not None else vaddr)
    ident = b"\x7fELF" + bytes([ident_class, 1, 1]) + bytes(9)
    eh = EHDR.pack(ident, etype, machine, 1, entry, EHDR.size, 0, 0, EHDR.size, PHDR.size,
                   headers, 40, 0, 0)
    fs = len(CODE) if filesz is None else filesz
    ms = len(CODE) if memsz is None else memsz
    ph = PHDR.pack(1, off if offset is None else offset, vaddr, vaddr, fs, ms, 5, 16)
    if second:
        ph += PHDR.pack(1, off, second[0], second[0], 0, second[1], 6, 16)
    return eh + ph * phnum if not second else eh + ph, off


def programs():
    """{name: bytes}: good_tiny and one file per defect."""
    def prog(**kw):
        head, _ = build(**kw)
        return head + CODE
    good = prog()
    return {
        "good_tiny": good,
        "bad_class64": prog(ident_class=2),
        "bad_machine": prog(machine=62),
        "bad_type_rel": prog(etype=1),
        "bad_kernel_segment": prog(vaddr=0x00100000, entry=0x00100000),
        "bad_top_segment": prog(vaddr=0xBFFFF000, memsz=0x2000, entry=0xBFFFF000),
        "bad_filesz": prog(filesz=len(CODE) + 4096, memsz=len(CODE) + 4096),
        "bad_memsz": prog(memsz=0x7FFFFFFF),
        "bad_filesz_memsz": prog(memsz=4),
        "bad_offset_wraps": prog(offset=0xFFFFFFF0, filesz=0x20, memsz=0x20),
        "bad_entry": prog(entry=TEXT_VA + 0x1000),
        "bad_overlap": prog(second=(TEXT_VA, 0x1000)),
        "bad_truncated": good[:EHDR.size + 8],
    }


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, data in programs().items():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
