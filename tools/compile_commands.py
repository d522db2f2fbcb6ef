#!/usr/bin/env python3
"""compile_commands.py: write compile_commands.json (for clangd) from the compile commands make itself prints."""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRINT_TARGET = "print-compile-commands"   # the Makefile target that prints them
FIELD_SEP = "\t"


def make_commands(make="make"):
    """[(lab, source, command)] for every C source of every lab, as make would compile
    them into build/labN/ (the kernel flags: -m32, -ffreestanding, include paths...)."""
    out = subprocess.run([make, "-s", "--no-print-directory", PRINT_TARGET], cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("compile_commands: make %s failed:\n%s" % (PRINT_TARGET, out.stderr))
    rows = []
    for line in out.stdout.splitlines():
        parts = line.split(FIELD_SEP)
        if len(parts) == 3 and parts[0].startswith("lab"):
            rows.append(tuple(parts))
    if not rows:
        sys.exit("compile_commands: make %s printed no compile command" % PRINT_TARGET)
    return rows


def database(rows):
    """The compile_commands.json entries of ROWS: the latest lab's first, so a tool
    that takes one entry per file sees the kernel that links the most."""
    rows = sorted(rows, key=lambda r: (-int(r[0][3:]), r[1]))
    return [{"directory": ROOT, "file": src, "command": cmd,
             "output": "build/%s/obj/%s.o" % (lab, src)} for lab, src, cmd in rows]


def main(argv=None):
    p = argparse.ArgumentParser(prog="compile_commands.py", description=__doc__)
    p.add_argument("-o", "--out", default=os.path.join(ROOT, "compile_commands.json"))
    p.add_argument("--make", default=os.environ.get("MAKE", "make"))
    a = p.parse_args(argv)
    entries = database(make_commands(a.make))
    tmp = a.out + ".part"
    with open(tmp, "w") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")
    os.replace(tmp, a.out)
    print("compile_commands: wrote %s: %d entries (%d files)"
          % (os.path.relpath(a.out, ROOT), len(entries), len({e["file"] for e in entries})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
