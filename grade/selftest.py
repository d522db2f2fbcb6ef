#!/usr/bin/env python3
"""selftest.py: check the grader catches deliberately broken kernels with exactly the right verdict."""
import argparse
import fnmatch
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GRADE = os.path.join(HERE, "grade.py")
sys.path.insert(0, HERE)

import labs  # noqa: E402
from batch import copy_tree  # noqa: E402
from selftest_build import BuildSnapshot, patch_sources, restore_sources  # noqa: E402
from protocol import (BOOT_FAIL, BUILD_FAIL, FAIL, OK, PANIC, TIMEOUT,  # noqa: E402
                      TRIPLE_FAULT)


@dataclass
class Case:
    """Break the tree with literal PATCHES [(file, old, new)]; grading LAB
    must then give TEST the verdict EXPECT (and every other test OK unless
    OTHERS is False), and exit with status 1. EXPECT may be a tuple of
    verdicts when which one comes first depends on host speed (a kernel
    test's own guest-time limit against the grader's wall-clock timeout).
    A case whose OTHERS is False judges TEST alone, so TEST alone is graded
    (or the ONLY globs); WHOLE_LAB grades every test anyway, for a bug that
    shows in TEST only after the tests before it ran in the same boot.
    A seeded lab (rubric `seeds`) is graded on seed 1 alone: each bug here
    shows on every seed, and the lab's own make test step grades the
    unbroken kernel on every seed; EVERY_SEED grades them all."""
    name: str
    test: str
    expect: object          # a verdict, or a tuple of acceptable ones
    patches: list
    lab: str = "lab1"
    emulator: str = "qemu"
    others: bool = True
    timeout_scale: float = 1.0
    only: list = field(default_factory=list)  # grade only these tests (globs)
    whole_lab: bool = False
    every_seed: bool = False   # grade every seed of a seeded lab, not seed 1 alone

    def graded(self):
        """The grader's test globs for this case ([] = the whole lab)."""
        if self.only or self.others or self.whole_lab:
            return list(self.only)
        return [self.test]


INCLUDE_DEBUG = ("lab1-boot/tests_libk.c", '#include "common/format.h"\n',
                 '#include "common/debug.h"\n#include "common/format.h"\n')
ZERO_IDT_INT3 = ('{ static const struct { unsigned short limit; unsigned int base; } '
                 '__attribute__((packed)) zero_idt = {0, 0}; '
                 '__asm__ volatile("lidt %0; int3" : : "m"(zero_idt)); }\n')
BP_LINE = '    KT_EXPECT_FAULT(VEC_BREAKPOINT, __asm__ volatile("int3"));\n'

