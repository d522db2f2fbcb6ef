#!/usr/bin/env python3
"""test_fail_fast.py: unit tests of grade.py --fail-fast (runner, session, labrun) and the proof, on real lab 2 mutants, that mutate.py's early verdicts equal full grading's."""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import unittest
from types import SimpleNamespace

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import emu                         # noqa: E402
import labrun                      # noqa: E402
import rubric                      # noqa: E402
import runner                      # noqa: E402
import session                     # noqa: E402
from protocol import FAIL, OK, PANIC, BootOutcome, BootParser, End, Result  # noqa: E402

SMOKE = "--smoke" in sys.argv


def outcome(results, finished=True, failure=None):
    """A BootOutcome with RESULTS {name: verdict}."""
    return BootOutcome(results={n: Result(v) for n, v in results.items()}, ran=list(results),
                       finished=finished, parser=BootParser(), failure=failure)


class SessionStop(unittest.TestCase):
    """session.run_tests(stop=...): no boot after a counted failure."""

    def booter(self, script):
        """BOOT(cmdline, chunk) answering boot k with SCRIPT[k](chunk)."""
        self.chunks = []

        def boot(cmdline, chunk):
            self.chunks.append(list(chunk))
            return script[len(self.chunks) - 1](chunk)
        return boot

    def test_counted_failure_stops_the_session(self):
        # boot 1 panics in b; without stop_after the session reboots for c, d
        crash = lambda chunk: outcome({"a": OK, "b": PANIC}, finished=False)
        rest = lambda chunk: outcome({t: OK for t in chunk})
        res = session.run_tests(["a", "b", "c", "d"], self.booter([crash, rest]), key=False,
                                stop=lambda rs: session.failed_any(rs, {"a", "b", "c", "d"}))
        self.assertEqual(len(self.chunks), 1, "no boot may follow a counted failure")
        self.assertEqual(res.results["b"].verdict, PANIC, "the failure found is kept as is")
        for t in ("c", "d"):
            self.assertEqual(res.results[t].reason, [session.NOT_RUN_FAIL_FAST],
                             "a test not run must say why, and fail")
            self.assertFalse(res.results[t].passed)

    def test_without_stop_after_every_test_runs(self):
        crash = lambda chunk: outcome({"a": OK, "b": PANIC}, finished=False)
        rest = lambda chunk: outcome({t: OK for t in chunk})
        res = session.run_tests(["a", "b", "c", "d"], self.booter([crash, rest]), key=False)
        self.assertEqual(len(self.chunks), 2)
        self.assertEqual({t: r.verdict for t, r in res.results.items()},
                         {"a": OK, "b": PANIC, "c": OK, "d": OK})

    def test_failure_worth_nothing_does_not_stop(self):
        # b is only read by a check (or worth 0 points): its failure loses no point
        crash = lambda chunk: outcome({"a": OK, "b": FAIL}, finished=False)
        rest = lambda chunk: outcome({t: OK for t in chunk})
        res = session.run_tests(["a", "b", "c"], self.booter([crash, rest]), key=False,
                                stop=lambda rs: session.failed_any(rs, {"a", "c"}))
        self.assertEqual(len(self.chunks), 2, "a failure that costs no point must not stop")
        self.assertEqual(res.results["c"].verdict, OK)

    def test_failed_any(self):
        rs = {"a": Result(OK), "b": Result(FAIL)}
        self.assertTrue(session.failed_any(rs, {"b"}))
        self.assertFalse(session.failed_any(rs, {"a", "z"}))


RUBRIC = """
    lab = "lab4"
    [[sections]]
    name = "base"
    tests = [ { name = "t1", points = 3 }, { name = "t2", points = 2 },
              { name = "k1", points = 1, check = "k1" }, { name = "k2", points = 1, check = "k2" } ]
    """


