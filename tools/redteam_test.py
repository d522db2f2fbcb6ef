#!/usr/bin/env python3
"""redteam_test.py: `make test` step: grade hostile submissions (each a handout plus one cheat) with --pristine; none may beat the handout's score, each must be flagged."""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import redteam_fixtures as rf  # noqa: E402
from class_test import Checks  # noqa: E402
import disk  # noqa: E402
import integrity  # noqa: E402
import labs  # noqa: E402
import macroscan  # noqa: E402
import pristine  # noqa: E402
import rubric  # noqa: E402

GRADER_FILES = "grade"          # what --baseline replaces in the reference


def grade(ref, folder, lab, tests, out, jobs, scale):
    """Grade FOLDER's submissions on LAB (only TESTS) against REF: {name: (row, json)}."""
    csv_path, jdir = os.path.join(out, "grades.csv"), os.path.join(out, "json")
    cmd = [sys.executable, os.path.join(ref, "grade", "grade.py"), "--submissions", folder,
           "--lab", str(lab), "-j", str(jobs), "--pristine", ref, "--emulator", "qemu",
           "--csv", csv_path, "--json-dir", jdir, "--timeout-scale", scale]
    for t in tests:
        cmd += ["-k", t]
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    tail = p.stdout.splitlines()
    print("    " + "\n    ".join(tail[-(len(os.listdir(folder)) + 4):]), flush=True)
    found = {}
    if os.path.exists(csv_path):
        with open(csv_path, newline="") as f:
            for r in csv.DictReader(f):
                try:
                    with open(os.path.join(jdir, r["submission"] + ".json")) as jf:
                        doc = json.load(jf)
                except (OSError, ValueError):
                    doc = {}
                found[r["submission"]] = (r, doc)
    return found


def grade_one(c, ref, sub, case, lab, tests, out, honest, scale):
    """Grade one student (--root SUB --pristine REF): the same flag on the
    terminal and in --json, the same score."""
    js = os.path.join(out, case.name + ".json")
    cmd = [sys.executable, os.path.join(ref, "grade", "grade.py"), "lab%d" % lab, "--root", sub,
           "--pristine", ref, "--emulator", "qemu", "--json", js, "--timeout-scale", scale]
    for t in tests:
        cmd += ["-k", t]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    try:
        with open(js) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        c.check("--root %s: graded" % case.name, False, "%s\n%s" % (e, p.stdout[-2000:]))
        return
    shown = [w for w in p.stdout.splitlines() if integrity.is_flag(w) and case.flag in w]
    row = {"score": str(doc.get("score")), "warnings": "", "integrity": " | ".join(shown)}
    wrong = judge(case, (row, doc), honest, None)
    c.check("--root %s --pristine: %s, flagged on the terminal and in --json" % (
        case.name, row["score"]), not wrong, wrong)


def judge(case, got, honest, full):
    """'' if CASE's grade is right, else what is wrong. GOT = (row, doc)."""
    row, doc = got
    score = float(row["score"])
    problems = []
    if score > honest:
        problems.append("score %s beats the honest %s (full %s)" % (row["score"], honest, full))
    if case.flag is not None:
        csv_flags = [w for w in row.get("integrity", "").split(" | ") if w and case.flag in w]
        json_flags = [w for w in doc.get("extra_data", {}).get("integrity", [])
                      if integrity.is_flag(w) and case.flag in w]
        if not csv_flags:
            problems.append("no integrity finding with %r in the CSV's integrity column (%r)"
                            % (case.flag, row.get("integrity", "")[:300]))
        if not json_flags:
            problems.append("no INTEGRITY flag with %r in %s.json" % (case.flag, case.name))
    if case.note and case.note not in row["warnings"]:
        problems.append("no warning with %r in the CSV" % case.note)
    return "; ".join(problems)


