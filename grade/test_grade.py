"""test_grade.py: unit tests of the grader's parser, verdicts and reboot logic on canned serial logs."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import integrity  # noqa: E402
import linetag   # noqa: E402
import protocol  # noqa: E402
import session   # noqa: E402
from protocol import (BOOT_FAIL, FAIL, OK, PANIC, TIMEOUT, TRIPLE_FAULT, End,  # noqa: E402
                      parse_log)
from test_grade_io import *  # noqa: E402,F401,F403  (runner, rubric, image, report tests)
from test_linetag import *  # noqa: E402,F401,F403  (SipHash vectors, the C twin, key words)
from test_integrity_scan import *  # noqa: E402,F401,F403  (the --pristine integrity scan)
from test_challenges import *  # noqa: E402,F401,F403  (challenge sections: never counted)
from test_isolation import *  # noqa: E402,F401,F403  (rerun alone after a shared-boot failure)

GOOD = """StepOS lab1-boot
KTEST START lab1 3
KTEST RUN alpha
KTEST PASS alpha
KTEST RUN beta
KTEST FAIL beta lab1-boot/tests_x.c:42: expected 1, got 2
KTEST RUN gamma
KMETRIC yield_cycles 312 cycles
KTEST PASS gamma
KTEST DONE lab1: 2 passed, 1 failed
"""

PANIC_LOG = """StepOS lab1-boot
KTEST START lab1 3
KTEST RUN alpha
KTEST PASS alpha
KTEST RUN beta
some output of beta
KPANIC lab1-boot/tests_x.c:50 ktest_fn_beta: boom
  eax=00000001 ebx=00000000
  #0 0x00101234 ktest_fn_beta+0x14
