#!/usr/bin/env python3
"""test_handout.py: unit tests of tools/handout.py: malformed markers, KEEP_SOLUTIONS and ONLY, hidden tests left out."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import handout  # noqa: E402

C_REGION = ("int f(void)\n{\n    /* LAB %(n)d: TODO return the answer */\n"
            "    /* LAB %(n)d: BEGIN SOLUTION */\n    return 42;\n"
            "    /* LAB %(n)d: END SOLUTION */\n    return 0;\n}\n")
ASM_REGION = ("f:\n    ; LAB %(n)d: BEGIN SOLUTION\n    mov eax, 42\n"
              "    ; LAB %(n)d: END SOLUTION\n    ret\n")


class MarkerErrors(unittest.TestCase):
    def error(self, path, text):
        with self.assertRaises(handout.MarkerError) as cm:
            handout.regions(path, text.splitlines(keepends=True))
        return str(cm.exception)

    def test_begin_never_ends(self):
        msg = self.error("lab2-frames/a.c", "x\n/* LAB 2: BEGIN SOLUTION */\ny\n")
        self.assertIn("lab2-frames/a.c:2:", msg)
        self.assertIn("never ends", msg)

    def test_end_without_begin(self):
        msg = self.error("lab2-frames/a.c", "x\ny\n/* LAB 2: END SOLUTION */\n")
        self.assertIn("lab2-frames/a.c:3:", msg)
        self.assertIn("without a BEGIN", msg)

    def test_nested(self):
        msg = self.error("lab2-frames/a.c", "/* LAB 2: BEGIN SOLUTION */\n"
                         "/* LAB 2: BEGIN SOLUTION */\n/* LAB 2: END SOLUTION */\n")
        self.assertIn("lab2-frames/a.c:2:", msg)
        self.assertIn("inside the region opened at line 1", msg)

    def test_no_such_lab(self):
        msg = self.error("common/a.c", "/* LAB 9: BEGIN SOLUTION */\n/* LAB 9: END SOLUTION */\n")
        self.assertIn("common/a.c:1:", msg)
        self.assertIn("no such lab", msg)

    def test_marker_of_another_lab(self):
        msg = self.error("lab3-paging/a.c", "/* LAB 2: BEGIN SOLUTION */\n"
                         "/* LAB 2: END SOLUTION */\n")
        self.assertIn("lab3-paging/a.c:1:", msg)
        self.assertIn("LAB 2 marker in a lab-3 file", msg)

    def test_end_closes_other_lab(self):
        msg = self.error("common/a.c", "/* LAB 2: BEGIN SOLUTION */\n/* LAB 3: END SOLUTION */\n")
        self.assertIn("common/a.c:2:", msg)
        self.assertIn("closes LAB 2's region", msg)

    def test_well_formed(self):
        lines = (C_REGION % {"n": 2}).splitlines(keepends=True)
        self.assertEqual(handout.regions("lab2-frames/a.c", lines), [(2, 3, 5, "core")])

    def test_unknown_level(self):
        msg = self.error("lab2-frames/a.c", "/* LAB 2: BEGIN SOLUTION fulll */\n"
                         "/* LAB 2: END SOLUTION */\n")
        self.assertIn("lab2-frames/a.c:1:", msg)
        self.assertIn("unknown depth level 'fulll'", msg)


class Depth(unittest.TestCase):
    TEXT = ("a\n/* LAB 2: BEGIN SOLUTION */\ncore\n/* LAB 2: END SOLUTION */\n"
            "/* LAB 2: BEGIN SOLUTION full */\nfull\n/* LAB 2: END SOLUTION */\n"
            "; LAB 2: BEGIN SOLUTION challenge\nchal\n; LAB 2: END SOLUTION\nz\n")

    def test_levels(self):
        regs = handout.regions("lab2-frames/a.c", self.TEXT.splitlines(keepends=True))
        self.assertEqual([r.level for r in regs], ["core", "full", "challenge"])

    def test_full_strips_every_level(self):
        out = handout.strip("lab2-frames/a.c", self.TEXT, lambda k: k >= 2, "full")
        for word in ("core\n", "full\n", "chal\n"):
            self.assertNotIn(word, out)

    def test_challenges_of_kept_labs_are_stripped(self):
        out = handout.strip("lab2-frames/a.c", self.TEXT, lambda k: k >= 3, "full")
        self.assertIn("core\n", out)
        self.assertIn("full\n", out)
        self.assertNotIn("chal\n", out)

    def test_core_gives_the_full_regions(self):
        out = handout.strip("lab2-frames/a.c", self.TEXT, lambda k: k >= 2, "core")
        self.assertIn("full\n", out)
        self.assertNotIn("core\n", out)
        self.assertNotIn("chal\n", out)


class Strip(unittest.TestCase):
    def test_c_region_keeps_its_todo(self):
        out = handout.strip("lab2-frames/a.c", C_REGION % {"n": 2}, lambda k: k >= 2)
        self.assertNotIn("return 42", out)
        self.assertNotIn("SOLUTION", out)
        self.assertIn("LAB 2: TODO return the answer", out)
        self.assertEqual(out.count("TODO"), 1)

    def test_asm_gets_a_generic_todo(self):
        out = handout.strip("lab3-paging/a.asm", ASM_REGION % {"n": 3}, lambda k: k >= 3)
        self.assertNotIn("mov eax, 42", out)
        self.assertIn("    ; LAB 3: TODO implement this part\n", out)

    def test_kept_when_not_selected(self):
        text = C_REGION % {"n": 1}
        self.assertEqual(handout.strip("lab1-boot/a.c", text, lambda k: k >= 2), text)


class Tree(unittest.TestCase):
    """handout.py on a small fake project: which labs are stripped, what is left out."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="stepos-test-handout-")
        cls.proj = os.path.join(cls.tmp, "proj")
        files = {
            "tools/handout.py": open(os.path.join(TOOLS, "handout.py")).read(),
            "grade/pristine.py": open(os.path.join(ROOT, "grade", "pristine.py")).read(),
            "grade/integrity.py": open(os.path.join(ROOT, "grade", "integrity.py")).read(),
            "grade/macroscan.py": open(os.path.join(ROOT, "grade", "macroscan.py")).read(),
            "grade/labs.py": open(os.path.join(ROOT, "grade", "labs.py")).read(),
            "lab1-boot/lab.mk": "", "lab2-frames/lab.mk": "", "lab3-paging/lab.mk": "",
            "lab1-boot/a.c": C_REGION % {"n": 1},
            "lab2-frames/b.c": C_REGION % {"n": 2},
            "lab3-paging/c.asm": ASM_REGION % {"n": 3},
            "lab3-paging/hidden_extra.c": "/* instructor only */\n",
            "lab3-paging/hidden_rubric.toml": "# instructor only\n",
            "grade/selftest_cases/lab3.py": "# quotes solutions\n",
            "README.md": "readme\n",
        }
        for name, text in files.items():
            path = os.path.join(cls.proj, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def handout(self, *args):
        out = os.path.join(self.tmp, "out")
        shutil.rmtree(out, ignore_errors=True)
        p = subprocess.run([sys.executable, os.path.join(self.proj, "tools", "handout.py")]
                           + list(args) + ["--out", out], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        read = lambda n: open(os.path.join(out, n)).read()   # noqa: E731
        return read, out

    def solved(self, read, name):
        return "42" in read(name)

    def test_default_strips_lab_n_and_later(self):
        read, out = self.handout("2")
        self.assertTrue(self.solved(read, "lab1-boot/a.c"))
        self.assertFalse(self.solved(read, "lab2-frames/b.c"))
        self.assertFalse(self.solved(read, "lab3-paging/c.asm"))
        self.assertEqual(read("README.md"), "readme\n")

    def test_keep_solutions(self):
        read, _ = self.handout("3", "--keep-solutions", "0")
        self.assertFalse(self.solved(read, "lab1-boot/a.c"))
        self.assertFalse(self.solved(read, "lab2-frames/b.c"))
        read, _ = self.handout("2", "--keep-solutions", "2")
        self.assertTrue(self.solved(read, "lab2-frames/b.c"))
        self.assertFalse(self.solved(read, "lab3-paging/c.asm"))

    def test_only(self):
        read, _ = self.handout("2", "--only")
        self.assertTrue(self.solved(read, "lab1-boot/a.c"))
        self.assertFalse(self.solved(read, "lab2-frames/b.c"))
        self.assertTrue(self.solved(read, "lab3-paging/c.asm"))

    def test_hidden_tests_and_instructor_tools_left_out(self):
        _, out = self.handout("3")
        self.assertFalse(os.path.exists(os.path.join(out, "lab3-paging/hidden_extra.c")))
        self.assertFalse(os.path.exists(os.path.join(out, "lab3-paging/hidden_rubric.toml")))
        self.assertFalse(os.path.exists(os.path.join(out, "grade/selftest_cases/lab3.py")))
        self.assertTrue(os.path.exists(os.path.join(out, "grade/pristine.py")))

    def test_malformed_marker_stops_with_file_and_line(self):
        bad = os.path.join(self.proj, "lab2-frames", "bad.c")
        with open(bad, "w") as f:
            f.write("int x;\n/* LAB 2: BEGIN SOLUTION */\n")
        try:
            p = subprocess.run([sys.executable, os.path.join(self.proj, "tools", "handout.py"),
                                "2", "--out", os.path.join(self.tmp, "never")],
                               capture_output=True, text=True)
        finally:
            os.unlink(bad)
        self.assertEqual(p.returncode, 1)
        self.assertIn("handout: error: lab2-frames/bad.c:2:", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "never")))


