#!/usr/bin/env python3
"""kprof.py: where a kernel fast path spends its instructions: QEMU + gdb, single-stepped.

    python3 tools/kprof.py LAB ENTRY START [--skip K] [--until LO:HI] [--cmdline TEXT]

Boots build/labLAB/disk.img (built first: make build-labLAB) in QEMU with
the kernel command line (default `bench`), stops at symbol ENTRY (e.g. a
KBENCH function, kbench_fn_bench_sched_yield_switch), then at the
(K+1)-th execution of START (a symbol or *0xADDR), and single-steps until
START is reached again or the program counter enters [LO, HI) (hex). It
prints the instructions executed, per function, then per source line.
From one scheduler_yield to the next this is one switch and the loop
around it: the count agrees with `make bench` (Bochs) within a few
instructions, and shows which functions and lines to work on. A debugging
aid for developers, not a test: nothing depends on its output.
"""
import argparse
import collections
import os
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))

import disk  # noqa: E402

MAX_STEPS = 50000

GDB_SCRIPT = r'''
import collections, gdb
gdb.execute("set pagination off")
gdb.execute("target remote :%(port)d")
entry = gdb.Breakpoint(%(entry)r)
gdb.execute("continue")
entry.enabled = False
start = gdb.Breakpoint(%(start)r)
start.ignore_count = %(skip)d
gdb.execute("continue")
start.enabled = False
first = int(gdb.parse_and_eval("$pc"))
pcs = collections.Counter()
n = 0
while n < %(max)d:
    pc = int(gdb.parse_and_eval("$pc"))
    if n > 0 and (pc == first or %(lo)d <= pc < %(hi)d):
        break
    pcs[pc] += 1
    n += 1
    gdb.execute("stepi", to_string=True)
with open(%(out)r, "w") as f:
    for pc, c in sorted(pcs.items()):
        f.write("%%x %%d\n" %% (pc, c))
gdb.execute("kill")
'''


def symbolise(elf, pcs):
    """[(function, file:line)] for each pc, by addr2line."""
    out = subprocess.run(["addr2line", "-e", elf, "-f", "-s"] + ["0x%x" % p for p in pcs],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    return list(zip(out[0::2], out[1::2]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lab", type=int)
    ap.add_argument("entry", help="symbol reached once before the path (a KBENCH function)")
    ap.add_argument("start", help="symbol or *0xADDR where the path starts")
    ap.add_argument("--skip", type=int, default=20, help="executions of START to let pass")
    ap.add_argument("--until", default="0:0", help="LO:HI (hex): also stop inside this range")
    ap.add_argument("--cmdline", default="bench")
    ap.add_argument("--lines", type=int, default=25, help="source lines to print")
    a = ap.parse_args(argv)
    build = os.path.join(ROOT, "build", "lab%d" % a.lab)
    elf = os.path.join(build, "kernel.elf")
    lo, hi = (int(x, 16) for x in a.until.split(":"))
    with tempfile.TemporaryDirectory(prefix="stepos-kprof-") as tmp:
        boot, data = disk.copy_images(*disk.lab_images(build), tmp, a.cmdline)
        with socket.socket() as sock:  # a port nobody listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        cmd = ["qemu-system-i386", "-m", "32M", "-display", "none", "-no-reboot",
               "-drive", "file=%s,format=raw,if=ide,index=0" % boot,
               "-serial", "file:%s" % os.path.join(tmp, "serial.txt"),
               "-gdb", "tcp:127.0.0.1:%d" % port, "-S"]
        if data:
            cmd += ["-drive", "file=%s,format=raw,if=ide,index=1" % data]
        out = os.path.join(tmp, "pcs.txt")
        script = os.path.join(tmp, "kprof_gdb.py")
        with open(script, "w") as f:
            f.write(GDB_SCRIPT % {"port": port, "entry": a.entry, "start": a.start,
                                  "skip": a.skip, "max": MAX_STEPS, "lo": lo, "hi": hi,
                                  "out": out})
        qemu = subprocess.Popen(cmd)
        time.sleep(0.5)
        if qemu.poll() is not None:  # gdb must not reach some other QEMU
            print("kprof: QEMU did not start (port %d)" % port)
            return 1
        try:
            subprocess.run(["gdb", "-q", "-batch", "-nx", elf, "-x", script],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
        finally:
            qemu.kill()
            qemu.wait()
        if not os.path.exists(out):
            print("kprof: gdb did not reach %s after %s" % (a.start, a.entry))
            return 1
        with open(out) as f:
            counts = {int(p, 16): int(c) for p, c in (l.split() for l in f if l.strip())}
    names = symbolise(elf, list(counts))
    by_fn, by_line = collections.Counter(), collections.Counter()
    for (fn, line), c in zip(names, counts.values()):
        by_fn[fn] += c
        by_line[line] += c
    print("kprof: %d instructions" % sum(counts.values()))
    for fn, c in by_fn.most_common():
        print("  %6d  %s" % (c, fn))
    print("kprof: busiest source lines")
    for line, c in by_line.most_common(a.lines):
        print("  %6d  %s" % (c, line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
