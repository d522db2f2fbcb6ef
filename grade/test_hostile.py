#!/usr/bin/env python3
"""test_hostile.py: unit tests of what reaches the instructor from a hostile submission: escaped and capped text at every sink, integrity flags, class names, interrupted class runs."""
import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import batch        # noqa: E402
import gradescope   # noqa: E402
import labrun       # noqa: E402
import report       # noqa: E402
import rubric       # noqa: E402
import safe_text    # noqa: E402
from protocol import FAIL, OK, Result  # noqa: E402

# Erase the line, move up, print a fake OK, set the title, hide the rest.
EVIL = "x\x1b[2K\x1b[1A\r\x1b[32mcmdline_parse: OK\x1b]0;pwned\x07\x1b[8m\u202e"
HUGE = "A" * 300000


def assert_clean(case, text, cap=1000):
    """No control character but newline and tab; no line longer than CAP."""
    for ch in text:
        case.assertFalse(ord(ch) < 32 and ch not in "\n\t" or 0x7f <= ord(ch) <= 0x9f
                         or ch == "\u202e", "raw control character %r" % ch)
    case.assertLess(max(len(l) for l in text.split("\n")), cap)


class SafeText(unittest.TestCase):
    def test_line(self):
        t = safe_text.line(EVIL)
        self.assertIn("\\x1b[2K", t)
        self.assertIn("\\x07", t)
        self.assertIn("\\x0d", t)
        self.assertIn("\\u202e", t)
        assert_clean(self, t)
        self.assertEqual(safe_text.line("a\tb"), "a\tb")

    def test_caps(self):
        t = safe_text.line(HUGE)
        self.assertLess(len(t), safe_text.LINE_MAX + 60)
        self.assertIn("[line cut: 300000 characters in all]", t)
        many = safe_text.lines(["y" * 300] * 1000)
        self.assertLess(sum(len(l) for l in many), safe_text.BLOCK_MAX + 400)
        self.assertRegex(many[-1], r"\[output cut: \d+ more lines\]")

    def test_csv_cell(self):
        self.assertEqual(safe_text.csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")")
        self.assertEqual(safe_text.csv_cell("alice"), "alice")


def lab_report(reason, flags=()):
    r = rubric.load(1)
    entries = r.select(["cmdline_*"])
    run = labrun.RunResult(labrun.RunSpec("qemu"))
    for e in entries:
        run.results[e.name] = Result(OK, 0.1)
    run.results["cmdline_parse"] = Result(FAIL, 0.1, reason)
    rep = report.LabReport(rubric=r, graded=report.combine(r, entries, [run]), runs=[run],
                           build_log=["cc: error: " + EVIL])
    rep.integrity += list(flags)
    return rep


class ReportSinks(unittest.TestCase):
    def test_terminal_and_json_are_escaped_and_capped(self):
        rep = lab_report([EVIL, HUGE, "tail"])
        text = "\n".join(report.render(rep, False))
        assert_clean(self, text)
        self.assertIn("FAIL: x\\x1b[2K\\x1b[1A\\x0d", text)
        self.assertRegex(text, r"AAAA ... \[line cut: 3000\d\d characters in all\]")
        self.assertIn("cc: error: x\\x1b[2K", text)          # the BUILD-FAIL output
        self.assertIn("\nScore: ", text)
        doc = report.gradescope([rep], 1.0, ["WARNING: file " + EVIL])
        out = json.dumps(doc)               # json escapes; check the decoded text
        for t in doc["tests"]:
            assert_clean(self, t["output"])
        assert_clean(self, doc["output"])
        self.assertIn("\\\\x1b[2K", out)
        self.assertLess(len(out), 60000)

    def test_verbose_stream(self):
        import contextlib
        import io
        import grade
        echo = grade.make_echo(argparse.Namespace(verbose=True, emulator="qemu", seeds=None))
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            echo(labrun.RunSpec("qemu"), EVIL)
            echo(labrun.RunSpec("qemu"), HUGE)
        assert_clean(self, buf.getvalue())
        self.assertIn("| x\\x1b[2K", buf.getvalue())
        self.assertIn("[line cut: 300000 characters in all]", buf.getvalue())

    def test_integrity_flags_everywhere(self):
        rep = lab_report(["no"], ["INTEGRITY: forged KTEST PASS line " + EVIL])
        lines = report.render(rep, False)
        score = [i for i, l in enumerate(lines) if l.startswith("Score: ")][0]
        self.assertTrue(lines[score + 1].startswith("INTEGRITY: forged KTEST PASS line x\\x1b"))
        doc = report.gradescope([rep], 1.0, ["INTEGRITY: tests.c replaced", "WARNING: w"])
        self.assertEqual(len(doc["extra_data"]["integrity"]), 2)
        self.assertTrue(doc["output"].startswith("INTEGRITY: tests.c replaced\nINTEGRITY: "))
        z = gradescope.zero_results(1, os.path.dirname(HERE), "no", ["INTEGRITY: z\x1b"])
        self.assertEqual(z["extra_data"]["integrity"], ["INTEGRITY: z\\x1b"])
        self.assertTrue(z["output"].startswith("INTEGRITY: z\\x1b"))


