#!/usr/bin/env python3
"""test_bench_data.py: unit tests of tools/bench_data.py (growth fits, baseline comparison, bench.toml, handout tables)."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_data as bd  # noqa: E402


class Growth(unittest.TestCase):
    def test_each_shape_is_named(self):
        sizes = [2, 4, 8, 16, 32, 64, 128, 256]
        self.assertEqual(bd.fit_growth([(n, 430 + (n % 3)) for n in sizes]), "constant")
        self.assertEqual(bd.fit_growth([(n, 100 + 40 * n.bit_length()) for n in sizes]),
                         "logarithmic")
        self.assertEqual(bd.fit_growth([(n, 200 + 7 * n) for n in sizes]), "linear")
        self.assertEqual(bd.fit_growth([(n, 50 + n * n) for n in sizes]), "quadratic")

    def test_small_slope_is_still_linear(self):
        # 1,000 + 2n over 2..256: 50 % growth, not a constant
        self.assertEqual(bd.fit_growth([(n, 1000 + 2 * n) for n in (2, 16, 64, 128, 256)]), "linear")

    def test_series_needs_three_sizes(self):
        m = {"a_n2": (1, "insns"), "a_n4": (1, "insns"), "b_n1": (5, "insns"),
             "b_n2": (5, "insns"), "b_n3": (5, "insns"), "plain": (3, "insns")}
        self.assertEqual(sorted(bd.series(m)), ["b"])

    def test_worse(self):
        self.assertTrue(bd.growth_worse("linear", "logarithmic"))
        self.assertFalse(bd.growth_worse("constant", "linear"))


class Compare(unittest.TestCase):
    base = {"yield": (428, "insns"), "share": (97, "percent"), "gone": (1, "insns")}

    def status(self, metrics, tol=None):
        return {n: s for n, s, _ in bd.compare(metrics, self.base, tol)}

    def test_every_status(self):
        st = self.status({"yield": (433, "insns"), "share": (97, "percent"), "new": (3, "insns")})
        self.assertEqual(st, {"yield": "worse", "share": "same", "new": "new", "gone": "gone"})

    def test_default_tolerance(self):
        # 1 % of 428 is 4.28: a move of 4 is noise, a move of 5 is not.
        self.assertEqual(self.status({"yield": (432, "insns")})["yield"], "same")
        self.assertEqual(self.status({"yield": (424, "insns")})["yield"], "same")
        self.assertEqual(self.status({"yield": (433, "insns")})["yield"], "worse")
        self.assertEqual(self.status({"yield": (423, "insns")})["yield"], "better")

    def test_direction_follows_the_unit(self):
        self.assertEqual(self.status({"yield": (420, "insns")})["yield"], "better")
        self.assertEqual(self.status({"share": (96, "percent")})["share"], "worse")
        self.assertEqual(self.status({"share": (98, "percent")})["share"], "better")

    def test_tolerance(self):
        self.assertEqual(self.status({"yield": (470, "insns")}, {"yield": 10})["yield"], "same")
        self.assertEqual(self.status({"yield": (471, "insns")}, {"yield": 10})["yield"], "worse")

    def test_uncompared(self):
        self.assertEqual(self.status({"yield": (900, "insns")}, {"yield": "any"})["yield"], "same")
        self.assertEqual(self.status({"yield": (900, "insns")}, {"other": "any"})["yield"], "worse")

    def test_tolerance_of_a_series(self):
        base = {"lat_n4": (1000, "insns")}
        st = {n: s for n, s, _ in bd.compare({"lat_n4": (1090, "insns")}, base, {"lat": 10})}
        self.assertEqual(st["lat_n4"], "same")
        st = {n: s for n, s, _ in bd.compare({"lat_n4": (1090, "insns")}, base, {"other": 10})}
        self.assertEqual(st["lat_n4"], "worse")


class Files(unittest.TestCase):
    def lab(self, text):
        d = tempfile.mkdtemp(prefix="bench-data-")
        with open(os.path.join(d, "bench.toml"), "w") as f:
            f.write(text)
        return d

    def test_baseline_round_trip_keeps_the_hand_written_part(self):
        d = self.lab('[goals]\nx = { max = 5 }\n\n[scaling]\ns = "constant"\n')
        bd.save_baseline(d, {"x": (7, "insns"), "s_n1": (2, "insns")})
        bd.save_baseline(d, {"x": (6, "insns")})
        goals, scaling, base, tol = bd.load(d)
        self.assertEqual(goals, {"x": {"max": 5}})
        self.assertEqual(scaling, {"s": "constant"})
        self.assertEqual(base, {"x": (6, "insns")})
        self.assertEqual(tol, {})

    def test_bad_files_are_named(self):
        for text, words in (('[goals]\nx = 5\n', "needs max"),
                            ('[scaling]\ns = "cubic"\n', "not one of"),
                            ('[baseline]\nx = 5\n', "expected"),
                            ('[tolerance]\nx = "a"\n', "percentage"),
                            ('[goals\n', "bench.toml")):
            with self.assertRaises(bd.BenchFileError) as e:
                bd.load(self.lab(text))
            self.assertIn(words, str(e.exception))

    def test_goal_verdicts(self):
        self.assertEqual(bd.goal_verdict({"max": 100}, 100), "met")
        self.assertEqual(bd.goal_verdict({"max": 100}, 101), "missed")
        self.assertEqual(bd.goal_verdict({"min": 90}, 89), "missed")


class Table(unittest.TestCase):
    def test_table_lists_figures_goals_and_series(self):
        m = {"yield": (428, "insns"), "q_n1": (10, "insns"), "q_n2": (20, "insns"),
             "q_n4": (40, "insns")}
        t = bd.render_table(m, {"yield": {"max": 100}}, {"q": "linear"})
        self.assertIn("| `yield` | 428 insns | <= 100 (missed) |", t)
        self.assertIn("| `q_nN` | 1, 2, 4 | 10, 20, 40 insns | linear | linear |", t)
        self.assertNotIn("`q_n1`", t)

    def test_readme_markers(self):
        text = "intro\n%s\nold\n%s\nrest\n" % (bd.TABLE_BEGIN, bd.TABLE_END)
        self.assertEqual(bd.readme_table(text), "old")
        new = bd.replace_readme_table(text, "new table")
        self.assertEqual(bd.readme_table(new), "new table")
        self.assertTrue(new.startswith("intro\n") and new.endswith("rest\n"))
        self.assertIsNone(bd.readme_table("no markers"))


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print("test_bench_data: %d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