CASES = [
    Case("zero-padding-broken", "kprintf_width_pad", FAIL,
         [("common/format.c", "if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO",
           "if ((sp->flags & (F_ZERO | F_LEFT)) == (F_ZERO | F_LEFT)")],
         # Lab 1's exception report line is zero-padded too (exc_report_line
         # fails with it, rightly): the libk tests are the ones to judge here.
         only=["kprintf_*", "string_functions", "list_operations"]),
    Case("unexpected-exception", "kernel_loaded_at_1mib", FAIL,
         [("lab1-boot/tests_boot.c", "KTEST(kernel_loaded_at_1mib)\n{\n",
           "KTEST(kernel_loaded_at_1mib)\n{\n    __asm__ volatile(\"ud2\");\n")]),
    Case("panic-in-test", "string_functions", PANIC,
         [INCLUDE_DEBUG, ("lab1-boot/tests_libk.c", "KTEST(string_functions)\n{\n",
                          "KTEST(string_functions)\n{\n    PANIC(\"selftest: deliberate\");\n")]),
    Case("hang-in-test", "list_operations", TIMEOUT,
         [("lab1-boot/tests_libk.c", "KTEST(list_operations)\n{\n",
           "KTEST(list_operations)\n{\n    for (;;)\n        __asm__ volatile(\"\");\n")],
         timeout_scale=0.4),
    Case("triple-fault", "exc_breakpoint", TRIPLE_FAULT,
         [("lab1-boot/tests_intr.c", BP_LINE, "    " + ZERO_IDT_INT3 + BP_LINE)]),
    Case("syntax-error", "kprintf_formats", BUILD_FAIL,
         [("lab1-boot/tests_libk.c", "    char buf[96];\n", "    char buf[96]\n")], others=False),
    Case("boot-error-line", "kprintf_formats", BOOT_FAIL,
         [("lab1-boot/boot/stage1.asm", "cmp dword [STAGE2_ADDR + 4], STAGE2_MAGIC\n",
           "cmp dword [STAGE2_ADDR + 4], STAGE2_MAGIC + 1\n")], others=False),
    Case("hang-before-banner", "kprintf_formats", BOOT_FAIL,
         [("lab1-boot/kmain.c", "    console_init();\n",
           "    for (;;)\n        __asm__ volatile(\"\");\n    console_init();\n")],
         others=False, timeout_scale=0.3),
    Case("panic-at-boot", "kprintf_formats", PANIC,
         [("lab1-boot/kmain.c", "if (bi->magic != BOOTINFO_MAGIC)",
           "if (bi->magic == BOOTINFO_MAGIC)")], others=False),
    Case("bochs-triple-fault", "exc_breakpoint", TRIPLE_FAULT,
         [("lab1-boot/tests_intr.c", BP_LINE, "    " + ZERO_IDT_INT3 + BP_LINE)],
         emulator="bochs"),
    Case("bochs-hang-in-test", "list_operations", TIMEOUT,
         [("lab1-boot/tests_libk.c", "KTEST(list_operations)\n{\n",
           "KTEST(list_operations)\n{\n    for (;;)\n        __asm__ volatile(\"\");\n")],
         emulator="bochs", timeout_scale=0.2),
    Case("bochs-panic-in-test", "string_functions", PANIC,
         [INCLUDE_DEBUG, ("lab1-boot/tests_libk.c", "KTEST(string_functions)\n{\n",
                          "KTEST(string_functions)\n{\n    PANIC(\"selftest: deliberate\");\n")],
         emulator="bochs"),
]


def lab_cases():
    """Cases of every lab, from grade/selftest_cases/labN.py."""
    import importlib
    found = []
    for n in labs.numbers():
        try:
            mod = importlib.import_module("selftest_cases.lab%d" % n)
        except ModuleNotFoundError:
            continue
        found += mod.cases(Case)
    return found


CASES += lab_cases()


def grade(tree, lab, emulator, json_path, scale=1.0, extra=()):
    """Grade LAB of TREE: (exit status, {test: verdict}, output, wall seconds,
    CPU seconds of the grader and everything it ran)."""
    cmd = [sys.executable, GRADE, lab, "--root", tree, "--emulator", emulator,
           "--json", json_path, "--timeout-scale", str(scale), "--no-rerun"] + list(extra)
    t0 = time.monotonic()
    status, data, cpu = run_counted(cmd)
    out = data.decode("utf-8", "replace")
    verdicts = {}
    try:
        with open(json_path) as f:
            for t in json.load(f)["tests"]:
                verdicts[t["name"]] = t.get("extra_data", {}).get("verdict")
    except (OSError, ValueError, KeyError):
        pass
    return status, verdicts, out, time.monotonic() - t0, cpu


def run_counted(cmd, cwd=None):
    """Run CMD to the end: (exit status, output bytes, CPU seconds of CMD and
    every process it waited for). Its own CPU seconds, not the whole process's
    children: the cases of several workers run at once (threads)."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)
        _, wstatus, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(wstatus)
        out.seek(0)
        return proc.returncode, out.read(), usage.ru_utime + usage.ru_stime


def _children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


@dataclass
class Outcome:
    name: str
    ok: bool
    seconds: float
    problems: list = field(default_factory=list)
    output: str = ""
    cpu: float = 0.0


def seeded(lab):
    """True if LAB's rubric runs several seeds by default."""
    import tomllib
    with open(os.path.join(ROOT, labs.dirs(ROOT)[int(lab[3:])], "rubric.toml"), "rb") as f:
        return tomllib.load(f).get("seeds", 0) > 1