def check_class(c, cases, results, honest_name, full, baseline):
    """One check per case: at most the honest score and flagged (or, with
    --baseline, the cheat works against that grader). FULL: the selected
    tests' points."""
    if honest_name not in results:
        c.check("the honest handout %s was graded" % honest_name, False, sorted(results))
        return
    honest = float(results[honest_name][0]["score"])
    c.check("%s scores %s of the %s points graded: a cheat has something to win" % (
        honest_name, results[honest_name][0]["score"], full), honest < full)
    if not baseline:
        c.check("%s carries no INTEGRITY flag" % honest_name,
                not results[honest_name][0].get("integrity"),
                results[honest_name][0].get("integrity"))
    for case in cases:
        if case.name == honest_name:
            continue
        got = results.get(case.name)
        if got is None:
            c.check("%s: graded" % case.name, False, "no CSV row")
            continue
        if baseline:
            beats = float(got[0]["score"]) > honest
            c.check("baseline: %s (%s) %s the honest %s: %s" % (
                case.name, case.what, "does not beat" if case.before else "beats", honest,
                got[0]["score"]), beats != case.before, got[0].get("warnings", "")[:300])
            continue
        wrong = judge(case, got, honest, full)
        label = "%s: %s -> %s, %s" % (case.name, case.what, got[0]["score"],
                                      "flagged" if case.flag is not None else "noted")
        if case.name in rf.KNOWN_GAPS:
            if wrong:
                print("%s: XFAIL (known gap: %s)\n    %s" % (label, rf.KNOWN_GAPS[case.name],
                                                          wrong), flush=True)
            else:
                c.check("%s: XPASS: the defence has landed, take %r off "
                        "redteam_fixtures.KNOWN_GAPS" % (label, case.name), False)
            continue
        c.check(label, not wrong, wrong)


def check_scripts(c, ref):
    """Every script a build rule runs is protected."""
    found = rf.scripts_run_by_builds(ref, labs.numbers(ref))
    names = [n for n, _ in found]
    c.check("every script a build rule runs is protected (%s)" % ", ".join(names),
            found and all(p for _, p in found) and "lab6-disk/mkdata.py" in names,
            [n for n, p in found if not p])


MACRO_TRICKS = [
    ("a plain #undef", "#undef KTEST\n"),
    ("a comment inside the directive", "# /* x */ define KT_ASSERT(c) (void)0\n"),
    ("a %: digraph split over two lines", "%:\\\nundef KTEST\n"),
    ("a directive between strings holding comment marks",
     'const char *a = "/*";\n#undef KTEST\nconst char *b = "*/";\n'),
    ("_Pragma pop_macro", '_Pragma("pop_macro(\\"KTEST\\")")\n'),
    ("a test helper's name", "#define TESTS_REQUIRE_VM() do { } while (0)\n"),
    ("a keyword", "#define if(c) if (1)\n"),
]


def check_macros(c, ref):
    """The test-framework scan sees through the usual tricks, and refuses no
    student file of the reference."""
    for what, text in MACRO_TRICKS:
        c.check("macro scan: %s is seen" % what, bool(macroscan.macro_overrides(text)),
                repr(text))
    c.check("macro scan: comments and other macros pass",
            not macroscan.macro_overrides("// #undef KTEST\n/* #define KT_FAIL */\n"
                                         "#define MIN(a, b) ((a) < (b) ? (a) : (b))\n"))
    student = [n for n in pristine.walk_files(ref) if n.endswith(macroscan.C_LIKE)
               and not pristine.is_pristine(n)]
    bad = [n for n in student if macroscan.macro_overrides(open(os.path.join(ref, n),
                                                               errors="replace").read())]
    c.check("macro scan: none of the reference's %d student files is refused" % len(student),
            student and not bad, bad)


def check_bundle(c, ref, honest, tmp):
    """Against an autograder's bundle (protected files only), the handout
    loses no file and gets no flag; a shadow header is still found."""
    bundle = os.path.join(tmp, "bundle")
    pristine.copy_tree(ref, bundle, [n for n in pristine.reference_files(ref)
                                     if pristine.handed_out(n) or pristine.is_hidden(n)])
    tree = os.path.join(tmp, "bundle-tree")
    shutil.copytree(honest, tree)
    before = set(pristine.walk_files(tree))
    found = pristine.protect(tree, bundle)
    lost = sorted(before - set(pristine.walk_files(tree)))
    c.check("autograder bundle: the handout keeps its %d files and gets no flag" % len(before),
            not lost and not integrity.flags(found), (lost, found))
    shadow = os.path.join(tree, "lab%d-%s" % (rf.LAB, rf._topic(tree, rf.LAB)), "common",
                          "ktest.h")
    os.makedirs(os.path.dirname(shadow))
    with open(shadow, "w") as f:
        f.write("/* forged */\n")
    found = pristine.protect(tree, bundle)
    c.check("autograder bundle: a nested common/ktest.h is still deleted and flagged",
            not os.path.exists(shadow) and any("common/ktest.h" in w
                                               for w in integrity.flags(found)), found)


