#!/usr/bin/env python3
"""soak.py: grade labs 4-6 of the reference tree many times while the host is loaded, to show no test depends on host speed (make soak)."""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GRADE_DIR = os.path.join(ROOT, "grade")
GRADE = os.path.join(GRADE_DIR, "grade.py")

# A failure line of grade.py's report for one run: "    [qemu seed=3] FAIL: ..."
RUN_FAILURE = re.compile(r"^\s+\[(qemu|bochs)(?: seed=(\d+))?\] ([A-Z-]+):? ?(.*)$")
ENTRY = re.compile(r"^([A-Za-z0-9_]+): (OK|FAIL) \(")
LOAD_LOOP = "while :; do :; done"


class Load:
    """SOAK_PER_CORE CPU-bound shell loops per core, each in its own process
    group, stopped (SIGKILL to the group) by stop() however soak.py ends."""

    def __init__(self, per_core):
        self.procs = []
        self.count = per_core * (os.cpu_count() or 1)

    def start(self):
        for _ in range(self.count):
            self.procs.append(subprocess.Popen(["sh", "-c", LOAD_LOOP], start_new_session=True,
                                               stdin=subprocess.DEVNULL))
        return self

    def stop(self):
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
        self.procs = []


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt("SIGTERM")


def grade_runs(lab, seeds, emulator, extra=()):
    """Grade LAB of the reference tree with SEEDS seeds on EMULATOR. Returns
    (runs, {(emulator, seed): [failed entry: reason]}, exit status, output)."""
    cmd = [sys.executable, GRADE, "lab%d" % lab, "--seeds", str(seeds), "--emulator",
           emulator] + list(extra)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        raw, _ = proc.communicate()
    except KeyboardInterrupt:
        # grade.py stops its emulators (their process groups) on SIGINT.
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    out = raw.decode("utf-8", "replace").splitlines()
    failed, entry = {}, None
    for line in out:
        m = ENTRY.match(line)
        if m:
            entry = m.group(1)
            continue
        m = RUN_FAILURE.match(line)
        if m and entry:
            key = (m.group(1), int(m.group(2)) if m.group(2) else None)
            failed.setdefault(key, []).append("%s %s: %s" % (entry, m.group(3), m.group(4)[:160]))
    emus = 2 if emulator == "both" else 1
    return seeds * emus, failed, proc.returncode, out


def _patched_grade(selftest, case, tree, tmp):
    """Apply CASE's patches to TREE, grade it as the self-test does, restore
    TREE. Returns (exit status, {test: verdict}) or (None, why)."""
    originals = {}
    try:
        for path, old, new in case.patches:
            full = os.path.join(tree, path)
            with open(full) as f:
                text = f.read()
            originals.setdefault(path, text)
            if text.count(old) != 1:
                return None, "patch does not apply to %s" % path
            with open(full, "w") as f:
                f.write(text.replace(old, new))
        status, verdicts = selftest.grade(tree, case.lab, case.emulator,
                                          os.path.join(tmp, case.name + ".json"),
                                          case.timeout_scale, extra=case.only)[:2]
        return status, verdicts
    finally:
        for path, text in originals.items():
            with open(os.path.join(tree, path), "w") as f:
                f.write(text)