class LabRunStop(unittest.TestCase):
    """labrun.run(fail_fast=True): no check after a lost point; without it, all."""

    def run_lab(self, tests, checks, fail_fast):
        """Results of a run whose one boot gives TESTS {name: verdict} and whose
        checks give CHECKS {name: verdict}; self.checked lists the checks run."""
        d = tempfile.mkdtemp(prefix="stepos-ff-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", d]))
        os.makedirs(os.path.join(d, "lab4-threads"))
        open(os.path.join(d, "lab4-threads", "lab.mk"), "w").close()
        with open(os.path.join(d, "lab4-threads", "rubric.toml"), "w") as f:
            f.write(textwrap.dedent(RUBRIC))
        r = rubric.load(4, d)
        self.checked = []

        class Booter:
            notes, count, last_images = [], 0, (None, None)

            def __init__(self, *a):
                pass

            def boot(booter, cmdline, tmo, stop=None):
                self.booted = getattr(self, "booted", 0) + 1
                return outcome(tests)

        def check(rub, e, *a):
            self.checked.append(e.name)
            return Result(checks[e.name])
        saved = labrun._Booter, labrun._run_check
        labrun._Booter, labrun._run_check = Booter, check
        try:
            return labrun.run(r, r.entries, labrun.RunSpec("qemu"), "b", d, isolate=False,
                              fail_fast=fail_fast).results
        finally:
            labrun._Booter, labrun._run_check = saved

    def test_test_failure_skips_every_check(self):
        res = self.run_lab({"t1": FAIL, "t2": OK}, {"k1": OK, "k2": OK}, True)
        self.assertEqual(self.checked, [], "no check may run once a point is lost")
        self.assertEqual(res["k1"].reason, [session.NOT_RUN_FAIL_FAST])
        self.assertEqual(res["t1"].verdict, FAIL)

    def test_failing_check_skips_the_next(self):
        res = self.run_lab({"t1": OK, "t2": OK}, {"k1": FAIL, "k2": OK}, True)
        self.assertEqual(self.checked, ["k1"])
        self.assertEqual(res["k2"].reason, [session.NOT_RUN_FAIL_FAST])

    def test_a_point_lost_by_another_run_stops_this_one(self):
        lost = threading.Event()
        lost.set()      # another run (emulator x seed) of the same grading lost a point
        self.booted = 0
        res = self.run_lab({"t1": OK, "t2": OK}, {"k1": OK, "k2": OK}, lost)
        self.assertEqual((self.booted, self.checked), (0, []),
                         "no boot and no check once any run of the grading lost a point")
        self.assertEqual(res["t1"].reason, [session.NOT_RUN_FAIL_FAST])

    def test_a_lost_point_tells_the_other_runs(self):
        lost = threading.Event()
        self.run_lab({"t1": OK, "t2": OK}, {"k1": OK, "k2": FAIL}, lost)
        self.assertTrue(lost.is_set(), "a failed check worth points must tell the other runs")
        lost = threading.Event()
        self.run_lab({"t1": OK, "t2": PANIC}, {"k1": OK, "k2": OK}, lost)
        self.assertTrue(lost.is_set(), "a failed test worth points must tell the other runs")

    def test_without_fail_fast_every_check_runs(self):
        res = self.run_lab({"t1": FAIL, "t2": OK}, {"k1": FAIL, "k2": OK}, False)
        self.assertEqual(self.checked, ["k1", "k2"])
        self.assertEqual(res["k2"].verdict, OK)


class StoppedBoot(unittest.TestCase):
    """protocol: a boot the grader stopped attributes nothing more."""

    def test_stopped_boot_keeps_its_results_only(self):
        p = BootParser()
        for line in ["KTEST START lab9 3", "KTEST RUN a", "KTEST FAIL a broken", "KTEST RUN b"]:
            p.feed(line)
        out = p.finish(End("stopped", 1.0))
        self.assertEqual(set(out.results), {"a"},
                         "the test running when the grader stopped is not judged")
        self.assertIsNone(out.failure)
        self.assertEqual(out.results["a"].verdict, FAIL)
        # the same boot, had it timed out instead, blames b
        self.assertEqual(p.finish(End("timeout", 1.0, limit=5)).results["b"].verdict, "TIMEOUT")