FAKE_GRADER = textwrap.dedent("""
    # A stand-in for grade.py in a class run: writes --json, prints hostile text.
    import json, os, sys, time
    a = sys.argv
    root, js = a[a.index("--root") + 1], a[a.index("--json") + 1]
    if os.path.exists(os.path.join(root, "SLOW")):
        time.sleep(120)
    print("build says: \\x1b]0;pwned\\x07\\x1b[2J" + "B" * 300000, flush=True)
    doc = {"score": 4, "output": "lab1: 4/6", "extra_data": {
               "max_score": 6, "integrity": ["INTEGRITY: forged \\x1b[8m"]},
           "tests": [{"name": "cmdline_parse", "score": 4, "extra_data": {"verdict": "OK"}},
                     {"name": "cmdline_numbers", "score": 0,
                      "extra_data": {"verdict": "FAIL"}}]}
    json.dump(doc, open(js, "w"))
    sys.exit(1)
""")


class ClassRun(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="stepos-test-hostile-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.subs = os.path.join(self.tmp, "subs")
        self.fake = os.path.join(self.tmp, "fake_grade.py")
        with open(self.fake, "w") as f:
            f.write(FAKE_GRADER)

    def submission(self, name, slow=False):
        d = os.path.join(self.subs, name)
        os.makedirs(os.path.join(d, "lab1-boot"))
        with open(os.path.join(d, "Makefile"), "w") as f:
            f.write("all:\n")
        if slow:
            open(os.path.join(d, "SLOW"), "w").close()

    def args(self, **kw):
        a = dict(submissions=self.subs, csv=os.path.join(self.tmp, "grades.csv"),
                 json_dir=None, rubric_root=None, labs=[1], pristine=None, emulator="qemu",
                 timeout_scale=1.0, mem_limit=0, seeds=None, seed=None, patterns=["cmdline_*"],
                 keep=False, time_limit=300, jobs=1)
        a.update(kw)
        return argparse.Namespace(**a)

    def rows(self):
        with open(os.path.join(self.tmp, "grades.csv"), newline="") as f:
            return list(csv.DictReader(f))

    def test_unique_names(self):
        names = ["student_1", "student 1", "student+1", ".x", "A", "a"]
        got = batch.unique_names(names)
        self.assertEqual(len({g.lower() for g in got}), len(names))
        self.assertEqual(got[:3], ["student_1", "student_1-2", "student_1-3"])
        self.assertEqual(batch.unique_names(list(reversed(names))), list(reversed(got)))

    def test_colliding_names_get_their_own_rows_and_logs(self):
        for n in ("student 1", "student+1", "student_1"):
            self.submission(n)
        with open(os.devnull, "w") as null:
            saved, sys.stdout = sys.stdout, null
            try:
                status = batch.grade_submissions(self.args(), self.fake, self.tmp + "/w")
            finally:
                sys.stdout = saved
        self.assertEqual(status, 0)
        rows = self.rows()
        self.assertEqual([r["submission"] for r in rows], ["student 1", "student+1",
                                                           "student_1"])
        self.assertEqual([r["verdict"] for r in rows], ["1 FAIL"] * 3)
        self.assertEqual([r["integrity"] for r in rows], ["forged \\x1b[8m"] * 3)
        logs = sorted(os.listdir(os.path.join(self.tmp, "grades.csv.d")))
        self.assertEqual(logs, ["student_1-2.json", "student_1-2.txt", "student_1-3.json",
                                "student_1-3.txt", "student_1.json", "student_1.txt"])
        with open(os.path.join(self.tmp, "grades.csv.d", "student_1.txt")) as f:
            log = f.read()
        assert_clean(self, log, batch.LOG_LINE_MAX + 100)
        self.assertIn("[line cut: 300", log)
        self.assertIn("\\x1b]0;pwned\\x07", log)

    def test_sigint_keeps_the_finished_rows(self):
        self.submission("a")
        self.submission("b")
        self.submission("c", slow=True)
        code = ("import sys, argparse; sys.path.insert(0, %r); import batch; "
                "sys.exit(batch.grade_submissions(argparse.Namespace(**%r), %r, %r))"
                % (HERE, vars(self.args()), self.fake, self.tmp + "/w"))
        p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60:   # until a and b are in the gradebook
            try:
                if [r["verdict"] for r in self.rows()][:2] == ["1 FAIL"] * 2:
                    break
            except (OSError, KeyError):
                pass
            time.sleep(0.1)
        time.sleep(0.3)                     # c's grader is (most likely) running now
        p.send_signal(signal.SIGINT)
        out = p.communicate(timeout=60)[0].decode()
        self.assertEqual(p.returncode, 130, out)
        rows = self.rows()
        self.assertEqual([(r["submission"], r["verdict"], r["score"]) for r in rows],
                         [("a", "1 FAIL", "4"), ("b", "1 FAIL", "4"),
                          ("c", batch.INTERRUPTED, "0")])
        self.assertIn("INTERRUPTED: 2 of 3 submissions graded", out)


class Cli(unittest.TestCase):
    def run_grade(self, *args):
        p = subprocess.run([sys.executable, os.path.join(HERE, "grade.py")] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return p.returncode, p.stdout.decode()

    def test_bad_timeout_scale(self):
        for v in ("nan", "inf", "-inf", "0", "-1"):
            status, out = self.run_grade("lab1", "--timeout-scale=" + v)
            self.assertEqual(status, 2, out)
            self.assertIn("--timeout-scale", out)
            self.assertIn("positive finite", out)

    def test_unwritable_outputs_refused_before_grading(self):
        tmp = tempfile.mkdtemp(prefix="stepos-test-hostile-")
        self.addCleanup(shutil.rmtree, tmp, True)
        cases = [(["--json", os.path.join(tmp, "no", "r.json")], "does not exist"),
                 (["--json", tmp], "is a directory"),
                 (["--submissions", tmp, "--csv", os.path.join(tmp, "no", "g.csv")],
                  "does not exist")]
        if os.geteuid() != 0:           # root may write anywhere
            ro = os.path.join(tmp, "ro")
            os.mkdir(ro, 0o555)
            cases.append((["--json", os.path.join(ro, "r.json")], "not writable"))
        for extra, needle in cases:
            status, out = self.run_grade("lab1", *extra)
            self.assertEqual(status, 2, out)
            self.assertIn(needle, out)
            self.assertNotIn("== lab1", out)        # nothing was graded


ARGV_PY = "import json, sys\nprint('ARGV=' + json.dumps(sys.argv[1:]))\n"


class MakeCmdline(unittest.TestCase):
    """make labN CMDLINE=...: the user's text reaches boot.py exactly as typed."""

    def test_no_shell_or_make_expansion(self):
        if shutil.which("make") is None:
            self.skipTest("make not installed")
        tmp = tempfile.mkdtemp(prefix="stepos-test-hostile-")
        self.addCleanup(shutil.rmtree, tmp, True)
        fake = os.path.join(tmp, "argv.py")
        with open(fake, "w") as f:
            f.write("#!%s\n%s" % (sys.executable, ARGV_PY))
        os.chmod(fake, 0o755)
        for text in ('x="`touch %s/pwned1`"' % tmp, "a=$(touch %s/pwned2) b=$H c=$$" % tmp,
                     "d=$(shell touch %s/pwned3)" % tmp,
                     "q='1 2' r=\"3\" s=\\", "test=* seed=5", ""):
            for target in ("lab1", "lab1-bochs"):
                p = subprocess.run(["make", "-s", "-C", os.path.dirname(HERE), "-o",
                                    "build-lab1", target, "PYTHON=" + fake, "CMDLINE=" + text],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                out = p.stdout.decode()
                argv = [json.loads(l[5:]) for l in out.splitlines() if l.startswith("ARGV=")]
                self.assertEqual(len(argv), 1, out)
                self.assertEqual(argv[0][argv[0].index("--cmdline") + 1], text)
        self.assertEqual(sorted(os.listdir(tmp)), ["argv.py"])    # nothing ran


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(verbosity=1, stream=sys.stdout).run(suite)
    bad = len(res.failures) + len(res.errors)
    print("hostile-unit: %d passed, %d failed" % (res.testsRun - bad, bad))
    return 0 if res.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
