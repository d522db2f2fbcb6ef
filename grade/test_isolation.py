#!/usr/bin/env python3
"""test_isolation.py: the rerun-alone of failed tests (isolation.py) on fake kernels: what is said, what is never changed, how many boots."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import integrity  # noqa: E402
import isolation  # noqa: E402
import linetag    # noqa: E402
import session    # noqa: E402
from protocol import FAIL, OK, PANIC, BootParser, End  # noqa: E402


class FakeKernel:
    """Runs the tests of test=... in order. DAMAGES maps a test to the tests
    that fail when it ran earlier in the same boot; BROKEN tests always fail;
    PANICS tests panic."""

    def __init__(self, damages=None, broken=(), panics=()):
        self.damages, self.broken, self.panics = damages or {}, set(broken), set(panics)
        self.cmdlines = []

    def __call__(self, cmdline, chunk):
        self.cmdlines.append(" ".join(w for w in cmdline.split() if not w.startswith("ktkey=")))
        log = ["StepOS x", "KTEST START x %d" % len(chunk)]
        done = []
        for t in chunk:
            log.append("KTEST RUN %s" % t)
            if t in self.panics:
                log += ["KPANIC t.c:1 f: boom", "  bt"]
                break
            if t in self.broken or any(t in self.damages.get(d, ()) for d in done):
                log.append("KTEST FAIL %s t.c:9: wrong" % t)
            else:
                log.append("KTEST PASS %s" % t)
            done.append(t)
        else:
            log.append("KTEST DONE x: 0 passed, 0 failed")
        p = BootParser()
        for line in log:
            p.feed(line)
        return p.finish(End("exit", status=1))


def shared_run(kernel, tests):
    sess = session.run_tests(tests, kernel, key=False)
    kernel.cmdlines.clear()
    return sess


class RerunAloneTest(unittest.TestCase):
    def test_damage_by_an_earlier_test_is_found_by_bisection_and_verdict_kept(self):
        k = FakeKernel(damages={"b": ["d"]})
        sess = shared_run(k, list("abcd"))
        self.assertEqual(sess.results["d"].verdict, FAIL)
        notes, boots = isolation.rerun(sess, k, [])
        text = "\n".join(sess.results["d"].reason)
        self.assertIn("FAIL in the shared run, PASS alone: an earlier test left the kernel "
                      "damaged; tests run before it: a, b, c", text)
        self.assertIn("most likely b: the test fails when run after b", text)
        self.assertIn("replay: test=b,c,d", text)
        self.assertEqual(sess.results["d"].verdict, FAIL,
                         "a rerun must never change the verdict (the score must not rise)")
        self.assertEqual(sess.results["d"].reason[0], "t.c:9: wrong",
                         "the first reason line (what failures are grouped by) stays first")
        self.assertEqual(k.cmdlines, ["test=d", "test=b,c,d", "test=c,d"])
        self.assertEqual((boots, notes), (3, []))

    def test_without_boots_left_a_failed_earlier_test_is_the_guess(self):
        k = FakeKernel(damages={"b": ["d"]}, broken=["b"])
        sess = shared_run(k, list("abcd"))
        isolation.rerun(sess, k, [], max_reruns=2)
        text = "\n".join(sess.results["d"].reason)
        # boot 1: b alone (its own bug); boot 2: d alone; no boot left to bisect
        self.assertEqual(k.cmdlines, ["test=b", "test=d"])
        self.assertIn("most likely b (it failed too and may not have cleaned up; a guess", text)
        self.assertIn("FAIL as well", "\n".join(sess.results["b"].reason))

    def test_bisection_stopped_by_the_budget_narrows_down(self):
        k = FakeKernel(damages={"b": ["z"]})
        tests = list("abcdefgh") + ["z"]
        sess = shared_run(k, tests)
        isolation.rerun(sess, k, [], max_reruns=2)
        self.assertEqual(k.cmdlines, ["test=z", "test=e,f,g,h,z"])
        self.assertIn("most likely one of a, b, c, d (narrowed down",
                      "\n".join(sess.results["z"].reason))

    def test_own_bug_says_as_well(self):
        k = FakeKernel(broken=["c"])
        sess = shared_run(k, list("abc"))
        isolation.rerun(sess, k, ["seed=3"])
        self.assertEqual(k.cmdlines, ["test=c seed=3"])
        self.assertIn("FAIL as well: not caused by an earlier test",
                      sess.results["c"].reason[-1])

    def test_first_test_of_its_boot_is_not_rerun(self):
        k = FakeKernel(broken=["a"])
        sess = shared_run(k, list("abc"))
        self.assertEqual(isolation.rerun(sess, k, []), ([], 0))
        self.assertEqual(k.cmdlines, [], "a test that ran first already ran alone")

    def test_test_after_a_panic_reboot_is_first_of_its_boot(self):
        k = FakeKernel(panics=["b"], broken=["c"])
        sess = shared_run(k, list("abc"))
        self.assertEqual(sess.results["b"].verdict, PANIC)
        # b was second in boot 1: rerun; c was first in boot 2: not rerun
        isolation.rerun(sess, k, [])
        self.assertEqual(k.cmdlines, ["test=b"])

    def test_many_failures_skip_reruns(self):
        k = FakeKernel(broken=list("bcde"))
        sess = shared_run(k, list("abcde"))
        notes, boots = isolation.rerun(sess, k, [])
        self.assertEqual((boots, k.cmdlines), (0, []))
        self.assertIn("skipped, 4 tests failed", notes[0])

    def test_reruns_are_bounded(self):
        k = FakeKernel(damages={"a": list("bcd")})
        sess = shared_run(k, list("abcd"))
        notes, boots = isolation.rerun(sess, k, [], max_reruns=2)
        self.assertEqual(k.cmdlines, ["test=b", "test=c"])
        self.assertEqual(boots, len(k.cmdlines))
        self.assertTrue(any("budget" in n for n in notes), notes)
        self.assertTrue(all(r.verdict == FAIL for n, r in sess.results.items() if n != "a"))

    def test_forged_rerun_is_flagged_and_changes_nothing(self):
        """A kernel that prints its own untagged PASS in the rerun boot: the
        line is not believed, it is an INTEGRITY finding, the verdict stays."""
        k = FakeKernel(broken=["c"])
        sess = shared_run(k, list("abc"))

        def forger(cmdline, chunk):
            p = BootParser(key=linetag.key_of(cmdline))
            for line in ["StepOS x", "KTEST START x 1", "KTEST RUN c", "KTEST PASS c",
                         "KTEST DONE x: 1 passed, 0 failed"]:
                p.feed(line)
            return p.finish(End("exit", status=1))
        found = []
        isolation.rerun(sess, forger, [], findings=found)
        self.assertTrue(found and all(integrity.is_flag(f) for f in found), found)
        self.assertEqual(sess.results["c"].verdict, FAIL)
        self.assertNotIn("PASS alone", "\n".join(sess.results["c"].reason))

    def test_passing_run_costs_nothing(self):
        k = FakeKernel()
        sess = shared_run(k, list("abc"))
        self.assertEqual(isolation.rerun(sess, k, []), ([], 0))
        self.assertTrue(all(r.verdict == OK for r in sess.results.values()))


if __name__ == "__main__":
    prog = unittest.main(exit=False, verbosity=1)
    r = prog.result
    failed = len(r.failures) + len(r.errors)
    print("test_isolation: %d passed, %d failed" % (r.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
