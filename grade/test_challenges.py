"""test_challenges.py: challenge sections: rubric keys, their own runs and cmdline, the report block, JSON."""
import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import labrun    # noqa: E402
import report    # noqa: E402
import rubric    # noqa: E402
from protocol import FAIL, OK, TIMEOUT, Result  # noqa: E402

# grade.py by path: run from the top, "import grade" would find the folder
_spec = importlib.util.spec_from_file_location(
    "grade_cli", os.path.join(os.path.dirname(os.path.abspath(__file__)), "grade.py"))
grade = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(grade)

RUBRIC = """
    lab = "lab4"
    cmdline = "quiet=1"
    [[sections]]
    name = "base"
    tests = [ { name = "b1", points = 3 }, { name = "b2", points = 2 } ]
    [[sections]]
    name = "buddy"
    challenge = true
    cmdline = "alloc=buddy"
    tests = [ { name = "c1", points = 1 }, { name = "c2", points = 1, timeout = 4 } ]
    [[sections]]
    name = "large pages"
    challenge = true
    tests = [ { name = "c3", points = 0 } ]
    """


def write_rubric(case, text, hidden=None):
    d = tempfile.mkdtemp(prefix="stepos-chal-")
    case.addCleanup(lambda: subprocess.run(["rm", "-rf", d]))
    lab = os.path.join(d, "lab4-threads")
    os.makedirs(lab)
    open(os.path.join(lab, "lab.mk"), "w").close()
    with open(os.path.join(lab, "rubric.toml"), "w") as f:
        f.write(textwrap.dedent(text))
    if hidden is not None:
        with open(os.path.join(lab, "hidden_rubric.toml"), "w") as f:
            f.write(textwrap.dedent(hidden))
    return d


class ChallengeRubricTest(unittest.TestCase):
    def test_challenges_are_kept_apart(self):
        r = rubric.load(4, write_rubric(self, RUBRIC))
        self.assertEqual([e.name for e in r.entries], ["b1", "b2"],
                         "challenge tests must never be among the counted entries")
        self.assertEqual(r.max_points, 5, "challenge points must not reach max_points")
        self.assertEqual([s for s, _ in r.sections], ["base"])
        self.assertEqual([e.name for e in r.challenge_entries], ["c1", "c2", "c3"])
        self.assertTrue(all(e.challenge for e in r.challenge_entries))
        self.assertEqual(r.select(["c*"]), [], "select() is what counts: no challenges")
        self.assertEqual([e.name for e in r.select_challenges(["c2"])], ["c2"])
        self.assertEqual(r.challenge_cmdline("buddy"), "alloc=buddy")
        self.assertEqual(r.challenge_cmdline("large pages"), "")
        r.scale_timeouts(2)
        self.assertEqual(r.select_challenges(["c2"])[0].timeout, 8.0)

    def test_bad_challenge_keys(self):
        head = "lab='lab4'\n[[sections]]\nname='b'\ntests=[{name='b1', points=1}]\n" \
               "[[sections]]\nname='c'\n"
        t = "tests=[{name='c1', points=1}]\n"
        bad = {
            "challenge='yes'\n" + t: "challenge must be true or false",
            "cmdline='alloc=buddy'\n" + t: "cmdline belongs to a challenge section",
            "challenge=true\ncmdline='alloc buddy'\n" + t: "key=value words",
            "challenge=true\ncmdline=''\n" + t: "key=value words",
            "challenge=true\ncmdline=3\n" + t: "key=value words",
            "challenge=true\ncmdline='test=c1'\n" + t: "may not set test=c1",
            "challenge=true\ncmdline='alloc=buddy seed=3'\n" + t: "may not set seed=3",
            "challenge=true\n": "challenge section 'c' has no tests",
            "challenge=true\nweight=2\n" + t: "unknown keys weight",
            "challenge=true\ntests=[{name='b1', points=1}]\n": "listed twice",
        }
        for text, needle in bad.items():
            with self.assertRaises(rubric.RubricError, msg=text) as cm:
                rubric.load(4, write_rubric(self, head + text))
            self.assertIn(needle, str(cm.exception))
        with self.assertRaises(rubric.RubricError) as cm:
            rubric.load(4, write_rubric(self, head.replace("name='c'", "name='b'") + t))
        self.assertIn("section 'b' listed twice", str(cm.exception))
        only = "lab='lab4'\n[[sections]]\nname='c'\nchallenge=true\n" + t
        with self.assertRaises(rubric.RubricError) as cm:
            rubric.load(4, write_rubric(self, only))
        self.assertIn("no tests", str(cm.exception), "a rubric of challenges only grades nothing")

    def test_hidden_rubric_cannot_touch_challenges(self):
        for hidden, needle in (
                ("[[sections]]\nname='buddy'\ntests=[{name='h', points=1}]\n",
                 "is a challenge section"),
                ("[[sections]]\nname='x'\nchallenge=true\ntests=[{name='h', points=1}]\n",
                 "no challenge sections")):
            with self.assertRaises(rubric.RubricError) as cm:
                rubric.load(4, write_rubric(self, RUBRIC, hidden))
            self.assertIn(needle, str(cm.exception))


def fake_run(calls, verdicts):
    """A labrun.run that records (entry names, cmdline) and gives VERDICTS."""
    def run(rub, entries, spec, build_dir, workdir, echo=None, cmdline="", trace=False,
            isolate=True):
        calls.append(([e.name for e in entries], cmdline, spec.emulator))
        res = labrun.RunResult(spec)
        for e in entries:
            v = verdicts.get(e.name, OK)
            res.results[e.name] = Result(v, 0.1, [] if v == OK else ["it broke"])
        res.boots = 1
        return res
    return run


