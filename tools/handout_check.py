#!/usr/bin/env python3
"""handout_check.py: every lab's handout builds, boots to the monitor, loses points on
its own lab and keeps full marks on the labs before it (so markers cover real work)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def labs():
    nums = []
    for d in os.listdir(ROOT):
        m = re.match(r"lab(\d+)-", d)
        if m and os.path.isfile(os.path.join(ROOT, d, "lab.mk")):
            nums.append(int(m.group(1)))
    return sorted(nums)


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def score(out):
    m = re.search(r"^Score: (\d+)/(\d+)", out, re.M)
    return (int(m.group(1)), int(m.group(2))) if m else None


def check(n, tmp, results):
    tree = os.path.join(tmp, "lab%d" % n)
    rc, out = run(["make", "-s", "handout", "LAB=%d" % n, "OUT=" + tree], ROOT)
    results.append(("make handout LAB=%d written" % n, rc == 0, out))
    if rc != 0:
        return
    rc, out = run(["make", "-s", "build-lab%d" % n], tree)
    results.append(("handout lab%d builds" % n, rc == 0, out[-2000:]))
    if rc != 0:
        return
    rc, out = run([sys.executable, "tools/monitor_smoke.py", "lab%d" % n], tree)
    booted = "boot to monitor prompt" in out
    results.append(("handout lab%d boots to the monitor" % n, booted, out[-2000:]))
    for k in range(1, n + 1):
        rc, out = run([sys.executable, "grade/grade.py", "lab%d" % k, "--emulator", "qemu"],
                      tree)
        s = score(out)
        if k < n:
            ok = rc == 0 and s is not None and s[0] == s[1]
            what = "handout lab%d keeps lab%d at full marks" % (n, k)
        else:
            ok = rc == 1 and s is not None and s[0] < s[1] and "BUILD-FAIL" not in out
            what = "handout lab%d loses points on lab%d (%s)" % (
                n, k, "%d/%d" % s if s else "no score")
        results.append((what, ok, out[-3000:]))


def main():
    results = []
    with tempfile.TemporaryDirectory(prefix="stepos-handout-") as tmp:
        for n in labs():
            check(n, tmp, results)
            shutil.rmtree(os.path.join(tmp, "lab%d" % n), ignore_errors=True)
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