def run_selftest(labs, emulators):
    """The grader self-test's broken kernels of LABS (on their own emulator,
    if it is one of EMULATORS), under the same load: each must still lose the
    points of its test. Returns [(name, lost points, note)]."""
    sys.path.insert(0, GRADE_DIR)
    import selftest
    from batch import copy_tree
    cases = [c for c in selftest.CASES
             if c.lab in ["lab%d" % n for n in labs] and c.emulator in emulators]
    tmp = tempfile.mkdtemp(prefix="stepos-soak-")
    out = []
    try:
        tree = os.path.join(tmp, "tree")
        copy_tree(ROOT, tree)
        for c in cases:
            status, verdicts = _patched_grade(selftest, c, tree, tmp)
            got = verdicts.get(c.test) if isinstance(verdicts, dict) else None
            lost = status == 1 and got not in (None, "OK")
            expect = c.expect if isinstance(c.expect, (tuple, list)) else (c.expect,)
            note = verdicts if status is None else (
                "" if got in expect else "%s: %s (the self-test expects %s)"
                % (c.test, got, " or ".join(expect)))
            out.append((c.name, lost, note))
            print("  selftest %-36s %s %s" % (c.name, "lost its points" if lost else
                                              "KEPT ITS POINTS", note), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog="soak.py", description=__doc__)
    p.add_argument("--seeds", type=int, default=50, help="runs per lab and emulator (50)")
    p.add_argument("--labs", default="4,5,6", help="comma-separated labs (4,5,6)")
    p.add_argument("--emulator", choices=["qemu", "bochs", "both"], default="both")
    p.add_argument("--load", type=int, default=2, metavar="K",
                   help="CPU-bound processes per core while grading (2; 0: no load)")
    p.add_argument("--selftest", action="store_true",
                   help="also run the grader self-test's broken kernels of these labs "
                        "under the same load: each must still lose its points")
    args = p.parse_args(argv)
    known = sorted(int(d[3:d.index("-")]) for d in os.listdir(ROOT)
                   if re.match(r"lab\d+-", d) and os.path.isfile(os.path.join(ROOT, d, "lab.mk")))
    try:
        labs = [int(x) for x in args.labs.split(",") if x.strip()]
    except ValueError:
        p.error("--labs %s: expected lab numbers separated by commas" % args.labs)
    if not labs or any(n not in known for n in labs):
        p.error("--labs %s: the labs here are %s" % (args.labs, ",".join(map(str, known))))
    if args.seeds < 1:
        p.error("--seeds %d: at least 1" % args.seeds)
    if args.load < 0:
        p.error("--load %d: 0 or more processes per core" % args.load)
    emulators = ["qemu", "bochs"] if args.emulator == "both" else [args.emulator]
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignoring it
    load = Load(args.load)
    rows, st = [], []
    t0 = time.monotonic()
    try:
        load.start()
        print("soak: %d CPU-bound processes (%d per core), labs %s, %d seeds on %s"
              % (load.count, args.load, ",".join(map(str, labs)), args.seeds,
                 " and ".join(emulators)), flush=True)
        for lab in labs:
            for e in emulators:
                t = time.monotonic()
                runs, failed, status, out = grade_runs(lab, args.seeds, e)
                rows.append((lab, e, runs, failed, status, time.monotonic() - t, out))
                print("  lab%d %-5s %3d runs, %d lost points (%.0fs)"
                      % (lab, e, runs, len(failed), time.monotonic() - t), flush=True)
                for (emu, seed), why in sorted(failed.items(), key=str):
                    print("      %s seed=%s: %s" % (emu, seed, " | ".join(why)))
                if status not in (0, 1) or (status == 1 and not failed):
                    print("\n".join("      | " + l for l in out[-25:]))
        if args.selftest:
            st = run_selftest(labs, emulators)
    except KeyboardInterrupt:
        print("soak: interrupted", flush=True)
        return 130
    finally:
        load.stop()
    print("\n%-5s %-6s %6s %14s" % ("lab", "emu", "runs", "lost points"))
    passed = failed_n = 0
    for lab, e, runs, failed, status, secs, _ in rows:
        ok = not failed and status == 0
        print("%-5s %-6s %6d %14d%s" % ("lab%d" % lab, e, runs, len(failed),
                                        "" if ok else "   <- must be 0"))
        passed += ok
        failed_n += not ok
    if st:
        caught = sum(ok for _, ok, _ in st)
        print("broken kernels still losing their points: %d of %d" % (caught, len(st)))
        for name, _, note in st:
            if note:
                print("    note: %s: %s" % (name, note))
        passed += caught
        failed_n += len(st) - caught
    print("(%.0fs under load)" % (time.monotonic() - t0))
    print("soak: %d passed, %d failed" % (passed, failed_n))
    return 0 if failed_n == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
