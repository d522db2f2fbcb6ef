#!/usr/bin/env python3
"""test_all.py: `make test`: host tests, monitor smoke test, every lab on QEMU and Bochs, instructor tools.

Every lab is built first (one lab after another, each with make -j, so no
two steps build the same directory at once and each lab reuses the objects
of the labs before it); then the steps run in parallel, TEST_JOBS at a time (default: two
per CPU), longest first. Each step's output is printed as one block when it
ends, headed `[k/N] title`; while steps run, a line every 30 s says which
are still going. Each step prints its own summary line "<name>: P passed, F
failed"; this script adds them up and ends with "total: P passed, F failed".
Exit 1 on any failure.
"""
import argparse
import fnmatch
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUMMARY = re.compile(r"^(\S+): (\d+) passed, (\d+) failed\s*$")
# Seconds each step took on a quiet 2-core machine: the longest start first.
EXPECTED = {"grader self-test": 150, "a class of submissions": 120,
            "handouts at full depth": 50, "handouts at core depth": 40,
            "red-team submissions": 60, "the example lab of docs/adding-a-lab.md": 40,
            "mutation testing smoke": 70, "host unit tests": 22, "monitor smoke test": 23,
            "timelines and maps in Chromium": 30,
            "benchmarks against the baseline (Bochs)": 60,
            "the full system (every lab's tests on the last lab's kernel) on QEMU": 30,
            # one boot after another, each long on Bochs: start it early
            "the full system on Bochs (seed 1)": 100,
            "lab5 on QEMU and Bochs": 45, "lab6 on QEMU and Bochs": 45,
            "lab7 on QEMU and Bochs": 45}
STATUS_EVERY = 30
# Steps that use no lab's build/: they run beside the build (host tests build
# build/host/ only).
NO_BUILD = {"host unit tests", "user-program image tool", "benchmark tables and growth fits",
            "lab 4 layering (no include/call cycle)", "objects shared between labs"}


def labs():
    """Lab names (lab1, lab2, ...) of the tree (grade/labs.py)."""
    sys.path.insert(0, os.path.join(ROOT, "grade"))
    import labs as lab_list
    return [lab.name for lab in lab_list.discover(ROOT)]


def count(text, rc):
    """(passed, failed) from the summary lines of a step's output TEXT."""
    passed = failed = 0
    seen = False
    for line in text.splitlines():
        m = SUMMARY.match(line.rstrip())  # nested, indented summaries do not count
        if m and m.group(1) != "total":
            passed += int(m.group(2))
            failed += int(m.group(3))
            seen = True
    note = ""
    if not seen or (rc != 0 and failed == 0):
        note = f"exit status {rc} without a clean summary: counted as 1 failure"
        failed += 1
    return passed, failed, note


def run_step(title, cmd):
    """Run CMD to the end; (output, exit status, seconds, CPU seconds of the
    step and every process it waited for)."""
    start = time.time()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return text, proc.returncode, time.time() - start, usage.ru_utime + usage.ru_stime