class RunnerStop(unittest.TestCase):
    """runner.boot_once(stop=...) kills the emulator at the failing line."""

    def test_stop_kills_the_emulator_early(self):
        with tempfile.TemporaryDirectory() as d:
            serial = os.path.join(d, "serial.log")
            # a fake emulator: three protocol lines, then it would run 30 s and exit
            script = ("printf 'KTEST START lab9 2\\nKTEST RUN a\\nKTEST FAIL a x\\n' > %s; "
                      "exec sleep 30" % serial)
            launch = emu.Launch(kind="bochs", argv=["sh", "-c", script], serial=serial,
                                log=os.path.join(d, "bochs.log"))
            tmo = runner.Timeouts(boot=600, test=600)
            out, end = runner.boot_once(launch, tmo, stop=lambda p: session.failed_any(
                p.results, {"a"}))
            self.assertEqual(end.kind, "stopped", "the stop predicate must end the boot")
            self.assertEqual(out.results["a"].verdict, FAIL)


class MutantDetail(unittest.TestCase):
    """mutation_run.real_failure: a mutant's detail names real failures only."""

    def test_not_run_is_no_failure(self):
        import mutation_run as mrun
        nr = "[qemu seed=1] FAIL: " + session.NOT_RUN_FAIL_FAST
        self.assertIsNone(mrun.real_failure({"output": nr}))
        self.assertEqual(mrun.real_failure({"output": nr + "\n[qemu seed=2] PANIC: KPANIC x\n"
                                                   "  at 0x1234", "extra_data": {"verdict": "FAIL"}}),
                         "PANIC", "the verdict is the real failure's, not the first listed")
        self.assertEqual(mrun.real_failure({"output": "TIMEOUT: no result after 10.0s"}),
                         "TIMEOUT")
        self.assertIn(mrun.NOT_RUN, session.NOT_RUN_FAIL_FAST,
                      "mutation_run must recognise the grader's not-run reason")


class KillersFirst(unittest.TestCase):
    """mutation_history and build_and_grade(killers=...): the likely killers
    are graded first; full marks there and the mutant is graded as before."""

    class Args:
        timeout_scale, time_limit, no_fail_fast = 2, None, False

    def test_history_orders_and_persists(self):
        import mutation_history as mhist
        with tempfile.TemporaryDirectory() as d:
            h = mhist.History(d, [2])
            self.assertEqual(h.killers(2, "a.c"), [], "no history: no probe")
            h.record(2, "a.c", ["t_b", "t_a"])
            h.record(2, "a.c", ["t_b"])
            h.record(2, "b.c", ["t_z"])
            self.assertEqual(h.killers(2, "a.c"), ["t_b", "t_a"], "most kills first")
            self.assertEqual(h.killers(2, "c.c"), ["t_b", "t_a", "t_z"],
                             "a file without history gets the lab's killers")
            h.save()
            self.assertEqual(mhist.History(d, [2]).killers(2, "a.c"), ["t_b", "t_a"])
        self.assertEqual(mhist.first_failures("t1=FAIL t2=PANIC"), ["t1", "t2"])
        self.assertEqual(mhist.first_failures("no verdict after 60s"), [])

    def test_which_mutants_are_probed(self):
        import mutation_history as mhist
        import mutation_run as mrun
        with tempfile.TemporaryDirectory() as d:
            h = mhist.History(d, [6])
            h.record(6, "lab6-disk/ata.c", ["t1"])
            f = "lab6-disk/ata.c"
            self.assertEqual(mrun.killers_for(h, 6, f, "both", "auto"), ["t1"])
            self.assertEqual(mrun.killers_for(h, 6, f, "qemu", "auto"), [],
                             "auto probes only mutants graded on both emulators")
            self.assertEqual(mrun.killers_for(h, 6, f, "qemu", "always"), ["t1"])
            self.assertEqual(mrun.killers_for(h, 6, f, "both", "never"), [])
            self.assertEqual(mrun.killers_for(None, 6, f, "both", "always"), [])

    def grade(self, outcomes):
        """build_and_grade of a "both" mutant with killers k1, k2; OUTCOMES
        maps (emulator, probe?) to 'ok' or a failing test's name."""
        import mutation_run as mrun
        calls = []

        def run(cmd, cwd, timeout):
            emu = cmd[cmd.index("--emulator") + 1]
            probe = "k1" in cmd
            calls.append((emu, probe))
            what = outcomes[(emu, probe)]
            if what == "ok":
                return 0, ""
            with open(cmd[cmd.index("--json") + 1], "w") as f:
                json.dump({"tests": [{"name": what, "score": 0, "max_score": 4,
                                      "output": "FAIL: broken"}]}, f)
            return 1, ""
        saved = mrun.make, mrun._run
        mrun.make, mrun._run = (lambda tree, lab: (0, "")), run
        try:
            with tempfile.TemporaryDirectory() as d:
                got = mrun.build_and_grade("tree", 5, "both", self.Args(),
                                           os.path.join(d, "m.json"), 100, True, ["k1", "k2"])
        finally:
            mrun.make, mrun._run = saved
        return got, calls

    def test_probe_kill_ends_the_grading(self):
        got, calls = self.grade({("qemu", True): "k2"})
        self.assertEqual(got, ("points", "k2=FAIL"))
        self.assertEqual(calls, [("qemu", True)], "a probe kill needs no other run")

    def test_probe_full_marks_then_everything_as_before(self):
        got, calls = self.grade({("qemu", True): "ok", ("qemu", False): "ok",
                                 ("bochs", False): "ok"})
        self.assertEqual(got, ("ok", ""))
        self.assertEqual(calls, [("qemu", True), ("qemu", False), ("bochs", False)],
                         "a survivor is graded on the whole rubric on every emulator")
        got, calls = self.grade({("qemu", True): "ok", ("qemu", False): "ok",
                                 ("bochs", False): "t9"})
        self.assertEqual(got, ("points", "t9=FAIL"))