def check_outputs(c, tmp):
    """The grader reads build outputs only as regular files, not through links."""
    tree = os.path.join(tmp, "outputs")
    b = os.path.join(tree, "build", "lab2")
    os.makedirs(b)
    secret = os.path.join(tmp, "secret.img")
    with open(secret, "wb") as f:
        f.write(b"not yours\n" * 1000)

    def refused(what):
        try:
            disk.lab_images(b)
        except integrity.UnsafeOutput as e:
            ok = integrity.is_flag(str(e))
            c.check("build outputs: %s is refused with an INTEGRITY flag" % what, ok, e)
            return
        except FileNotFoundError as e:
            c.check("build outputs: %s is refused with an INTEGRITY flag" % what, False, e)
            return
        c.check("build outputs: %s is refused with an INTEGRITY flag" % what, False,
                "accepted")
    os.symlink(secret, os.path.join(b, "disk.img"))
    refused("disk.img as a symbolic link")
    os.unlink(os.path.join(b, "disk.img"))
    os.mkfifo(os.path.join(b, "disk.img"))
    refused("disk.img as a FIFO")
    os.unlink(os.path.join(b, "disk.img"))
    shutil.copyfile(secret, os.path.join(b, "disk.img"))
    os.symlink(secret, os.path.join(b, "data.img"))
    refused("data.img as a symbolic link")
    os.unlink(os.path.join(b, "data.img"))
    shutil.move(b, b + ".real")
    os.symlink(b + ".real", b)
    refused("a linked build/lab2 folder")
    os.unlink(b)
    shutil.move(b + ".real", b)
    try:
        img, _ = disk.lab_images(b)
        copy, _ = disk.copy_images(img, None, os.path.join(tmp, "boot"), "x")
        c.check("build outputs: a regular disk.img is used", os.path.getsize(copy) ==
                os.path.getsize(secret))
    except OSError as e:
        c.check("build outputs: a regular disk.img is used", False, e)


def _full(ref, lab, tests):
    rub = rubric.load(lab, ref)
    return sum(e.points for e in rub.entries if e.name in tests)


def use_baseline(ref, rev):
    """Put the grader of git revision REV into REF (to show the cheats work there)."""
    out = subprocess.run(["git", "-C", ROOT, "ls-tree", "--name-only", rev, GRADER_FILES + "/"],
                         check=True, stdout=subprocess.PIPE, text=True).stdout.split()
    for n in out:
        if n.endswith(".py"):
            data = subprocess.run(["git", "-C", ROOT, "show", "%s:%s" % (rev, n)], check=True,
                                  stdout=subprocess.PIPE).stdout
            with open(os.path.join(ref, n), "wb") as f:
                f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--timeout-scale", default="1")
    ap.add_argument("--baseline", metavar="REV", help="grade with the grader of git revision "
                    "REV instead, and check that every cheat works there")
    ap.add_argument("--no-disk", action="store_true", help="leave out the lab 6 case")
    a = ap.parse_args()
    c = Checks()
    tmp = tempfile.mkdtemp(prefix="stepos-redteam-")
    t0 = time.monotonic()
    try:
        ref = rf.make_reference(os.path.join(tmp, "ref"))
        if a.baseline:
            use_baseline(ref, a.baseline)
        else:
            check_scripts(c, ref)
            check_macros(c, ref)
            check_outputs(c, tmp)
        cases = rf.build_class(ref, os.path.join(tmp, "class"))
        if not a.baseline:
            check_bundle(c, ref, os.path.join(tmp, "class", "honest"), tmp)
        os.makedirs(os.path.join(tmp, "out2"))
        res = grade(ref, os.path.join(tmp, "class"), rf.LAB, rf.TESTS,
                    os.path.join(tmp, "out2"), a.jobs, a.timeout_scale)
        check_class(c, cases, res, "honest", _full(ref, rf.LAB, rf.TESTS), a.baseline)
        if not a.baseline and "honest" in res:
            one = next(x for x in cases if x.name == "shadow_nested")
            grade_one(c, ref, os.path.join(tmp, "class", one.name), one, rf.LAB, rf.TESTS,
                      os.path.join(tmp, "out2"), float(res["honest"][0]["score"]),
                      a.timeout_scale)
        if not a.no_disk:
            cases6 = rf.build_disk_class(ref, os.path.join(tmp, "class6"))
            os.makedirs(os.path.join(tmp, "out6"))
            res6 = grade(ref, os.path.join(tmp, "class6"), rf.DISK_LAB, rf.DISK_TESTS,
                         os.path.join(tmp, "out6"), a.jobs, a.timeout_scale)
            check_class(c, cases6, res6, "honest6", _full(ref, rf.DISK_LAB, rf.DISK_TESTS),
                        a.baseline)
    except Exception as e:                      # a broken fixture is a failure, not a crash
        import traceback
        traceback.print_exc()
        c.check("red-team test ran to the end", False, "%s: %s" % (type(e).__name__, e))
    finally:
        if a.keep:
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("red-team time: %.1fs" % (time.monotonic() - t0))
    print("redteam: %d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
