#!/usr/bin/env python3
"""bench.py: `make bench`: host benchmarks, then each lab's in-kernel benchmarks under Bochs.

Kernels boot with the `bench` command-line key and print `KMETRIC name value
unit` lines. Under Bochs (fixed ips, clock sync=none) rdtsc advances one per
instruction, so those figures are exact and repeat from run to run.
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))

import disk     # noqa: E402
import labs     # noqa: E402
import labrun   # noqa: E402
import runner   # noqa: E402

BENCH_TIMEOUT = 120.0


def host_benches():
    """Build and run every host benchmark; returns True if all ran."""
    ok = subprocess.run(["make", "-s", "host-bench-build"], cwd=ROOT).returncode == 0
    for exe in sorted(glob.glob(os.path.join(ROOT, "build", "host", "*", "bench_*"))):
        if not os.access(exe, os.X_OK) or os.path.isdir(exe):
            continue
        print("== host: %s" % os.path.relpath(exe, ROOT), flush=True)
        ok &= subprocess.run([exe], cwd=ROOT).returncode == 0
    return ok


def kernel_bench(lab, emulator):
    """Boot LAB with `bench`; print its KMETRIC lines. True if it finished cleanly."""
    build = os.path.join(ROOT, "build", "lab%d" % lab)
    boot, data = disk.lab_images(build)
    with tempfile.TemporaryDirectory(prefix="stepos-bench-") as tmp:
        boot, data = disk.copy_images(boot, data, tmp, "bench")
        launch = labrun.launch_for(emulator, boot, data, tmp)
        tmo = runner.Timeouts(boot=BENCH_TIMEOUT, test=BENCH_TIMEOUT)
        outcome, end = runner.boot_once(launch, tmo)
        lines = [l for l in outcome.parser.lines if l.startswith(("KMETRIC", "KTEST FAIL", "KPANIC"))]
    print("== lab%d (%s)" % (lab, emulator), flush=True)
    for line in lines:
        print("  " + line)
    clean = any(l.startswith("KTEST DONE") and " 0 failed" in l for l in outcome.parser.lines)
    if not clean:
        print("  lab%d bench did not finish cleanly (%s)" % (lab, end.kind))
    return clean


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labs", nargs="*", metavar="LAB",
                    help="only these labs' kernel benchmarks (N, labN; default: host "
                         "benchmarks and every lab)")
    a = ap.parse_args(argv)
    chosen = []
    for spec in a.labs:
        n = labs.parse(spec)
        if n is None:
            ap.error("unknown lab %r: expected one of %s" % (spec, labs.describe()))
        chosen.append(n)
    if chosen:
        ok = True
        for n in chosen:
            if subprocess.run(["make", "-s", "build-lab%d" % n], cwd=ROOT).returncode != 0:
                return 1
            ok &= kernel_bench(n, "bochs")
        return 0 if ok else 1
    subprocess.run(["make", "-s", "all"], cwd=ROOT, check=False)
    ok = host_benches()
    for lab in labs.numbers():
        if os.path.exists(os.path.join(ROOT, "build", "lab%d" % lab, "disk.img")):
            ok &= kernel_bench(lab, "bochs")
    return 0 if ok else 1


if __name__ == "__main__":
    runner.install_cleanup()
    sys.exit(main())
