#!/usr/bin/env python3
"""autograder_check.py: `make test` step: build the Gradescope zip with `make autograder`, run it in a simulated /autograder layout on a few submissions, check results.json."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import class_fixtures as cf  # noqa: E402

TEST_KEYS = {"name", "score", "max_score", "status", "output", "visibility"}


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, ok, detail=""):
        print("%s: %s%s" % (what, "OK" if ok else "FAIL",
                            "" if ok or detail == "" else "\n    " + str(detail)[-3000:]
                            .replace("\n", "\n    ")), flush=True)
        self.passed += bool(ok)
        self.failed += not ok
        return ok


def unzip(zpath, dest):
    """Extract like Gradescope does, keeping the executable bits."""
    with zipfile.ZipFile(zpath) as z:
        for info in z.infolist():
            path = z.extract(info, dest)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(path, mode)


def run_autograder(ag, submission_src, c, label):
    """Fresh /autograder/{submission,results}, run it; returns results.json or None."""
    for d in ("submission", "results"):
        shutil.rmtree(os.path.join(ag, d), ignore_errors=True)
    sub = os.path.join(ag, "submission")
    if os.path.isdir(submission_src):
        shutil.copytree(submission_src, sub, symlinks=True)
    else:
        os.makedirs(sub)
        shutil.copy(submission_src, sub)
    env = dict(os.environ, AUTOGRADER_ROOT=ag)
    p = subprocess.run([os.path.join(ag, "source", "run_autograder")], env=env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    out = p.stdout.decode("utf-8", "replace")
    path = os.path.join(ag, "results", "results.json")
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        c.check("%s: run_autograder wrote results/results.json" % label, False,
                "%s\n%s" % (e, out))
        return None
    shape = all(TEST_KEYS <= set(t) for t in doc.get("tests", [])) and "score" in doc
    c.check("%s: results.json written, every test with %s" % (label, ", ".join(
        sorted(TEST_KEYS))), shape and p.returncode == 0, out)
    return doc


def main():
    c = Checks()
    tmp = tempfile.mkdtemp(prefix="stepos-autograder-")
    try:
        ref = cf.make_reference(os.path.join(tmp, "ref"))
        zpath = os.path.join(tmp, "autograder.zip")
        p = subprocess.run(["make", "-s", "autograder", "LAB=%d" % cf.LAB, "OUT=" + zpath],
                           cwd=ref, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        c.check("make autograder LAB=%d" % cf.LAB, p.returncode == 0 and os.path.exists(zpath),
                p.stdout.decode())
        with zipfile.ZipFile(zpath) as z:
            names = set(z.namelist())
            modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in z.infolist()}
        c.check("zip: setup.sh and run_autograder at the top, executable",
                all(modes.get(n, 0) & 0o100 for n in ("setup.sh", "run_autograder")))
        c.check("zip: bundles the grader, the tests and the hidden test",
                {"stepos/grade/grade.py", "stepos/lab3-paging/tests_vm_pool.c",
                 "stepos/lab3-paging/hidden_heap.c", "stepos/lab3-paging/hidden_rubric.toml",
                 "stepos/Makefile"} <= names)
        c.check("zip: no solution inside (lab3-paging/vm_regions.c, lab2-frames/"
                "cfp_bitmap.c left out)", not {"stepos/lab3-paging/vm_regions.c",
                                                   "stepos/lab2-frames/cfp_bitmap.c"}
                & names)
        ag = os.path.join(tmp, "autograder")
        unzip(zpath, os.path.join(ag, "source"))
        p = subprocess.run(["bash", os.path.join(ag, "source", "setup.sh")],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        c.check("setup.sh runs (packages already installed here)", p.returncode == 0,
                p.stdout.decode())
        subs = os.path.join(tmp, "subs")
        good = cf.student_tree(ref, os.path.join(subs, "good"))
        doc = run_autograder(ag, good, c, "correct submission")
        if doc:
            hidden = [t for t in doc["tests"] if t["name"] == cf.HIDDEN_TEST]
            c.check("correct submission: full marks (%s), hidden test visible after "
                    "publishing" % doc["score"],
                    doc["score"] == sum(t["max_score"] for t in doc["tests"]) and hidden
                    and hidden[0]["visibility"] == "after_published"
                    and doc.get("stdout_visibility") == "hidden", hidden)
        cheat = cf.student_tree(ref, os.path.join(subs, "cheat"),
                                [cf.NO_MERGE_PREV, cf.RUBRIC_BUMP] + cf.FAKE_PASS)
        wrapped = os.path.join(subs, "wrapped")
        shutil.copytree(cheat, os.path.join(wrapped, "my-stepos"))
        doc = run_autograder(ag, wrapped, c, "edited tests, in a folder")
        if doc:
            failed = sorted(t["name"] for t in doc["tests"] if t["status"] == "failed")
            c.check("edited tests: the reference tests run (%s failed) and the output "
                    "warns about the changed files" % ", ".join(failed),
                    failed == sorted(cf.NO_MERGE_FAILS) and "tests_vm_pool.c" in doc["output"],
                    doc["output"])
        broken = cf.student_tree(ref, os.path.join(subs, "broken"), [cf.SYNTAX_ERROR])
        zipped = cf.zip_tree(broken, os.path.join(subs, "broken.zip"), prefix="lab3/")
        doc = run_autograder(ag, zipped, c, "a .zip that does not build")
        if doc:
            out = "".join(t["output"] for t in doc["tests"])
            c.check("does not build: 0 points, the compiler's error in each test's output",
                    doc["score"] == 0 and "vm_pool.c" in out and "error" in out, out[:2000])
        os.makedirs(os.path.join(subs, "empty"))
        doc = run_autograder(ag, os.path.join(subs, "empty"), c, "an empty submission")
        if doc:
            c.check("empty submission: 0 points with the reason",
                    doc["score"] == 0 and "no StepOS tree" in doc["output"]
                    and len(doc["tests"]) > 0, doc.get("output"))
    except Exception as e:
        import traceback
        traceback.print_exc()
        c.check("autograder check ran to the end", False, "%s: %s" % (type(e).__name__, e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("autograder: %d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
