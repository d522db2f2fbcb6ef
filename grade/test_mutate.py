#!/usr/bin/env python3
"""test_mutate.py: unit tests of the mutation generator (grade/mutation_ops.py, grade/mutate.py) and the object-code equivalence check."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import mutate                      # noqa: E402
import mutation_obj as mobj        # noqa: E402
import mutation_ops as mops        # noqa: E402
import mutation_run as mrun        # noqa: E402
# grade.py --fail-fast's tests (and, with --smoke, its proof on real mutants) run here too.
from test_fail_fast import (EarlyVerdictEqualsFull, KillersFirst, LabRunStop,  # noqa: E402,F401
                            MutantDetail, RunnerStop, SessionStop, StoppedBoot)

BEGIN, END = "/* LAB 2: BEGIN SOLUTION */\n", "/* LAB 2: END SOLUTION */\n"


def whole(text):
    return [(0, len(text))]


def descs(text, names=None):
    return [m.desc for m in mops.c_mutants("f.c", 2, text, whole(text), names)]


def applied(text, desc, names=None):
    for m in mops.c_mutants("f.c", 2, text, whole(text), names):
        if m.desc == desc:
            return m.apply(text)
    raise AssertionError("no mutant %r in %r" % (desc, descs(text, names)))


class Operators(unittest.TestCase):
    def test_relational(self):
        self.assertEqual(applied("    x = a < b;\n", "'<' -> '<='"), "    x = a <= b;\n")
        self.assertIn("'==' -> '!='", descs("x = a == b;\n"))
        self.assertIn("'>=' -> '<'", descs("x = a >= b;\n"))

    def test_arithmetic_and_shifts(self):
        self.assertEqual(applied("x = a + b;\n", "'+' -> '-'"), "x = a - b;\n")
        self.assertEqual(applied("x = a << 3;\n", "'<<' -> '>>'"), "x = a >> 3;\n")
        self.assertEqual(applied("x += 1;\n", "'+=' -> '-='"), "x -= 1;\n")
        self.assertEqual(applied("i++;\n", "'++' -> '--'"), "i--;\n")
        self.assertEqual(applied("x = a && b;\n", "'&&' -> '||'"), "x = a || b;\n")
        self.assertEqual(applied("x = a & ~m;\n", "drop '~'"), "x = a & m;\n")

    def test_unary_operators_are_not_binary(self):
        ds = descs("x = -1;\ny = *p;\nz = &q;\nreturn -y;\n")
        self.assertFalse([d for d in ds if d.startswith(("'-' ->", "'*' ->", "'&' ->"))], ds)
        ds = descs("uint32_t *p = q;\n")
        self.assertNotIn("'*' -> '/'", ds)

    def test_constants(self):
        self.assertEqual([d for d in descs("x = 8;\n") if d.startswith("'8'")], ["'8' -> '9'", "'8' -> '7'", "'8' -> '16'",
                                                 "'8' -> '4'"])
        self.assertIn("'0xFF' -> '0x100'", descs("x = 0xFF;\n"))
        self.assertIn("'0x1000u' -> '0x2000u'", descs("x = 0x1000u;\n"))
        self.assertIn("'32' -> '33'", descs("x = 32;\n"))
        self.assertIn("'017' -> '020'", descs("x = 017;\n"))
        self.assertEqual([d for d in descs("x = 0;\n") if d.startswith("'0'")], ["'0' -> '1'"])
        self.assertEqual(mops.constant_values(1), [2, 0])

    def test_negate_condition(self):
        self.assertEqual(applied("if (a < b)\n    f();\n", "negate 'if' condition"),
                         "if (!(a < b))\n    f();\n")
        self.assertEqual(applied("while (n)\n    n--;\n", "negate 'while' condition"),
                         "while (!(n))\n    n--;\n")
        self.assertEqual(applied("x = !y;\n", "drop '!'"), "x = y;\n")

    def test_delete_keeps_line_count(self):
        text = "{\n    f(a,\n      b);\n    g();\n}\n"
        out = applied(text, "delete 'f(a, b);'")
        self.assertEqual(out.count("\n"), text.count("\n"))
        self.assertNotIn("f(a", out)
        self.assertIn("delete 'return;'", descs("if (x)\n    return;\n"))

    def test_declarations_and_headers_are_not_statements(self):
        ds = descs("{\n    int a = 1;\n    struct s *p = q;\n    uint32_t w;\n    w = a;\n}\n")
        self.assertEqual([d for d in ds if d.startswith("delete")], ["delete 'w = a;'"])
        ds = descs("for (i = 0; i < n; i++)\n    f(i);\n")
        self.assertEqual([d for d in ds if d.startswith("delete")], ["delete 'f(i);'"])

    def test_swap_adjacent_statements(self):
        text = "{\n    a = 1;\n    b = 2;\n}\n"
        self.assertEqual(applied(text, "swap 'a = 1;' with next 'b = 2;'"),
                         "{\n    b = 2;\n    a = 1;\n}\n")
        # the body of an if without braces is not swapped with what follows
        self.assertFalse([d for d in descs("if (x)\n    a();\nb();\n") if d.startswith("swap")])

    def test_neighbouring_names(self):
        header = ("#define PTE_PRESENT 0x1\n#define PTE_WRITABLE 0x2\n#define PTE_USER 0x4\n"
                  "#define OTHER_THING 7\nenum s { S_FREE, S_USED, S_HEAD };\n")
        names = mops.names_table([header])
        self.assertEqual(names["PTE_WRITABLE"], ["PTE_PRESENT", "PTE_USER"])
        self.assertEqual(names["PTE_USER"], ["PTE_WRITABLE"])
        self.assertEqual(names["S_USED"], ["S_FREE", "S_HEAD"])
        self.assertIn("'PTE_USER' -> 'PTE_WRITABLE'", descs("x = PTE_USER;\n", names))

    def test_comments_and_strings_skipped(self):
        text = '/* a < b + 1 */ s = "x < 2 - y"; c = \'<\'; // if (a == b) f();\n'
        self.assertEqual([d for d in descs(text) if not d.startswith(("delete", "swap"))], [])

    def test_preprocessor_includes_skipped(self):
        ds = descs("#include <stddef.h>\n#define N (4 + 1)\n")
        self.assertIn("'4' -> '5'", ds)
        self.assertFalse([d for d in ds if "'<'" in d or "'>'" in d or "delete" in d], ds)

    def test_same_mutation_twice_on_a_line_is_numbered(self):
        self.assertEqual([d for d in descs("x = a + b + c;\n") if d.startswith("'+'")],
                         ["'+' -> '-'", "'+' -> '-' #2"])


class Nasm(unittest.TestCase):
    TEXT = ("    ; LAB 4: BEGIN SOLUTION\n    mov eax, [esp + 4]    ; cur\n    jne .done\n"
            "    push ebx\n    ; LAB 4: END SOLUTION\n")

    def test_nasm_operators(self):
        spans = [(self.TEXT.index("    mov"), self.TEXT.index("    ; LAB 4: END"))]
        ms = {m.desc: m for m in mops.nasm_mutants("s.asm", 4, self.TEXT, spans)}
        self.assertIn("'jne' -> 'je'", ms)
        self.assertIn("'4' -> '5'", ms)
        self.assertIn("'esp' -> 'ebx'", ms)
        self.assertIn("'push' -> 'pop'", ms)
        out = ms["delete 'push ebx'"].apply(self.TEXT)
        self.assertNotIn("push", out)
        out = ms["swap 'jne .done' with next 'push ebx'"].apply(self.TEXT)
        self.assertLess(out.index("push ebx"), out.index("jne .done"))
        self.assertFalse([d for d in ms if "LAB" in d or "cur" in d])


class RegionsAndDeterminism(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="stepos-test-mutate-")
        os.makedirs(os.path.join(self.root, "lab2-frames"))
        self.src = ("int f(int a, int b)\n{\n    int r = a - 1;\n    " + BEGIN +
                    "    if (a < b)\n        r = b + 2;\n    " + END + "    return r * 3;\n}\n")
        self.write(self.src)

    def tearDown(self):
        shutil.rmtree(self.root)

    def write(self, text):
        with open(os.path.join(self.root, "lab2-frames", "x.c"), "w") as f:
            f.write(text)

    def test_only_inside_regions(self):
        ms = mutate.generate(self.root)[2]
        self.assertTrue(ms)
        self.assertEqual({m.line for m in ms}, {5, 6})
        self.assertFalse([m for m in ms if "'-' ->" in m.desc or "'*' ->" in m.desc])

    def test_deterministic_and_stable_ids(self):
        a = [m.ident for m in mutate.generate(self.root)[2]]
        self.assertEqual(a, [m.ident for m in mutate.generate(self.root)[2]])
        self.assertEqual(len(set(a)), len(a))
        self.write("/* a new comment line */\n\n" + self.src)   # lines shift, ids do not
        shifted = mutate.generate(self.root)[2]
        self.assertEqual(a, [m.ident for m in shifted])
        self.assertEqual({m.line for m in shifted}, {7, 8})

    def test_a_changed_file_is_refused(self):
        m = mutate.generate(self.root)[2][0]
        with self.assertRaises(ValueError):
            m.apply(self.src.replace("a < b", "a > b").replace("b + 2", "b - 2"))
        m.apply(self.src)

    def test_sampling_is_reproducible(self):
        ms = mutate.generate(self.root)[2]
        one = mutate.select(ms, seed=5, sample=3)
        self.assertEqual(one, mutate.select(ms, seed=5, sample=3))
        self.assertEqual(len(one), 3)
        self.assertEqual(one, [m for m in ms if m in one])       # file order kept
        others = [mutate.select(ms, seed=s, sample=3) for s in range(6)]
        self.assertTrue(any(o != one for o in others))
        self.assertEqual(mutate.select(ms, cap=2), ms[:2])

    def test_equivalents_list(self):
        path = os.path.join(self.root, "eq.toml")
        with open(path, "w") as f:
            f.write('[[equivalent]]\nfile = "lab2-frames/x.c"\nline = "if (a < b)"\n'
                    'mutation = "\'<\' -> \'<=\'"\nreason = "a == b never happens"\n')
        eq = mutate.load_equivalents(path)
        m = [m for m in mutate.generate(self.root)[2] if m.desc == "'<' -> '<='"][0]
        self.assertIn((m.path, m.source, m.desc), eq)
        with open(path, "a") as f:
            f.write('[[equivalent]]\nfile = "x.c"\nline = "y"\nmutation = "z"\n')
        with self.assertRaises(ValueError):
            mutate.load_equivalents(path)

    def test_the_project_equivalents_list_loads(self):
        mutate.load_equivalents()


@unittest.skipUnless(shutil.which("gcc"), "gcc not installed")
class Equivalence(unittest.TestCase):
    FLAGS = ["-m32", "-O2", "-ffreestanding", "-fno-pic", "-g"]
    SRC = "int g(int);\nint f(int a)\n{\n    if (a < 4)\n        return g(a * 2);\n    return a;\n}\n"

    def sig(self, text):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "t.c"), "w") as f:
                f.write(text)
            return mobj.unit_signature(d, "t.c", self.FLAGS)

    def test_same_code_different_lines_is_equivalent(self):
        self.assertEqual(self.sig(self.SRC), self.sig("/* moved */\n\n" + self.SRC))

    def test_real_changes_are_not(self):
        base = self.sig(self.SRC)
        self.assertNotEqual(base, self.sig(self.SRC.replace("a < 4", "a <= 4")))
        self.assertNotEqual(base, self.sig(self.SRC.replace("g(a", "h(a").replace(
            "int g(int)", "int h(int)")))      # same bytes, another relocation
        self.assertEqual(base, self.sig(self.SRC.replace("a * 2", "a << 1")))

    def test_compile_error(self):
        with self.assertRaises(mobj.CompileError):
            self.sig(self.SRC.replace("return a;", "return a"))

    def test_header_dependents(self):
        with tempfile.TemporaryDirectory() as d:
            files = {"a.h": "int x;\n", "b.h": '#include "a.h"\n', "u.c": '#include "b.h"\n',
                     "v.c": "int y;\n"}
            for n, t in files.items():
                with open(os.path.join(d, n), "w") as f:
                    f.write(t)
            self.assertEqual(mobj.dependents(d, "a.h", list(files)), ["u.c"])

    def test_header_dependents_same_directory(self):
        """`#include "x.h"` in lab/u.c names lab/x.h (the includer's directory
        comes first), and a root-relative path names it too."""
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "lab"))
            files = {"lab/x.h": "int x;\n", "lab/u.c": '#include "x.h"\n',
                     "other/w.c": '#include "lab/x.h"\n', "other/v.c": '#include "x.h"\n'}
            for n, t in files.items():
                os.makedirs(os.path.join(d, os.path.dirname(n)), exist_ok=True)
                with open(os.path.join(d, n), "w") as f:
                    f.write(t)
            self.assertEqual(mobj.dependents(d, "lab/x.h", list(files)),
                             ["lab/u.c", "other/w.c"],
                             "a header's dependents are the files whose #include "
                             "resolves to it, from their own directory or the root")


SMOKE = "--smoke" in sys.argv


@unittest.skipUnless(SMOKE, "the graded sample runs with --smoke (make test)")
class Smoke(unittest.TestCase):
    """A few statement deletions of lab 2 really graded: the tool finds kills."""

    def test_sample_of_lab2(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "r.json")
            p = subprocess.run([sys.executable, os.path.join(HERE, "mutate.py"), "2", "--ops",
                                "delete", "--sample", "3", "--seed", "1", "--min-killed", "1",
                                "--json", out], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
            with open(out) as f:
                lab = json.load(f)["labs"]["lab2"]
        print("\n" + "\n".join("  " + l for l in p.stdout.splitlines() if l.strip()),
              flush=True)
        self.assertEqual(lab["selected"], 3)
        self.assertGreaterEqual(lab["counts"]["killed"], 1)
        self.assertFalse([m for m in lab["mutants"] if m["result"] == "error"])


class Emulators(unittest.TestCase):
    def test_emulator_choice(self):
        self.assertEqual(mrun.emulator_for("lab6-disk/ata.c"), "both")
        self.assertEqual(mrun.emulator_for("lab1-boot/pit.c"), "both")
        self.assertEqual(mrun.emulator_for("lab2-frames/cfp_bitmap.c"), "qemu")


class BothEmulatorsQemuFirst(unittest.TestCase):
    """build_and_grade(..., "both"): QEMU first, Bochs only after full marks on
    QEMU, one outer time limit for the two; the verdict that of a run of both."""

    class Args:
        timeout_scale, time_limit, no_fail_fast = 2, None, False

    def setUp(self):
        self.calls, self.now = [], [0.0]
        self.saved = mrun.make, mrun._run, mrun.time
        self.tmp = tempfile.mkdtemp()
        self.json = os.path.join(self.tmp, "m.json")
        now = self.now

        class Clock:
            @staticmethod
            def monotonic():
                return now[0]
        mrun.make = lambda tree, lab: (0, "")
        mrun.time = Clock

    def tearDown(self):
        mrun.make, mrun._run, mrun.time = self.saved
        shutil.rmtree(self.tmp)

    def fake(self, outcomes, seconds=10):
        """Each grade.py run on emulator E returns OUTCOMES[E] ('ok', a failing
        test's name, or 'time') after SECONDS of the fake clock."""
        def run(cmd, cwd, timeout):
            emu = cmd[cmd.index("--emulator") + 1]
            self.calls.append((emu, timeout))
            self.now[0] += seconds
            what = outcomes[emu]
            if what == "time":
                return None, ""
            if what == "ok":
                return 0, "Score: 100/100"
            with open(cmd[cmd.index("--json") + 1], "w") as f:
                json.dump({"tests": [{"name": what, "score": 0, "max_score": 4,
                                      "extra_data": {"verdict": "FAIL"}}]}, f)
            return 1, "Score: 96/100"
        mrun._run = run

    def grade(self, emulator="both", limit=100):
        return mrun.build_and_grade("tree", 6, emulator, self.Args(), self.json, limit)

    def test_killed_on_qemu_never_boots_bochs(self):
        self.fake({"qemu": "disk_bad_input", "bochs": "ok"})
        self.assertEqual(self.grade(), ("points", "disk_bad_input=FAIL"))
        self.assertEqual([c[0] for c in self.calls], ["qemu"],
                         "a mutant QEMU already kills must not be graded on Bochs")

    def test_full_marks_on_qemu_then_bochs_decides(self):
        self.fake({"qemu": "ok", "bochs": "disk_last_block"})
        self.assertEqual(self.grade(), ("points", "disk_last_block=FAIL"))
        self.assertEqual([c[0] for c in self.calls], ["qemu", "bochs"])
        self.calls.clear()
        self.fake({"qemu": "ok", "bochs": "ok"})
        self.assertEqual(self.grade(), ("ok", ""),
                         "a survivor must have full marks on both emulators")
        self.assertEqual([c[0] for c in self.calls], ["qemu", "bochs"])

    def test_one_time_limit_for_both_runs(self):
        self.fake({"qemu": "ok", "bochs": "time"}, seconds=30)
        verdict, detail = self.grade(limit=100)
        self.assertEqual(verdict, "time")
        self.assertIn("100s", detail)
        self.assertEqual(self.calls, [("qemu", 100), ("bochs", 70)],
                         "Bochs gets what QEMU left of the outer limit, as in one run of both")
        self.calls.clear()
        self.fake({"qemu": "time", "bochs": "ok"})
        self.assertEqual(self.grade()[0], "time")
        self.assertEqual([c[0] for c in self.calls], ["qemu"])

    def test_single_emulator_is_one_run(self):
        self.fake({"qemu": "ok", "bochs": "disk_last_block"})
        self.assertEqual(self.grade("qemu"), ("ok", ""))
        self.assertEqual(self.calls, [("qemu", 100)])


if __name__ == "__main__":
    if SMOKE:
        sys.argv.remove("--smoke")
    prog = unittest.main(exit=False, verbosity=1)
    r = prog.result
    failed = len(r.failures) + len(r.errors)
    print("test_mutate: %d passed, %d failed" % (r.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
