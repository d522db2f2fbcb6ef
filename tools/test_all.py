#!/usr/bin/env python3
"""test_all.py: `make test`: host tests, monitor smoke test, every lab on QEMU and Bochs, instructor tools.

Each step prints its own summary line "<name>: P passed, F failed"; this script
adds them up and ends with "total: P passed, F failed". Exit 1 on any failure.
"""
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUMMARY = re.compile(r"^(\S+): (\d+) passed, (\d+) failed\s*$")


def labs():
    """Lab names (lab1, lab2, ...) of the lab directories that have a lab.mk."""
    found = []
    for d in sorted(os.listdir(ROOT)):
        m = re.match(r"lab(\d+)-", d)
        if m and os.path.isfile(os.path.join(ROOT, d, "lab.mk")):
            found.append(int(m.group(1)))
    return [f"lab{n}" for n in sorted(found)]


def run_step(title, cmd):
    """Run CMD, echo its output, return (passed, failed) from its summary lines."""
    print(f"==> {title}: {' '.join(cmd)}", flush=True)
    start = time.time()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    passed = failed = 0
    seen = False
    for line in proc.stdout:
        sys.stdout.write(line)
        m = SUMMARY.match(line.rstrip())  # nested, indented summaries do not count
        if m and m.group(1) != "total":
            passed += int(m.group(2))
            failed += int(m.group(3))
            seen = True
    rc = proc.wait()
    if not seen or (rc != 0 and failed == 0):
        print(f"==> {title}: exit status {rc} without a clean summary: "
              "counted as 1 failure")
        failed += 1
    print(f"==> {title}: {passed} passed, {failed} failed "
          f"({time.time() - start:.1f}s)\n", flush=True)
    return passed, failed


def main():
    steps = [("host unit tests", ["make", "-s", "host-test"]),
             ("monitor smoke test", [sys.executable, "tools/monitor_smoke.py"])]
    for lab in labs():
        steps.append((f"{lab} on QEMU and Bochs",
                      [sys.executable, "grade/grade.py", lab, "--emulator", "both"]))
    steps.append(("handouts", [sys.executable, "tools/handout_check.py"]))
    steps.append(("handout unit tests", [sys.executable, "tools/test_handout.py"]))
    steps.append(("instructor unit tests", [sys.executable, "grade/test_instructor.py"]))
    steps.append(("Gradescope autograder", [sys.executable, "tools/autograder_check.py"]))
    steps.append(("a class of submissions", [sys.executable, "tools/class_test.py"]))
    steps.append(("grader self-test", [sys.executable, "grade/selftest.py"]))
    total_p = total_f = 0
    for title, cmd in steps:
        if cmd[0] == sys.executable and not os.path.exists(os.path.join(ROOT, cmd[1])):
            print(f"==> {title}: skipped ({cmd[1]} is not in this tree: a handout?)\n")
            continue
        p, f = run_step(title, cmd)
        total_p += p
        total_f += f
    print(f"total: {total_p} passed, {total_f} failed")
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main())