class ChallengeGradingTest(unittest.TestCase):
    def grade(self, argv, verdicts):
        d = write_rubric(self, RUBRIC)
        args = grade.parse_args(["lab4", "--rubrics-from", d] + argv)
        calls, out, work = [], io.StringIO(), tempfile.mkdtemp(prefix="stepos-chal-work-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", work]))
        fakes = {(grade, "build"): lambda *a: None,
                 (grade.disk, "lab_images"): lambda *a: None,
                 (grade.emu, "check_emulator"): lambda *a: None,
                 (grade.labrun, "run"): fake_run(calls, verdicts)}
        saved = {k: getattr(*k) for k in fakes}
        for (mod, name), fn in fakes.items():
            setattr(mod, name, fn)
        try:
            with contextlib.redirect_stdout(out):
                rep = grade.grade_lab(args, 4, "/nonexistent", work, None)
        finally:
            for (mod, name), fn in saved.items():
                setattr(mod, name, fn)
        return rep, calls, out.getvalue()

    def test_not_run_without_the_flag(self):
        rep, calls, text = self.grade([], {})
        self.assertEqual(calls, [(["b1", "b2"], "", "qemu")],
                         "without --challenges only the counted tests may boot")
        self.assertIn("Challenges (not counted): 3 challenge tests not run; run them with "
                      "python3 grade/grade.py lab4 --challenges (or make grade-lab4 "
                      "CHALLENGES=1)", text)
        self.assertTrue(text.rstrip().endswith("lab4: 2 passed, 0 failed"))

    def test_failing_challenges_change_no_total(self):
        rep, calls, text = self.grade(["--challenges", "--emulator", "both"],
                                      {"c1": FAIL, "c3": TIMEOUT, "b2": FAIL})
        self.assertIn((["c1", "c2"], "alloc=buddy", "bochs"), calls,
                      "a challenge section boots with its own cmdline")
        self.assertIn((["c3"], "", "qemu"), calls)
        self.assertIn((["b1", "b2"], "", "qemu"), calls)
        self.assertEqual(len(calls), 6, "base + 2 challenge sections, on 2 emulators")
        self.assertEqual((rep.score, rep.max_score, rep.n_passed), (3, 5, 1),
                         "challenge results must not reach the score")
        self.assertIn("Score: 3/5", text)
        block = text[text.index("Score: 3/5"):]
        for needle in ("Challenges (not counted):", "  [buddy] (booted with alloc=buddy)",
                       "  c1: FAIL", "  c2: PASS", "  [large pages]", "  c3: FAIL",
                       "[qemu] TIMEOUT: it broke", "--challenges --emulator qemu c3 -v",
                       "Challenges: 1/3 passed (not counted in the score)"):
            self.assertIn(needle, block)
        self.assertTrue(text.rstrip().endswith("lab4: 1 passed, 1 failed"),
                        "the last line counts the graded tests only")
        doc = report.gradescope([rep], 1.0)
        self.assertEqual((doc["score"], doc["extra_data"]["max_score"]), (3, 5))
        self.assertEqual(sum(t["max_score"] for t in doc["tests"]), 5,
                         "challenge tests are worth 0 points in Gradescope")
        ch = {t["name"]: t for t in doc["tests"] if "challenge" in t["tags"]}
        self.assertEqual(sorted(ch), ["challenge: c1", "challenge: c2", "challenge: c3"])
        self.assertEqual((ch["challenge: c1"]["status"], ch["challenge: c2"]["status"]),
                         ("failed", "passed"))
        self.assertEqual(doc["extra_data"]["challenges"], {"lab4": {"passed": 1, "run": 3}})
        self.assertIn("lab4 challenges (not counted): 1/3 passed", doc["output"])
        json.dumps(doc)

    def test_challenge_filter_alone(self):
        rep, calls, text = self.grade(["--challenges", "c2"], {})
        self.assertEqual(calls, [(["c2"], "alloc=buddy", "qemu")])
        self.assertEqual((rep.score, rep.max_score), (0, 0))
        with self.assertRaises(grade.UsageError) as cm:
            self.grade(["c2"], {})
        self.assertIn("challenge tests run only with --challenges", str(cm.exception))

    def test_labrun_adds_the_cmdline(self):
        seen = []
        fake_session = SimpleNamespace(
            run_tests=lambda tests, boot, extra: seen.append((tests, extra)) or
            SimpleNamespace(notes=[], boots=[], integrity=[], results={}, lines=[]))
        saved = labrun.session, labrun._Booter
        labrun.session = fake_session
        labrun._Booter = lambda *a: SimpleNamespace(notes=[], count=0, last_images=(None,
                                                                                   None))
        try:
            r = rubric.load(4, write_rubric(self, RUBRIC))
            labrun.run(r, r.challenge_entries[:2], labrun.RunSpec("qemu", 5), "b", "w",
                       cmdline="alloc=buddy")
        finally:
            labrun.session, labrun._Booter = saved
        self.assertEqual(seen, [(["c1", "c2"], ["quiet=1", "alloc=buddy", "seed=5"])])

    def test_make_variable(self):
        top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for var, want in (("CHALLENGES=1", True), ("CHALLENGES=0", False), ("X=1", False)):
            p = subprocess.run(["make", "-s", "-n", "-C", top, "grade-lab2", var],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            cmd = p.stdout.decode().strip().splitlines()[-1]
            self.assertIn("grade/grade.py lab2", cmd)
            self.assertEqual("--challenges" in cmd.split(), want,
                             "make grade-lab2 %s runs: %s" % (var, cmd))

    def test_class_runs_refuse_challenges(self):
        p = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "grade.py"),
                            "lab2", "--challenges", "--submissions", "."],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--challenges grades one tree", p.stdout.decode())


if __name__ == "__main__":
    unittest.main()