"""


def sign(text, key, first=0):
    """TEXT with every KTEST/KMETRIC line tagged under KEY as an honest
    kernel would (sequence numbers from FIRST)."""
    out, seq = [], first
    for line in text.split("\n"):
        k = max(line.find("KTEST "), line.find("KMETRIC "))
        if k >= 0:
            line = line[:k] + linetag.tag(key, seq, line[k:])
            seq += 1
        out.append(line)
    return "\n".join(out)


def parse_keyed(text, key, end=None):
    p = protocol.BootParser(key)
    for line in text.splitlines():
        p.feed(line)
    return p.finish(end or End("exit", status=1))


def feed(lines, times=None):
    p = protocol.BootParser()
    for i, l in enumerate(lines):
        p.feed(l, times[i] if times else float(i))
    return p


class ParserTest(unittest.TestCase):
    def test_all_lines(self):
        out = parse_log(GOOD)
        self.assertTrue(out.finished)
        self.assertEqual(out.results["alpha"].verdict, OK)
        self.assertEqual(out.results["beta"].verdict, FAIL)
        self.assertEqual(out.results["beta"].reason,
                         ["lab1-boot/tests_x.c:42: expected 1, got 2"])
        self.assertEqual(out.results["gamma"].verdict, OK)
        self.assertEqual(out.ran, ["alpha", "beta", "gamma"])
        self.assertEqual(out.parser.done, (2, 1))
        self.assertEqual(out.parser.banner, "StepOS lab1-boot")
        m = out.parser.metrics[0]
        self.assertEqual((m.name, m.value, m.unit, m.test),
                         ("yield_cycles", "312", "cycles", "gamma"))
        self.assertIsNone(out.failure)

    def test_durations_from_line_times(self):
        p = feed(["StepOS x", "KTEST START x 1", "KTEST RUN a", "KTEST PASS a"],
                 [0.0, 0.1, 1.0, 3.5])
        self.assertAlmostEqual(p.results["a"].duration, 2.5)

    def test_crlf_and_stray_bytes(self):
        out = parse_log("  \x00 StepOS lab1-boot\r\nKTEST START lab1 1\r\n"
                        "KTEST RUN a\r\nKTEST PASS a\r\nKTEST DONE lab1: 1 passed, 0 failed\r\n")
        self.assertEqual(out.parser.banner, "StepOS lab1-boot")
        self.assertEqual(out.results["a"].verdict, OK)
        self.assertTrue(out.finished)

    def test_protocol_line_after_unterminated_output(self):
        out = parse_log("StepOS x\nKTEST START x 1\nKTEST RUN a\nhello KTEST PASS a\n"
                        "KTEST DONE x: 1 passed, 0 failed\n")
        self.assertEqual(out.results["a"].verdict, OK)

    def test_truncated_done_line(self):
        out = parse_log("StepOS x\nKTEST START x 1\nKTEST RUN a\nKTEST PASS a\nKTEST DONE x: 1 pa")
        self.assertTrue(out.finished)

    def test_test_output_is_recorded(self):
        out = parse_log(PANIC_LOG)
        self.assertEqual(out.parser.test_lines["beta"][0], "some output of beta")

    def test_panic_in_test(self):
        out = parse_log(PANIC_LOG)
        self.assertFalse(out.finished)
        self.assertEqual(out.crashed, "beta")
        r = out.results["beta"]
        self.assertEqual(r.verdict, PANIC)
        self.assertEqual(r.reason[0], "KPANIC lab1-boot/tests_x.c:50 ktest_fn_beta: boom")
        self.assertIn("  #0 0x00101234 ktest_fn_beta+0x14", r.reason)
        self.assertEqual(out.results["alpha"].verdict, OK)

    def test_panic_before_tests(self):
        out = parse_log("StepOS x\nKPANIC lab1-boot/kmain.c:10 kmain: no memory\n  eax=0\n")
        self.assertEqual(out.results, {})
        self.assertEqual(out.failure.verdict, PANIC)
        self.assertIn("before the tests started", out.failure.reason[0])
        self.assertIn("  eax=0", out.failure.reason)

    def test_panic_between_tests(self):
        out = parse_log("StepOS x\nKTEST START x 2\nKTEST RUN a\nKTEST PASS a\n"
                        "KPANIC k.c:1 f: late\n")
        self.assertEqual(out.failure.verdict, PANIC)
        self.assertIn("outside any test", out.failure.reason[0])
        self.assertIsNone(out.crashed)

    def test_timeout_names_test_and_tail(self):
        lines = ["StepOS x", "KTEST START x 2", "KTEST RUN a"] + ["line %d" % i for i in range(20)]
        p = feed(lines)
        out = p.finish(End("timeout", t=30.0, limit=5.0))
        r = out.results["a"]
        self.assertEqual(r.verdict, TIMEOUT)
        self.assertIn("test a was still running", r.reason[0])
        self.assertIn("5.0s", r.reason[0])
        self.assertIn("  | line 19", r.reason)
        self.assertNotIn("  | line 5", r.reason)        # only the last lines
        self.assertEqual(out.crashed, "a")

    def test_triple_fault_in_test(self):
        p = feed(["StepOS x", "KTEST START x 1", "KTEST RUN exc"])
        out = p.finish(End("exit", t=1.0, status=0, triple_fault=True))
        self.assertEqual(out.results["exc"].verdict, TRIPLE_FAULT)

    def test_poweroff_status_two_is_panic(self):
        p = feed(["StepOS x", "KTEST START x 1", "KTEST RUN a"])
        out = p.finish(End("exit", t=1.0, status=5, poweroff=2))
        self.assertEqual(out.results["a"].verdict, PANIC)

    def test_unexpected_poweroff_in_test_is_fail(self):
        p = feed(["StepOS x", "KTEST START x 1", "KTEST RUN a"])
        out = p.finish(End("exit", t=1.0, status=1, poweroff=0))
        self.assertEqual(out.results["a"].verdict, FAIL)
        self.assertIn("powered off", out.results["a"].reason[0])

    def test_boot_error_line(self):
        out = parse_log("BOOT ERROR: disk read failed (status 0x01)\n")
        self.assertEqual(out.failure.verdict, BOOT_FAIL)
        self.assertEqual(out.failure.reason[0], "BOOT ERROR: disk read failed (status 0x01)")

    def test_no_banner_timeout(self):
        p = feed([])
        out = p.finish(End("timeout", t=10.0, limit=10.0))
        self.assertEqual(out.failure.verdict, BOOT_FAIL)
        self.assertIn("no 'StepOS' banner within 10.0s", out.failure.reason[0])

    def test_banner_but_no_start(self):
        out = feed(["StepOS x", "monitor"]).finish(End("timeout", t=10.0, limit=10.0))
        self.assertEqual(out.failure.verdict, BOOT_FAIL)
        self.assertIn("no KTEST START", out.failure.reason[0])

    def test_triple_fault_before_banner_is_boot_fail(self):
        out = feed([]).finish(End("exit", t=0.1, status=0, triple_fault=True))
        self.assertEqual(out.failure.verdict, BOOT_FAIL)
        self.assertIn("triple fault", out.failure.reason[0])

    def test_triple_fault_after_banner(self):
        out = feed(["StepOS x"]).finish(End("exit", t=0.1, status=0, triple_fault=True))
        self.assertEqual(out.failure.verdict, TRIPLE_FAULT)

    def test_missing_result_before_next_run(self):
        out = parse_log("StepOS x\nKTEST START x 2\nKTEST RUN a\nKTEST RUN b\nKTEST PASS b\n"
                        "KTEST DONE x: 1 passed, 0 failed\n")
        self.assertEqual(out.results["a"].verdict, FAIL)
        self.assertEqual(out.results["b"].verdict, OK)

    def test_duplicate_name_keeps_the_failure(self):
        out = parse_log("StepOS x\nKTEST START x 2\nKTEST RUN a\nKTEST FAIL a t.c:1: no\n"
                        "KTEST RUN a\nKTEST PASS a\nKTEST DONE x: 1 passed, 1 failed\n")
        self.assertEqual(out.results["a"].verdict, FAIL)

    def test_done_ignores_exit_status(self):
        out = protocol.parse_log(GOOD, End("exit", status=0, triple_fault=True))
        self.assertTrue(out.finished)
        self.assertIsNone(out.failure)


KEY = "000102030405060708090a0b0c0d0e0f"
OTHER_KEY = "f0e0d0c0b0a090807060504030201000"


class KeyedParserTest(unittest.TestCase):
    """A boot with a key believes only tagged lines in sequence."""

    def verdicts(self, out):
        return {n: r.verdict for n, r in out.results.items()}

    def test_valid_tags_read_as_untagged(self):
        out = parse_keyed(sign(GOOD, KEY), KEY)
        self.assertEqual(self.verdicts(out), self.verdicts(parse_log(GOOD)))
        self.assertEqual(out.results["beta"].reason,
                         ["lab1-boot/tests_x.c:42: expected 1, got 2"])
        self.assertEqual(out.parser.done, (2, 1))
        self.assertEqual(out.parser.metrics[0].unit, "cycles")
        self.assertEqual(out.parser.integrity, [])

    def test_missing_tag_when_a_key_was_given(self):
        out = parse_keyed(GOOD, KEY)
        self.assertEqual(out.results, {})
        self.assertIsNotNone(out.failure)            # no believable KTEST START
        self.assertEqual(len(out.parser.integrity), 9)  # 8 KTEST lines + 1 KMETRIC
        self.assertTrue(all(integrity.is_flag(f) and "no tag" in f
                            for f in out.parser.integrity))
        self.assertEqual(out.parser.metrics, [])

    def test_forged_pass_for_a_test_that_did_not_run(self):
        text = sign(GOOD, KEY).replace("KTEST DONE", "KTEST PASS delta\nKTEST DONE")
        out = parse_keyed(text, KEY)
        self.assertNotIn("delta", out.results)
        self.assertTrue(out.finished)                # the genuine lines still count
        self.assertEqual(out.results["gamma"].verdict, OK)
        self.assertEqual(len(out.parser.integrity), 1)
        self.assertIn("KTEST PASS delta", out.parser.integrity[0])

    def test_wrong_tag(self):
        good = sign(GOOD, KEY)
        forged = good.replace("KTEST FAIL beta lab1-boot/tests_x.c:42: expected 1, got 2",
                              "KTEST PASS beta")      # tag of the FAIL line kept
        out = parse_keyed(forged, KEY)
        self.assertEqual(out.results["beta"].verdict, FAIL)   # ran, no believable result
        self.assertIn("wrong tag", out.parser.integrity[0])
        lines = good.splitlines()
        i = [n for n, l in enumerate(lines) if "PASS alpha" in l][0]
        lines[i] = lines[i][:-1] + ("1" if lines[i][-1] == "0" else "0")
        self.assertNotEqual(parse_keyed("\n".join(lines), KEY).results["alpha"].verdict, OK)

    def test_line_replayed_from_an_earlier_boot(self):
        old = sign(GOOD, OTHER_KEY)
        self.assertEqual(parse_keyed(old, KEY).results, {})
        replay = [l for l in old.splitlines() if "PASS alpha" in l][0]
        text = sign(log_of(["beta"]), KEY).replace("KTEST DONE", replay + "\nKTEST DONE")
        out = parse_keyed(text, KEY)
        self.assertEqual(self.verdicts(out), {"beta": OK})
        self.assertIn("wrong tag", out.parser.integrity[0])

    def test_line_replayed_within_the_boot(self):
        lines = sign(log_of(["a", "b"]), KEY).splitlines()
        pass_a = [l for l in lines if "PASS a" in l][0]
        lines.insert(lines.index([l for l in lines if "RUN b" in l][0]) + 1, pass_a)
        out = parse_keyed("\n".join(lines), KEY)
        self.assertEqual(self.verdicts(out), {"a": OK, "b": OK})
        self.assertEqual(len(out.parser.integrity), 1)
        self.assertIn("sequence number 2 where 4 was due", out.parser.integrity[0])

    def test_out_of_order_sequence(self):
        lines = sign(log_of(["a", "b"]), KEY).splitlines()   # banner, START=0, RUN a=1 ...
        lines[2], lines[3] = lines[3], lines[2]              # PASS a before RUN a
        out = parse_keyed("\n".join(lines), KEY)
        self.assertNotIn("b", out.results)           # nothing after the break is believed
        self.assertFalse(out.finished)
        self.assertIn("sequence number 2 where 1 was due", out.parser.integrity[0])

    def test_no_key_no_checks(self):
        out = parse_log(sign(GOOD, KEY).replace("KTEST PASS alpha", "KTEST PASS alpha0"))
        self.assertEqual(out.parser.integrity, [])


class FakeBoots:
    """Plays canned logs as boots, tagged under each boot's key as an honest
    kernel would (SIGN false: as written); records the command lines it was
    given, without their ktkey= word, and the keys."""

    def __init__(self, logs, sign=True):
        self.logs = list(logs)
        self.cmdlines, self.keys, self.texts, self.full = [], [], [], []
        self.sign = sign

    def __call__(self, cmdline, chunk):
        key = linetag.key_of(cmdline)
        self.keys.append(key)
        self.full.append(cmdline)
        self.cmdlines.append(" ".join(w for w in cmdline.split()
                                      if not w.startswith(linetag.KEY_NAME + "=")))
        text, end = self.logs.pop(0)
        if self.sign and key is not None:
            text = sign(text, key)
        self.texts.append(text)
        return parse_keyed(text, key, end)


def log_of(tests, crash_at=None, crash="KPANIC t.c:1 f: boom\n  bt\n"):
    out = "StepOS x\nKTEST START x %d\n" % len(tests)
    for t in tests:
        out += "KTEST RUN %s\n" % t
        if t == crash_at:
            return out + crash
        out += "KTEST PASS %s\n" % t
    return out + "KTEST DONE x: %d passed, 0 failed\n" % len(tests)


class SessionTest(unittest.TestCase):
    def test_every_boot_gets_a_fresh_key(self):
        boots = FakeBoots([(log_of(["a", "b", "c"], crash_at="b"), None),
                           (log_of(["c"]), None)])
        res = session.run_tests(["a", "b", "c"], boots, extra=["seed=4"])
        self.assertEqual(boots.cmdlines, ["test=a,b,c seed=4", "test=c seed=4"])
        self.assertEqual(len(set(boots.keys)), 2)
        self.assertTrue(all(len(k) == linetag.KEY_HEX for k in boots.keys))
        self.assertTrue(boots.full[0].endswith(" ktkey=" + boots.keys[0]))
        self.assertEqual([res.results[n].verdict for n in "abc"], [OK, PANIC, OK])
        self.assertEqual(res.integrity, [])

    def test_second_boot_replaying_the_first_gets_nothing(self):
        boots = FakeBoots([(log_of(["a", "b"], crash_at="a"), None)])

        def boot(cmdline, chunk):
            if boots.texts:             # replay boot 1's tagged lines, then PASS
                key = linetag.key_of(cmdline)
                boots.keys.append(key)
                text = boots.texts[0].split("KPANIC")[0] + "KTEST PASS b\n"
                return parse_keyed(text, key)
            return boots(cmdline, chunk)
        res = session.run_tests(["a", "b"], boot)
        self.assertEqual(res.results["a"].verdict, PANIC)
        self.assertNotEqual(res.results["b"].verdict, OK)
        self.assertTrue(res.integrity)
        self.assertTrue(all(integrity.is_flag(f) for f in res.integrity))
        self.assertTrue(res.integrity[0].startswith("INTEGRITY: boot 2: ignored"))

    def test_without_key(self):
        boots = FakeBoots([(log_of(["a"]), None)])
        session.run_tests(["a"], boots, key=False)
        self.assertEqual(boots.full, ["test=a"])

    def test_one_boot_when_all_pass(self):
        boots = FakeBoots([(log_of(["a", "b", "c"]), None)])
        res = session.run_tests(["a", "b", "c"], boots, extra=["seed=4"])
        self.assertEqual(boots.cmdlines, ["test=a,b,c seed=4"])
        self.assertEqual({n: r.verdict for n, r in res.results.items()},
                         {"a": OK, "b": OK, "c": OK})

    def test_reboot_after_panic_runs_only_the_rest(self):
        boots = FakeBoots([(log_of(["a", "b", "c", "d"], crash_at="b"), None),
                           (log_of(["c", "d"]), None)])
        res = session.run_tests(["a", "b", "c", "d"], boots)
        self.assertEqual(boots.cmdlines, ["test=a,b,c,d", "test=c,d"])
        self.assertEqual([res.results[n].verdict for n in "abcd"], [OK, PANIC, OK, OK])
        self.assertEqual(len(res.boots), 2)

    def test_each_crash_costs_one_test(self):
        t_end = End("timeout", t=9, limit=5)
        boots = FakeBoots([(log_of(list("abc"), crash_at="a", crash=""), t_end),
                           (log_of(list("bc"), crash_at="b", crash=""),
                            End("exit", status=0, triple_fault=True)),
                           (log_of(["c"]), None)])
        res = session.run_tests(list("abc"), boots)
        self.assertEqual([res.results[n].verdict for n in "abc"], [TIMEOUT, TRIPLE_FAULT, OK])

    def test_no_progress_gives_failure_to_all(self):
        boots = FakeBoots([("", End("timeout", t=10, limit=10))])
        res = session.run_tests(["a", "b"], boots)
        self.assertEqual([res.results[n].verdict for n in "ab"], [BOOT_FAIL, BOOT_FAIL])
        self.assertEqual(len(boots.cmdlines), 1)

    def test_second_boot_panics_early(self):
        boots = FakeBoots([(log_of(list("abc"), crash_at="a"), None),
                           ("StepOS x\nKPANIC k.c:1 f: nope\n", None)])
        res = session.run_tests(list("abc"), boots)
        self.assertEqual([res.results[n].verdict for n in "abc"], [PANIC, PANIC, PANIC])
        self.assertIn("before the tests started", res.results["b"].reason[0])

    def test_unknown_test_is_not_run(self):
        boots = FakeBoots([(log_of(["a"]), None)])
        res = session.run_tests(["a", "zz"], boots)
        self.assertEqual(res.results["zz"].verdict, FAIL)
        self.assertIn("not run", res.results["zz"].reason[0])

    def test_hang_between_tests_reboots(self):
        text = "StepOS x\nKTEST START x 3\nKTEST RUN a\nKTEST PASS a\n"
        boots = FakeBoots([(text, End("timeout", t=9, limit=5)), (log_of(["b", "c"]), None)])
        res = session.run_tests(list("abc"), boots)
        self.assertEqual([res.results[n].verdict for n in "abc"], [OK, OK, OK])
        self.assertEqual(boots.cmdlines[1], "test=b,c")
        self.assertTrue(res.notes)

    def test_long_lists_are_split_to_fit(self):
        names = ["test_number_%03d_with_a_long_name" % i for i in range(40)]
        chunk = session.pack(names, ["seed=1"])
        line = session.build_cmdline(chunk, ["seed=1"])
        self.assertLessEqual(len(line), session.CMDLINE_MAX)
        self.assertLess(len(chunk), len(names))
        self.assertGreater(len(session.build_cmdline(names[:len(chunk) + 1], ["seed=1"])),
                           session.CMDLINE_MAX)
        boots = FakeBoots([])

        def boot(cmdline, chunk):       # an honest kernel running exactly CHUNK
            boots.logs.append((log_of(chunk), None))
            return boots(cmdline, chunk)
        res = session.run_tests(names, boot)
        self.assertTrue(all(r.verdict == OK for r in res.results.values()))
        self.assertGreater(len(boots.full), 1)
        self.assertTrue(all(len(c) <= session.CMDLINE_MAX for c in boots.full))
        self.assertEqual(len(set(boots.keys)), len(boots.keys))   # one key per boot
        self.assertEqual(len(res.results), 40)


if __name__ == "__main__":
    unittest.main()
