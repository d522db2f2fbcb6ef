#!/usr/bin/env python3
"""class_test.py: `make test` step: grade a class of 14 submissions as an instructor would (parallel, then one after another), prove the sandbox, check the gradebook."""
import argparse
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import class_fixtures as cf  # noqa: E402
import rubric  # noqa: E402
import sandbox  # noqa: E402

SLEEP_MARKER = 4242 + os.getpid() % 1000


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, ok, detail=""):
        print("%s: %s%s" % (what, "OK" if ok else "FAIL", "" if ok or not detail
                            else "\n    " + str(detail).replace("\n", "\n    ")), flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok

    def skip(self, what, why):
        print("%s: SKIPPED (%s)" % (what, why), flush=True)


class Listener:
    """A TCP port on 127.0.0.1 that records who connects."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections, self.stop = [], threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self.stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections.append(addr)
            conn.close()

    def close(self):
        self.stop.set()
        self.sock.close()


def grade_class(ref, folder, csv_path, jobs, extra):
    cmd = [sys.executable, os.path.join(ref, "grade", "grade.py"), "--submissions", folder,
           "--lab", str(cf.LAB), "-j", str(jobs), "--csv", csv_path] + extra
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    wall = time.monotonic() - t0
    out = p.stdout.decode("utf-8", "replace")
    # One print: two batches may be graded at once (sandbox_batch).
    print("$ " + " ".join(cmd) + "\n    " + out.rstrip().replace("\n", "\n    "), flush=True)
    rows = {}
    if os.path.exists(csv_path):
        with open(csv_path, newline="") as f:
            rows = {r["submission"]: r for r in csv.DictReader(f)}
    return p.returncode, rows, wall


def check_rows(c, rows, expects, max_score, points, label):
    scores = {n: float(r["score"]) for n, r in rows.items()}
    c.check("%s: a CSV row for each of the %d submissions" % (label, len(expects)),
            sorted(rows) == sorted(expects), sorted(set(expects) ^ set(rows)))
    for name, exp in sorted(expects.items()):
        r = rows.get(name)
        if r is None:
            continue
        want = cf.expected_score(exp, max_score, points, scores)
        got = scores[name]
        if want is None:
            ok, wanted = 0 <= got < max_score, "less than %s" % max_score
        else:
            ok, wanted = got == want, want
        ok = ok and r["verdict"].startswith(exp.verdict) and float(r["max_score"]) == max_score
        said = r["warnings"] + " | " + r.get("integrity", "")    # integrity: its own column
        missing = [w for w in exp.warn if w not in said]
        if not exp.warn and ("WARNING" in r["warnings"] or r.get("integrity")):
            missing = ["none expected, got: " + said]
        c.check("%s: %s gets %s/%s, %s%s" % (
            label, name, r["score"], r["max_score"], r["verdict"],
            " (warned: %s)" % ", ".join(exp.warn) if exp.warn else ""),
            ok and not missing, "expected %s with verdict %r; missing warnings %s"
            % (wanted, exp.verdict, missing))


def sandbox_batch(c, ref, tmp, outside, listener, kind, scale):
    """Grade hostile builds without --pristine: contained, zero, the rest still graded.

    Two batches, so that no verdict depends on how fast the host is: the
    honest tree is graded beside the hostile build with the default time
    limit, and the never-ending build alone with a short one."""
    folder = os.path.join(tmp, "hostile")
    os.makedirs(folder)
    cf.malicious(ref, os.path.join(folder, "ivan"), "ivan2", outside, listener.port)
    cf.student_tree(ref, os.path.join(folder, "zoe"))
    sleepy = os.path.join(tmp, "sleepy")
    os.makedirs(sleepy)
    cf.sleepy(ref, os.path.join(sleepy, "sam"), SLEEP_MARKER)
    limit = 10
    # The never-ending build waits out its limit while the other batch is
    # graded (two grader processes, separate folders and gradebooks).
    sam = {}
    th = threading.Thread(target=lambda: sam.update(rows=grade_class(
        ref, sleepy, os.path.join(tmp, "sleepy.csv"), 1,
        ["--time-limit", str(limit), "--timeout-scale", scale])[1]))
    th.start()
    status, rows, wall = grade_class(ref, folder, os.path.join(tmp, "hostile.csv"), 2,
                                     ["--timeout-scale", scale])
    th.join()
    rows.update(sam.get("rows", {}))
    row = lambda n: rows.get(n, {"score": "?", "verdict": "?"})   # noqa: E731
    c.check("sandbox: the hostile build is graded 0 (BUILD-FAIL)",
            row("ivan")["score"] == "0" and row("ivan")["verdict"] == "BUILD-FAIL", row("ivan"))
    target = os.path.join(outside, "written-by-ivan2")
    if kind == "bwrap":
        c.check("sandbox: the build could not write outside its tree (%s)" % target,
                not os.path.exists(target))
    else:
        c.skip("sandbox: no write outside the tree", "sandbox is %s here, not bubblewrap" % kind)
    if kind in ("bwrap", "unshare"):
        c.check("sandbox: no connection reached 127.0.0.1:%d" % listener.port,
                not listener.connections, listener.connections)
    else:
        c.skip("sandbox: no network", "no sandbox works here")
    c.check("sandbox: the never-ending build stops at the %ds limit (TIME-LIMIT, 0)" % limit,
            row("sam")["verdict"] == "TIME-LIMIT" and row("sam")["score"] == "0"
            and float(row("sam").get("seconds", 999)) < limit + 15, row("sam"))
    left = [p for p in os.listdir("/proc") if p.isdigit() and _cmdline(p) ==
            "sleep %d" % SLEEP_MARKER]
    c.check("sandbox: nothing the hostile builds started is still running", not left, left)
    full = _max(ref) - cf.HIDDEN_POINTS
    c.check("sandbox: the honest submission beside them is graded (%s/%s: no hidden test "
            "without --pristine)" % (row("zoe")["score"], _max(ref)),
            row("zoe")["score"] != "?" and float(row("zoe")["score"]) == full, row("zoe"))


def _cmdline(pid):
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def _max(ref):
    return rubric.load(cf.LAB, ref).max_points


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-j", "--jobs", type=int, default=min(4, max(2, os.cpu_count() or 2)))
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--timeout-scale", default="1")
    ap.add_argument("--sequential", action="store_true",
                    help="also grade the class one at a time: same scores, and both wall times")
    a = ap.parse_args()
    c = Checks()
    tmp = tempfile.mkdtemp(prefix="stepos-class-")
    base = "/var/tmp" if os.access("/var/tmp", os.W_OK) else tmp
    outside = tempfile.mkdtemp(prefix="stepos-class-outside-", dir=base)
    listener = Listener()
    try:
        kind = sandbox.configure("auto").kind
        print(sandbox.policy().message, flush=True)
        ref = cf.make_reference(os.path.join(tmp, "ref"))
        expects = cf.build_class(ref, os.path.join(tmp, "class"), outside, listener.port)
        c.check("fixtures: %d submissions; the lab %d handout leaves the hidden test out"
                % (len(expects), cf.LAB), len(expects) >= 12)
        rub = rubric.load(cf.LAB, ref)
        points = {e.name: e.points for e in rub.entries}
        common = ["--pristine", ref, "--timeout-scale", a.timeout_scale]
        jdir = os.path.join(tmp, "json")
        st, par, t_par = grade_class(ref, os.path.join(tmp, "class"),
                                     os.path.join(tmp, "parallel.csv"), a.jobs,
                                     common + ["--json-dir", jdir])
        c.check("parallel: grade.py exits 0", st == 0, "status %s" % st)
        check_rows(c, par, expects, rub.max_points, points, "parallel")
        _check_json(c, jdir)
        if a.sequential:    # a benchmark, not a check: wall times depend on the host
            st, seq, t_seq = grade_class(ref, os.path.join(tmp, "class"),
                                         os.path.join(tmp, "sequential.csv"), 1, common)
            same = ({n: r["score"] for n, r in seq.items()} ==
                    {n: r["score"] for n, r in par.items()})
            c.check("sequential: the same scores as in parallel", same and bool(seq))
            print("class timings: %d submissions, parallel -j %d %.1fs, sequential %.1fs "
                  "(%.2fx)" % (len(expects), a.jobs, t_par, t_seq, t_seq / max(t_par, 0.1)))
        c.check("mallory's absolute-path member was not written",
                not os.path.exists(os.path.join(outside, "written-by-mallory")))
        sandbox_batch(c, ref, tmp, outside, listener, kind, a.timeout_scale)
    except Exception as e:                      # a broken fixture is a failure, not a crash
        import traceback
        traceback.print_exc()
        c.check("class test ran to the end", False, "%s: %s" % (type(e).__name__, e))
    finally:
        listener.close()
        shutil.rmtree(outside, ignore_errors=True)
        if a.keep:
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("class: %d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


def _check_json(c, jdir):
    try:
        with open(os.path.join(jdir, "alice.json")) as f:
            doc = json.load(f)
        hidden = [t for t in doc["tests"] if t["name"] == cf.HIDDEN_TEST]
        ok = (len(hidden) == 1 and hidden[0]["visibility"] == "after_published"
              and hidden[0]["status"] == "passed" and doc["stdout_visibility"] == "hidden")
        c.check("--json-dir: alice.json has the hidden test, visible after publishing", ok,
                hidden)
        with open(os.path.join(jdir, "judy.json")) as f:
            c.check("--json-dir: judy.json's output carries the protected-files warning",
                    "tests_vm_pool.c" in json.load(f)["output"])
        with open(os.path.join(jdir, "olivia.json")) as f:
            doc = json.load(f)
        c.check("--json-dir: a submission with no tree still gets a results.json (score 0)",
                doc["score"] == 0 and "no StepOS tree" in doc["output"])
    except (OSError, ValueError, KeyError) as e:
        c.check("--json-dir: per-submission results.json files", False, e)


if __name__ == "__main__":
    sys.exit(main())