@unittest.skipUnless(SMOKE, "real mutants are graded with --smoke (make test)")
class EarlyVerdictEqualsFull(unittest.TestCase):
    """Real lab 2 mutants graded whole, fail-fast, and fail-fast with their
    likely killers first: the same verdicts, and every failure an early path
    reports is one the full grading reports."""

    # cfp_bitmap.c: a wrong mask (FAIL in many tests), a negated condition
    # (PANIC in one test, FAIL in others), a wrong sum (PANIC in most tests).
    IDS = ["7125a2c856d7", "720b6312031d", "eda51557582a"]

    def grade(self, d, name, extra):
        out = os.path.join(d, name + ".json")
        cmd = [sys.executable, os.path.join(HERE, "mutate.py"), "2", "-j", "1",
               "--json", out] + extra
        for i in self.IDS:
            cmd += ["--id", i]
        p = subprocess.run(cmd, capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
        with open(out) as f:
            return {m["id"]: m for m in json.load(f)["labs"]["lab2"]["mutants"]}

    def test_same_verdicts(self):
        with tempfile.TemporaryDirectory() as d:
            full = self.grade(d, "full", ["--no-fail-fast", "--killers-first", "never"])
            fast = self.grade(d, "fast", ["--killers-first", "never"])
            # with the history: the mutants after the first boot their killers first
            probed = self.grade(d, "probed", ["--killers-first", "always"])
        self.assertEqual(sorted(fast), sorted(self.IDS), "the mutant ids moved: update IDS")
        self.check(fast, full)
        self.check(probed, full)
        self.assertTrue(any(m.get("killers") for m in probed.values()),
                        "the history must give a later mutant its likely killers")

    def check(self, fast, full):
        for i in self.IDS:
            self.assertEqual(fast[i]["result"], full[i]["result"],
                             "%s: early and full grading must agree" % fast[i]["where"])
            if fast[i]["result"] == "killed":
                early = set(fast[i]["detail"].split())
                self.assertTrue(early and early <= set(full[i]["detail"].split()),
                                "%s: the early failures %s must be among the full run's %s"
                                % (fast[i]["where"], early, full[i]["detail"]))
        self.assertTrue(any(m["result"] == "killed" for m in fast.values()))


if __name__ == "__main__":
    if SMOKE:
        sys.argv.remove("--smoke")
    prog = unittest.main(exit=False, verbosity=1)
    r = prog.result
    failed = len(r.failures) + len(r.errors)
    print("test_fail_fast: %d passed, %d failed" % (r.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