def run_case(case, tree, tmp, built=False):
    """Grade CASE on TREE, whose sources hold the case's patches already
    (BUILT: and whose build/ was made from them: the grader makes nothing)."""
    one_seed = ["--seed", "1"] if not case.every_seed and seeded(case.lab) else []
    status, verdicts, out, secs, cpu = grade(tree, case.lab, case.emulator,
                                             os.path.join(tmp, case.name + ".json"),
                                             case.timeout_scale, extra=case.graded()
                                             + (["--no-build"] if built else []) + one_seed)
    problems = []
    got = verdicts.get(case.test)
    if got not in (case.expect if isinstance(case.expect, tuple) else (case.expect,)):
        problems.append("%s: expected %s, grader said %s" % (case.test, case.expect, got))
    if status != 1:
        problems.append("exit status %s, expected 1" % status)
    if case.others:
        bad = ["%s=%s" % (n, v) for n, v in verdicts.items() if n != case.test and v != OK]
        if bad:
            problems.append("other tests should pass: " + ", ".join(bad))
    return Outcome(case.name, not problems, secs, problems, out, cpu)


def groups(cases):
    """CASES grouped by what they build (lab and patches), in order of first
    appearance: the cases of a group (the same bug graded on QEMU and on
    Bochs) share one build of the broken tree."""
    out = {}
    for c in cases:
        out.setdefault((c.lab, repr(c.patches)), []).append(c)
    return list(out.values())


def run_group(group, tree, tmp, snap, verbose):
    """Patch TREE as GROUP's cases say, grade each, then put the sources and
    build/ back as they were (BuildSnapshot)."""
    originals, problems = patch_sources(tree, group[0].patches)
    try:
        if problems:
            return [_show(Outcome(c.name, False, 0.0, problems), verbose) for c in group]
        # The first case's grader builds the broken tree; the others grade
        # that build (unless it failed: then each sees the failure itself).
        out = [_show(run_case(group[0], tree, tmp), verbose)]
        built = BUILD_FAIL not in out[0].output
        return out + [_show(run_case(c, tree, tmp, built), verbose) for c in group[1:]]
    finally:
        restore_sources(tree, originals)
        snap.restore()


def run_baseline(tree, tmp, lab, emulator):
    status, verdicts, out, secs, cpu = grade(tree, lab, emulator,
                                             os.path.join(tmp, "baseline-%s.json" % emulator))
    problems = []
    if status != 0:
        problems.append("exit status %s, expected 0 (full marks)" % status)
    bad = ["%s=%s" % (n, v) for n, v in verdicts.items() if v != OK]
    if bad or not verdicts:
        problems.append("not full marks: " + (", ".join(bad) or "no results"))
    return Outcome("unbroken-%s-%s" % (lab, emulator), not problems, secs, problems, out, cpu)


# The grader's unit tests run first (test_instructor.py and test_hostile.py
# are make test steps of their own).
UNIT_TEST_MODULES = ["test_grade", "test_grade_io", "test_linetag", "test_integrity_scan"]


def unit_tests():
    """Start the unit tests in a process of their own (the broken kernels are
    graded meanwhile); returns a function that waits for them, prints their
    report and says whether they passed."""
    result = {}

    def run():
        result["status"], result["out"], _ = run_counted(
            [sys.executable, "-m", "unittest"] + UNIT_TEST_MODULES, cwd=HERE)
    th = threading.Thread(target=run)
    th.start()

    def finish():
        th.join()
        print("== grader unit tests (canned serial logs) ==")
        sys.stdout.write(result["out"].decode("utf-8", "replace"))
        return result["status"] == 0
    return finish


class Worker:
    """One copy of the tree with its kept clean build: runs groups of cases
    one after the other (BuildSnapshot allows one case at a time per tree)."""

    def __init__(self, k, tmp):
        self.tree = os.path.join(tmp, "tree%d" % k)
        self.snap = BuildSnapshot(self.tree, os.path.join(tmp, "build-clean%d" % k))

    def prepare(self, used):
        """Copy the tree, start its build from ROOT's and bring LABS USED up to
        date: the make output on failure, else None."""
        copy_tree(ROOT, self.tree)
        self.snap.seed(ROOT)
        failed = self.snap.make(used)
        self.snap.save()
        return failed