class Board:
    """Which steps are running, for the periodic status line."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running = {}
        self.stop = threading.Event()

    def start(self, title):
        with self.lock:
            self.running[title] = time.time()

    def end(self, title):
        with self.lock:
            self.running.pop(title, None)

    def ticker(self):
        while not self.stop.wait(STATUS_EVERY):
            with self.lock:
                now = time.time()
                items = ", ".join(f"{t} ({now - s:.0f}s)" for t, s in self.running.items())
            if items:
                print(f"... still running: {items}", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-k", dest="only", action="append", metavar="GLOB",
                    help="run only the steps whose title matches GLOB (repeatable; "
                    "the build is still made first)")
    ap.add_argument("--list", action="store_true", help="list the steps' titles")
    args = ap.parse_args(argv)
    steps = [("host unit tests", ["make", "-s", "host-test"]),
             ("monitor smoke test", [sys.executable, "tools/monitor_smoke.py"])]
    for lab in labs():
        steps.append((f"{lab} on QEMU and Bochs",
                      [sys.executable, "grade/grade.py", lab, "--emulator", "both"]))
    # The full system: every seed on QEMU; on Bochs seed 1 only (grade/README.md,
    # "The full system": each lab's own step runs every seed on Bochs already).
    steps.append(("the full system (every lab's tests on the last lab's kernel) on QEMU",
                  [sys.executable, "grade/grade.py", "full", "--emulator", "qemu"]))
    steps.append(("the full system on Bochs (seed 1)",
                  [sys.executable, "grade/grade.py", "full", "--emulator", "bochs",
                   "--seed", "1"]))
    steps.append(("lab 4 layering (no include/call cycle)",
                  [sys.executable, "tools/layer_check.py", "lab4-threads"]))
    steps.append(("gdb helpers and -Og kernels", [sys.executable, "tools/gdb_check.py"]))
    steps.append(("handouts at full depth", [sys.executable, "tools/handout_check.py", "--depth", "full"]))
    steps.append(("handouts at core depth", [sys.executable, "tools/handout_check.py", "--depth", "core"]))
    steps.append(("handout unit tests", [sys.executable, "tools/test_handout.py"]))
    steps.append(("user-program image tool", [sys.executable, "tools/test_uimage.py"]))
    steps.append(("boot loader size limit", [sys.executable, "tools/test_loader.py"]))
    steps.append(("objects shared between labs", [sys.executable, "tools/test_reuse_obj.py"]))
    steps.append(("test protocol against docs/protocol.md", [sys.executable, "grade/test_protocol_spec.py"]))
    steps.append(("the example lab of docs/adding-a-lab.md", [sys.executable, "tools/example_lab_check.py"]))
    steps.append(("instructor unit tests", [sys.executable, "grade/test_instructor.py"]))
    steps.append(("hostile-output unit tests", [sys.executable, "grade/test_hostile.py"]))
    steps.append(("build seeding of hostile submissions", [sys.executable, "grade/test_build_seed.py"]))
    steps.append(("triple-fault diagnosis unit tests", [sys.executable, "grade/test_diagnose.py"]))
    steps.append(("sandbox attacks and hostile archives", [sys.executable, "grade/test_sandbox.py"]))
    steps.append(("Gradescope autograder", [sys.executable, "tools/autograder_check.py"]))
    steps.append(("a class of submissions", [sys.executable, "tools/class_test.py"]))
    steps.append(("red-team submissions", [sys.executable, "tools/redteam_test.py"]))
    steps.append(("make submit and compile_commands", [sys.executable, "tools/test_submit.py"]))
    # --no-baseline: the unbroken tree's full marks are the "labN on QEMU and
    # Bochs" steps above.
    steps.append(("grader self-test", [sys.executable, "grade/selftest.py", "--no-baseline"]))
    steps.append(("mutation testing smoke", [sys.executable, "grade/test_mutate.py", "--smoke"]))
    steps.append(("timelines and maps in Chromium", [sys.executable, "tools/test_pictures.py"]))
    steps.append(("benchmark tables and growth fits", [sys.executable, "tools/test_bench_data.py"]))
    steps.append(("benchmarks against the baseline (Bochs)", [sys.executable, "tools/bench.py", "--compare"]))
    total_p = total_f = 0
    t0 = time.time()
    runnable = []
    for title, cmd in steps:
        if cmd[0] == sys.executable and not os.path.exists(os.path.join(ROOT, cmd[1])):
            print(f"==> {title}: skipped ({cmd[1]} is not in this tree: a handout?)")
            continue
        if args.only and not any(fnmatch.fnmatchcase(title, g) for g in args.only):
            continue
        runnable.append((title, cmd))
    if args.list:
        for title, cmd in runnable:
            print("%-70s %s" % (title, " ".join(cmd[1:] if cmd[0] == sys.executable else cmd)))
        return 0
    # Two steps per CPU: several steps spend most of their time waiting out
    # deliberate time limits (a hanging submission, a stripped handout), and
    # no step's verdict depends on host speed.
    jobs = max(1, int(os.environ.get("TEST_JOBS") or 2 * (os.cpu_count() or 1)))
    n = len(runnable) + 1
    print(f"==> [1/{n}] building every lab (make build-labN), then {n - 1} steps, "
          f"{jobs} at a time", flush=True)
    total_p = total_f = 0
    runnable.sort(key=lambda s: -EXPECTED.get(s[0], 10))
    board = Board()
    threading.Thread(target=board.ticker, daemon=True).start()

    def one(step):
        board.start(step[0])
        try:
            return step, run_step(*step)
        finally:
            board.end(step[0])

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # The steps that use no lab's build start now, beside the build.
        futures = [pool.submit(one, s) for s in runnable if s[0] in NO_BUILD]
        # One lab after another, each with make -j (-O keeps each file's
        # messages together): a lab copies the objects an earlier lab compiled
        # from the same sources (tools/reuse_obj.sh), which it cannot while
        # they compile.
        mk = ["make", "-s", "-O", "-j%d" % (os.cpu_count() or 1)]
        rc, secs, cpu_all = 0, 0.0, 0.0
        for lab in labs():
            out, lab_rc, lab_secs, lab_cpu = run_step("build", mk + ["build-" + lab])
            secs, cpu_all = secs + lab_secs, cpu_all + lab_cpu
            if lab_rc != 0:
                rc = lab_rc
                sys.stdout.write(out)
        # The full system's kernel too, not counted here: its two steps (QEMU,
        # Bochs) would otherwise both make it at once; if it does not build,
        # each of them reports it (BUILD-FAIL).
        cpu_all += run_step("build-full", mk + ["build-full"])[3]
        print(f"==> [1/{n}] build every lab: {int(rc == 0)} passed, {int(rc != 0)} failed "
              f"({secs:.1f}s)\n", flush=True)
        total_p, total_f = (1, 0) if rc == 0 else (0, 1)
        futures += [pool.submit(one, s) for s in runnable if s[0] not in NO_BUILD]
        done = 1
        for fut in as_completed(futures):
            (title, cmd), (out, rc, secs, cpu) = fut.result()
            cpu_all += cpu
            done += 1
            p, f, note = count(out, rc)
            total_p += p
            total_f += f
            print(f"==> [{done}/{n}] {title}: {' '.join(cmd)}")
            sys.stdout.write(out if out.endswith("\n") or not out else out + "\n")
            if note:
                print(f"==> {title}: {note}")
            print(f"==> [{done}/{n}] {title}: {p} passed, {f} failed "
                  f"({secs:.1f}s, CPU {cpu:.1f}s)\n", flush=True)
    board.stop.set()
    # Processes in the bubblewrap sandbox (the builds and emulators of class,
    # red-team and autograder runs) are not counted: bwrap does not pass their
    # usage on to the process that waits for it.
    print(f"make test took {time.time() - t0:.0f}s with {jobs} jobs "
          f"({cpu_all:.0f} CPU seconds outside the sandbox)")
    print(f"total: {total_p} passed, {total_f} failed")
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main())