class MakeTarget(unittest.TestCase):
    """`make handout` passes LAB, OUT, KEEP_SOLUTIONS (arithmetic allowed) and ONLY."""

    def test_make_handout_options(self):
        with tempfile.TemporaryDirectory(prefix="stepos-test-handout-") as tmp:
            out = os.path.join(tmp, "h")
            p = subprocess.run(["make", "-s", "handout", "LAB=3", "OUT=" + out,
                                "KEEP_SOLUTIONS=3-2", "ONLY="], cwd=ROOT,
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            with open(os.path.join(out, "lab2-frames", "cfp_bitmap.c")) as f:
                self.assertNotIn("BEGIN SOLUTION", f.read())       # lab 2 > 1: stripped
            with open(os.path.join(out, "lab1-boot", "intr.c")) as f:
                self.assertIn("BEGIN SOLUTION", f.read())          # lab 1 kept
            out2 = os.path.join(tmp, "h2")
            p = subprocess.run(["make", "-s", "handout", "LAB=2", "OUT=" + out2, "ONLY=1"],
                               cwd=ROOT, capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            with open(os.path.join(out2, "lab3-paging", "page_table.c")) as f:
                self.assertIn("BEGIN SOLUTION", f.read())          # only lab 2 stripped


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(verbosity=1, stream=sys.stdout).run(suite)
    bad = len(res.failures) + len(res.errors)
    print("handout-unit: %d passed, %d failed" % (res.testsRun - bad, bad))
    return 0 if res.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
