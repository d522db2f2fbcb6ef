#!/usr/bin/env python3
"""handout_check.py: every lab's handout, at each depth, builds, boots to the monitor, loses
points on its own lab and keeps full marks on the lab before it; the full exercise is
at least MIN_LINES lines (so markers cover real work)."""
import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "grade"))
import build_reuse  # noqa: E402
import handout  # noqa: E402
import labs  # noqa: E402
# Lines a student writes in a lab at the full depth (inside its solution
# regions, markers and challenges not counted), at the least.
MIN_LINES = 60


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def score(out):
    m = re.search(r"^Score: (\d+)/(\d+)", out, re.M)
    return (int(m.group(1)), int(m.group(2))) if m else None


def one_seed(n):
    """Grader options that run a seeded lab once (seed 1) instead of its rubric's N runs."""
    with open(os.path.join(ROOT, labs.dirs(ROOT)[n], "rubric.toml"), "rb") as f:
        return ["--seed", "1"] if tomllib.load(f).get("seeds", 0) > 0 else []


def region_lines(n):
    """{depth: lines inside lab N's solution regions that a handout of that depth strips}."""
    counts = {d: 0 for d in handout.DEPTHS}
    for f in handout.tracked_files():
        if not f.endswith(handout.SOURCE_EXT):
            continue
        with open(os.path.join(ROOT, f)) as fh:
            lines = fh.read().splitlines()
        for r in handout.regions(f, lines):
            if r.lab != n or r.level == "challenge":
                continue
            body = sum(1 for ln in lines[r.begin + 1:r.end] if ln.strip())
            for d in handout.DEPTHS:
                if handout.stripped_at(r.level, d):
                    counts[d] += body
    return counts


def check(n, depth, tmp, results):
    name = "handout lab%d (depth %s)" % (n, depth)
    lines = region_lines(n)[depth]
    if depth == "full":
        results.append(("%s: the student writes %d lines (at least %d)"
                        % (name, lines, MIN_LINES), lines >= MIN_LINES, ""))
    tree = os.path.join(tmp, "lab%d-%s" % (n, depth))
    rc, out = run(["make", "-s", "handout", "LAB=%d" % n, "DEPTH=" + depth, "OUT=" + tree], ROOT)
    results.append(("%s written" % name, rc == 0, out))
    if rc != 0:
        return
    # The objects of files the handout leaves as they are come from this
    # tree's build (make all ran first in make test): only what the handout
    # strips, and what includes it, is compiled (tools/build_reuse.py).
    build_reuse.seed(ROOT, tree, range(1, n + 1))
    rc, out = run(["make", "-s", "build-lab%d" % n], tree)
    results.append(("%s builds" % name, rc == 0, out[-2000:]))
    if rc != 0:
        return
    # Only the boot is judged: the monitor's commands may wait out their
    # limits on stripped code.
    rc, out = run([sys.executable, "tools/monitor_smoke.py", "--boot-only", "lab%d" % n], tree)
    booted = "boot to monitor prompt" in out
    results.append(("%s boots to the monitor" % name, booted, out[-2000:]))
    # The lab before keeps full marks (a region of lab N must not sit in code an
    # earlier lab links); labs further back link even less of lab N.
    # Its own lab only has to lose a point: --fail-fast stops at the first
    # (a stripped kernel would otherwise wait out every hanging test's limit).
    for k in ([n - 1] if n > 1 and depth == "full" else []) + [n]:
        rc, out = run([sys.executable, "grade/grade.py", "lab%d" % k, "--emulator", "qemu",
                       "--no-rerun"] + (["--fail-fast"] if k == n else []) + one_seed(k), tree)
        s = score(out)
        if k < n:
            ok = rc == 0 and s is not None and s[0] == s[1]
            what = "%s keeps lab%d at full marks" % (name, k)
        else:
            ok = rc == 1 and s is not None and s[0] < s[1] and "BUILD-FAIL" not in out
            what = "%s loses points on lab%d (%s)" % (name, k, "%d/%d" % s if s else "no score")
        results.append((what, ok, out[-3000:]))


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lab", type=int, action="append", metavar="N",
                    help="check lab N only (repeatable; default every lab)")
    ap.add_argument("--depth", choices=handout.DEPTHS, action="append",
                    help="check this depth only (repeatable; default both)")
    a = ap.parse_args()
    known = labs.numbers(ROOT)
    for n in a.lab or []:
        if n not in known:
            ap.error("there is no lab %d (labs: %s)" % (n, " ".join(map(str, known))))
    results = []
    with tempfile.TemporaryDirectory(prefix="stepos-handout-") as tmp:
        for n in a.lab or known:
            for depth in a.depth or handout.DEPTHS:
                t0, cpu0 = time.monotonic(), children_cpu()
                check(n, depth, tmp, results)
                print("(handout lab%d at depth %s: %.1fs, CPU %.1fs)"
                      % (n, depth, time.monotonic() - t0, children_cpu() - cpu0), flush=True)
                shutil.rmtree(os.path.join(tmp, "lab%d-%s" % (n, depth)), ignore_errors=True)
    passed = 0
    for what, ok, out in results:
        print("%s: %s" % (what, "OK" if ok else "FAIL"))
        if ok:
            passed += 1
        else:
            print("    " + out.replace("\n", "\n    "))
    print("handout: %d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
