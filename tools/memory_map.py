#!/usr/bin/env python3
"""memory_map.py: boot a lab to its monitor, run commands, and draw its frame pools (lab 2+) or address space (lab 3+) as SVG."""
import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import memory_map_svg as mm  # noqa: E402

EPILOG = """examples:
  python3 tools/memory_map.py lab2 --frame-map frames.svg --run 'alloc 5' --run 'alloc 40 kernel'
  python3 tools/memory_map.py lab3 --address-space vm.svg --run 'valloc 40000' --run 'touch 0xc0001000'
  python3 tools/memory_map.py --log serial.log --frame-map frames.svg   # a saved dump
The lab must be built (make build-labN); the commands are the monitor's (type help in make labN)."""


def dump_lines(lab, commands, echo=False):
    """Boot LAB (2..6) in QEMU, run COMMANDS at its monitor, then framedump
    and vmdump (where the lab has them); the serial output's lines."""
    import monitor_smoke   # QEMU with COM1 on a pipe (also the monitor smoke test)
    with tempfile.TemporaryDirectory(prefix="stepos-map-") as tmp:
        s = monitor_smoke.Session(lab, tmp)
        try:
            s.read_until(monitor_smoke.PROMPT)
            text = ""
            for c in list(commands) + ["framedump"] + (["vmdump"] if lab >= 3 else []):
                out = s.command(c)
                if echo and c in commands:
                    print("stepos> " + out.strip())
                text += out
        finally:
            s.close()
    return text.splitlines()


def main(argv=None):
    p = argparse.ArgumentParser(prog="memory_map.py", description=__doc__.split(": ", 1)[1],
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lab", nargs="?", help="lab to boot: 2..6 or lab2..lab6")
    p.add_argument("--frame-map", metavar="FILE.svg", help="draw the frame pools here")
    p.add_argument("--address-space", metavar="FILE.svg", help="draw the address space here")
    p.add_argument("--run", action="append", default=[], metavar="CMD",
                   help="a monitor command to run first (repeat for more)")
    p.add_argument("--log", metavar="FILE", help="read a saved dump instead of booting")
    a = p.parse_args(argv)
    if not (a.frame_map or a.address_space):
        p.error("nothing to draw: give --frame-map and/or --address-space")
    if a.log:
        with open(a.log, errors="replace") as f:
            lines = f.read().splitlines()
    else:
        lab = int(str(a.lab or "").replace("lab", "") or 0) if str(a.lab or "").replace(
            "lab", "").isdigit() else 0
        if not 2 <= lab <= 6 or (a.address_space and lab < 3):
            p.error("which lab? 2..6 for --frame-map, 3..6 for --address-space")
        if not os.path.isfile(os.path.join(ROOT, "build", "lab%d" % lab, "disk.img")):
            subprocess.run(["make", "-C", ROOT, "-s", "build-lab%d" % lab], check=True)
        lines = dump_lines(lab, a.run, echo=True)
    try:
        if a.frame_map:
            pools = mm.parse_fmap(lines)
            with open(a.frame_map, "w") as f:
                f.write(mm.render_frames(pools))
            print("frame map: %s (%s)" % (a.frame_map, ", ".join(
                "%s %d frames" % (x.name, x.n) for x in pools)))
        if a.address_space:
            vm = mm.parse_vmap(lines)
            with open(a.address_space, "w") as f:
                f.write(mm.render_vm(vm))
            print("address space: %s (%d pools, %d page tables)"
                  % (a.address_space, len(vm.pools), len(vm.tables)))
    except mm.DumpError as e:
        print("memory_map.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