def main(argv=None):
    p = argparse.ArgumentParser(prog="selftest.py", description=__doc__)
    p.add_argument("patterns", nargs="*", metavar="CASE", help="only cases matching these globs")
    p.add_argument("--list", action="store_true", help="list the cases")
    p.add_argument("--keep", action="store_true", help="keep the broken copy of the tree")
    p.add_argument("-v", "--verbose", action="store_true", help="show the grader's output")
    p.add_argument("--no-baseline", action="store_true", help="skip the unbroken-tree runs")
    p.add_argument("-j", "--jobs", type=int, default=min(2, os.cpu_count() or 1), metavar="N",
                   help="grade N cases at once, each worker on its own copy of the tree "
                   "(default: one per CPU, at most 2)")
    args = p.parse_args(argv)
    cases = [c for c in CASES if not args.patterns or
             any(fnmatch.fnmatchcase(c.name, pat) for pat in args.patterns)]
    if args.list:
        for c in CASES:
            print("%-24s %-6s %-22s %s" % (c.name, c.emulator, c.test, c.expect))
        return 0
    finish_units = unit_tests()
    tmp = tempfile.mkdtemp(prefix="stepos-selftest-")
    outcomes = []
    t0 = time.monotonic()
    cpu0 = _children_cpu()
    try:
        # Each worker grades on a copy of its own; the cases of a group share
        # one build, so a group goes to one worker, the next free one.
        workers = [Worker(k, tmp) for k in range(max(1, args.jobs))]
        print("== grader on broken kernels (%d copies of the tree in %s) =="
              % (len(workers), tmp), flush=True)
        used = sorted(set(int(c.lab[3:]) for c in cases) | {1})
        failed = _parallel(workers, lambda w, _: w.prepare(used), [None] * len(workers))
        if any(failed):
            outcomes.append(_show(Outcome("unbroken-tree-builds", False, 0.0,
                                          ["make build-lab* failed"],
                                          next(f for f in failed if f)), args.verbose))
        if not args.no_baseline:
            runs = [("lab1", "qemu"), ("lab1", "bochs")] + [
                (lab, "qemu") for lab in sorted(set(c.lab for c in cases) - {"lab1"})]
            outcomes += _parallel(workers, lambda w, r: _show(
                run_baseline(w.tree, tmp, r[0], r[1]), args.verbose), runs)
            for w in workers:
                w.snap.restore()
        for got in _parallel(workers, lambda w, g: run_group(g, w.tree, tmp, w.snap,
                                                             args.verbose), groups(cases)):
            outcomes += got
    finally:
        if args.keep:
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    ok_units = finish_units()
    passed = sum(o.ok for o in outcomes) + ok_units
    total = len(outcomes) + 1
    print("(%d grader cases, unit tests %s, %.1fs, %.1f CPU seconds of child processes)"
          % (len(outcomes), "OK" if ok_units else "FAILED", time.monotonic() - t0,
             _children_cpu() - cpu0))
    print("selftest: %d passed, %d failed" % (passed, total - passed))
    return 0 if passed == total else 1


def _parallel(workers, fn, items):
    """FN(worker, item) for every item, each worker taking the next item when
    it is free: the results in the order of ITEMS."""
    results = [None] * len(items)
    todo = iter(list(enumerate(items)))
    lock = threading.Lock()

    def loop(w):
        while True:
            with lock:
                nxt = next(todo, None)
            if nxt is None:
                return
            results[nxt[0]] = fn(w, nxt[1])
    threads = [threading.Thread(target=loop, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


_print_lock = threading.Lock()


def _show(o, verbose):
    """Print outcome O in one piece (workers finish cases at once); returns O."""
    lines = ["%s: %s (%.1fs, CPU %.1fs)" % (o.name, "OK" if o.ok else "FAIL", o.seconds, o.cpu)]
    lines += ["    " + pr for pr in o.problems]
    if verbose or not o.ok:
        lines += ["      | " + l for l in o.output.splitlines()[-40:]]
    with _print_lock:
        print("\n".join(lines), flush=True)
    return o


if __name__ == "__main__":
    sys.exit(main())
