#!/usr/bin/env python3
"""test_protocol_spec.py: docs/protocol.md is the contract: the grader's parser takes its examples as documented, and a real kernel's lines match its grammar."""
import os
import re
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import disk       # noqa: E402
import labrun     # noqa: E402
import linetag    # noqa: E402
import protocol   # noqa: E402
import runner     # noqa: E402

SPEC = os.path.join(ROOT, "docs", "protocol.md")
BOOT_LAB = "lab1"            # every kernel runs the same ktest.c; lab 1 boots fastest
BOOT_TIMEOUT = 60            # generous: the machine may be loaded


def read_spec():
    """(grammar {NAME: compiled regex}, [(line, expect)]) from docs/protocol.md."""
    with open(SPEC) as f:
        text = f.read()
    grammar = {}
    table = text.split("<!-- grammar:", 1)[1].split("\n\n", 1)[0]
    for row in table.splitlines():
        m = re.match(r"^\| ([A-Z]+) \| `(.+)` \| .* \|$", row)
        if m:
            grammar[m.group(1)] = re.compile(m.group(2))
    block = text.split("<!-- examples -->", 1)[1].split("```", 2)[1]
    examples, line = [], None
    for row in block.splitlines():
        if row.startswith("line: "):
            line = row[len("line: "):]
        elif row.startswith("expect: "):
            examples.append((line, row[len("expect: "):]))
    return grammar, examples


def kind_of(grammar, body):
    """The grammar row whose form matches BODY entirely, or None."""
    for name, rx in grammar.items():
        if rx.fullmatch(body):
            return name
    return None


class Spec(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.grammar, cls.examples = read_spec()

    def test_spec_is_readable(self):
        self.assertEqual(set(self.grammar), {"START", "RUN", "PASS", "FAIL", "DONE",
                                             "METRIC", "TRACE", "PANIC"},
                         "docs/protocol.md: the grammar table lost or gained a row")
        self.assertGreaterEqual(len(self.examples), 7, "docs/protocol.md: examples missing")

    def test_examples_follow_the_grammar(self):
        for line, expect in self.examples:
            self.assertEqual(kind_of(self.grammar, line), expect.split()[0],
                             "docs/protocol.md example %r is not a %s line by the grammar"
                             % (line, expect.split()[0]))

    def test_parser_reads_the_examples_as_documented(self):
        """Feed the examples in order to the grader's parser; after each line the
        parser's state must say what the example's `expect:` says."""
        p = protocol.BootParser()
        for line, expect in self.examples:
            p.feed(line + "\n")
            kind, *args = expect.split(" ", 1)[0], *expect.split(" ")[1:]
            if kind == "START":
                self.assertTrue(p.started)
                self.assertEqual(p.start_count, int(args[1]), line)
            elif kind == "RUN":
                self.assertEqual(p.current, args[0], line)
            elif kind == "PASS":
                self.assertEqual(p.results[args[0]].verdict, protocol.OK, line)
            elif kind == "FAIL":
                res = p.results[args[0]]
                self.assertEqual(res.verdict, protocol.FAIL, line)
                self.assertEqual(res.reason, [expect.split(" ", 2)[2]], line)
            elif kind == "METRIC":
                m = p.metrics[-1]
                self.assertEqual((m.name, m.value, m.unit), tuple(args), line)
            elif kind == "TRACE":
                self.assertEqual(p.traces[-1], expect.split(" ", 1)[1], line)
            elif kind == "DONE":
                self.assertEqual(p.done, (int(args[1]), int(args[2])), line)
            else:
                self.fail("docs/protocol.md: unknown expectation %r" % expect)

    def test_tagged_lines_need_the_key(self):
        """A documented line with a valid tag is believed; the same line with a
        tag under another key, or out of sequence, is not."""
        key, other = linetag.new_key(), linetag.new_key()
        good = linetag.tag(key, 0, "KTEST START lab2 14")
        p = protocol.BootParser(key=key)
        p.feed(good + "\n")
        self.assertTrue(p.started)
        for bad in (linetag.tag(other, 0, "KTEST START lab2 14"),
                    linetag.tag(key, 5, "KTEST START lab2 14"), "KTEST START lab2 14"):
            p = protocol.BootParser(key=key)
            p.feed(bad + "\n")
            self.assertFalse(p.started, "parser believed %r" % bad)
            self.assertTrue(p.integrity)


class KernelSide(unittest.TestCase):
    """Boot a real kernel with a key and every test and benchmark, and hold each
    protocol line it prints to the grammar and the tag format."""

    def test_kernel_lines_match_the_grammar(self):
        grammar, _ = read_spec()
        build = os.path.join(ROOT, "build", BOOT_LAB)
        if not os.path.exists(os.path.join(build, "disk.img")):
            self.fail("build/%s/disk.img is missing: run make build-%s first"
                      % (BOOT_LAB, BOOT_LAB))
        key = linetag.new_key()
        seen = {}
        for cmdline in ("test=* ktrace " + linetag.key_word(key),
                        "bench=* " + linetag.key_word(key)):
            lines = self.boot(build, cmdline, key)
            seq = 0
            for line in lines:
                starts = [i for i in (line.find("KTEST "), line.find("KMETRIC "),
                                      line.find("KTRACE ")) if i >= 0]
                if not starts:
                    continue
                text = line[min(starts):].rstrip()
                body, got, problem = linetag.check(key, text)
                self.assertIsNone(problem, "kernel line %r: bad tag: %s" % (text, problem))
                self.assertEqual(got, seq, "kernel line %r: sequence number" % text)
                seq += 1
                kind = kind_of(grammar, body)
                self.assertIsNotNone(kind, "kernel line %r matches no row of the grammar "
                                     "in docs/protocol.md" % body)
                seen[kind] = seen.get(kind, 0) + 1
        for kind in ("START", "RUN", "PASS", "DONE", "METRIC", "TRACE"):
            self.assertIn(kind, seen, "the kernel printed no %s line" % kind)

    def boot(self, build, cmdline, key):
        boot_img, data = disk.lab_images(build)
        with tempfile.TemporaryDirectory(prefix="stepos-protocol-") as tmp:
            boot_img, data = disk.copy_images(boot_img, data, tmp, cmdline)
            launch = labrun.launch_for("qemu", boot_img, data, tmp)
            tmo = runner.Timeouts(boot=BOOT_TIMEOUT, test=BOOT_TIMEOUT)
            outcome, end = runner.boot_once(launch, tmo, key=key)
        self.assertIsNotNone(outcome.parser.done, "%s: the kernel did not finish (%s)"
                             % (cmdline.split()[0], end.kind))
        return outcome.parser.lines


if __name__ == "__main__":
    r = unittest.main(exit=False, verbosity=1).result
    failed = len(r.failures) + len(r.errors)
    print("protocol-spec: %d passed, %d failed" % (r.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
