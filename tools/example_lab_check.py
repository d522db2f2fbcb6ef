#!/usr/bin/env python3
"""example_lab_check.py: the example lab of docs/adding-a-lab.md, written into a copy of the tree as the next lab, builds, grades, hands out, benchmarks and bundles with no other edit."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import build_reuse  # noqa: E402
import labs       # noqa: E402
import pristine   # noqa: E402

DOC = os.path.join(ROOT, "docs", "adding-a-lab.md")
DOC_LAB, DOC_PREV, DOC_PREV_DIR = 7, 6, "lab6-disk"   # what the page is written as
FILE_RE = re.compile(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```\n", re.S)


def doc_files():
    """{path: text} of the example lab as docs/adding-a-lab.md shows it."""
    with open(DOC) as f:
        return dict(FILE_RE.findall(f.read()))


def renumber(text, n, prev_dir):
    """TEXT of the lab-7 example as lab N on top of PREV_DIR (lab N-1)."""
    p = n - 1
    # A placeholder first: PREV_DIR may itself be "lab7-...", which the
    # renumbering below must not touch.
    text = text.replace(DOC_PREV_DIR, "\0PREV_DIR\0")
    text = re.sub(r"\blab%d(?=[_\-\"'. ]|$)" % DOC_LAB, "lab%d" % n, text, flags=re.M)
    text = re.sub(r"\bLAB%d_" % DOC_LAB, "LAB%d_" % n, text)
    text = re.sub(r"\bLAB %d\b" % DOC_LAB, "LAB %d" % n, text)
    text = re.sub(r"\bLab %d\b" % DOC_LAB, "Lab %d" % n, text)
    text = re.sub(r"\blab %d\b" % DOC_LAB, "lab %d" % n, text)
    text = re.sub(r"\blab%d_setup\b" % DOC_PREV, "lab%d_setup" % p, text)
    text = re.sub(r"\blab %d's\b" % DOC_PREV, "lab %d's" % p, text)
    return text.replace("\0PREV_DIR\0", prev_dir)


def run(cmd, cwd, timeout=900):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        return None, "timed out after %ds: %s" % (timeout, (e.stdout or "")[-500:])


def score(out):
    m = re.search(r"^Score: (\d+)/(\d+)", out, re.M)
    return (int(m.group(1)), int(m.group(2))) if m else None


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, ok, detail=""):
        print("%s: %s" % (what, "OK" if ok else "FAIL"), flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("    " + detail[-2500:].replace("\n", "\n    "))
        return ok


def main():
    c = Checks()
    files = doc_files()
    c.check("docs/adding-a-lab.md shows the files of a lab (lab.mk, main.c, a test, "
            "rubric.toml)", all(any(f.endswith(x) for f in files) for x in
                                ("lab.mk", "main.c", "rubric.toml")) and
            any("/tests_" in f for f in files), " ".join(files))
    existing = labs.discover(ROOT)
    n = existing[-1].number + 1
    if n > 9:
        c.check("a free lab number (1-9)", False, "labs: %s" % labs.describe(ROOT))
        return finish(c)
    name = "lab%d-example" % n
    tmp = tempfile.mkdtemp(prefix="stepos-example-lab-")
    try:
        tree = os.path.join(tmp, "tree")
        pristine.copy_tree(ROOT, tree)
        shutil.rmtree(os.path.join(tree, "build"), ignore_errors=True)
        # The other labs' objects, as a working tree has them: the new lab
        # copies those of the files it compiles the same way
        # (tools/reuse_obj.sh) and compiles the rest.
        build_reuse.seed(ROOT, tree, [lab.number for lab in existing])
        for path, text in files.items():
            dest = os.path.join(tree, path.replace("lab%d-example" % DOC_LAB, name))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "w") as f:
                f.write(renumber(text, n, existing[-1].dir))
        print("example lab written as %s (on top of %s)" % (name, existing[-1].dir))
        checks(c, tree, n, name, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish(c)


def checks(c, tree, n, name, tmp):
    lab = "lab%d" % n
    rc, out = run(["make", "-s", "build-" + lab], tree)
    if not c.check("make build-%s" % lab, rc == 0, out):
        return
    rc, out = run(["make", "-n", lab], tree)
    c.check("make %s is a target" % lab, rc == 0, out)
    rc, out = run([sys.executable, "tools/monitor_smoke.py", lab], tree)
    c.check("%s boots to the monitor" % lab, rc == 0 and "boot to monitor prompt" in out, out)
    rc, out = run(["make", "-s", "grade-" + lab, "EMU=both"], tree)
    s = score(out)
    c.check("make grade-%s EMU=both: full marks (%s)" % (lab, "%d/%d" % s if s else "no score"),
            rc == 0 and s is not None and s[0] == s[1] > 0, out)
    hand = os.path.join(tmp, "handout")
    rc, out = run(["make", "-s", "handout", "LAB=%d" % n, "OUT=" + hand], tree)
    if c.check("make handout LAB=%d" % n, rc == 0, out):
        # Objects of the files the handout leaves unchanged come from the
        # example tree's build: what it strips is compiled (tools/build_reuse.py).
        build_reuse.seed(tree, hand, [n])
        rc, out = run([sys.executable, "grade/grade.py", lab, "--no-rerun"], hand)
        s = score(out)
        c.check("the handout builds and loses points (%s)" % ("%d/%d" % s if s else "no score"),
                rc == 1 and s is not None and s[0] < s[1] and "BUILD-FAIL" not in out, out)
    rc, out = run([sys.executable, "tools/bench.py", lab], tree)
    c.check("tools/bench.py %s runs its (empty) benchmarks cleanly" % lab,
            rc == 0, out)
    zpath = os.path.join(tmp, "ag.zip")
    rc, out = run(["make", "-s", "autograder", "LAB=%d" % n, "OUT=" + zpath], tree)
    ok = rc == 0 and os.path.exists(zpath)
    if ok:
        with zipfile.ZipFile(zpath) as z:
            names = z.namelist()
        ok = any(x.endswith("%s/rubric.toml" % name) for x in names)
        out += "\nzip holds: %s" % " ".join(names[:40])
    c.check("make autograder LAB=%d bundles the lab's rubric" % n, ok, out)
    link_list(c, tree, n, name)


LINK_PROBE = "example_link_probe"


def kernel_symbols(tree, lab):
    """The symbol names of TREE/build/LAB/kernel.elf (an empty set if nm fails)."""
    p = subprocess.run(["nm", os.path.join(tree, "build", lab, "kernel.elf")],
                       capture_output=True, text=True)
    return {ln.split()[-1] for ln in p.stdout.splitlines() if ln.split()} if p.returncode == 0 \
        else set()


def link_list(c, tree, n, name):
    """A change of the files a kernel links relinks it although no object is
    newer than the kernel: a file taken out of LIB (its object stays in obj/),
    put back, and a deleted tests_*.c (common/rules.mk's link-list stamp)."""
    lab = "lab%d" % n
    mk = os.path.join(tree, name, "lab.mk")
    with open(mk) as f:
        lab_mk = f.read()
    with open(os.path.join(tree, name, "link_probe.c"), "w") as f:
        f.write("/* link_probe.c: a file the link-list check adds to LIB. */\n"
                "int %s(void);\nint %s(void)\n{\n    return 1;\n}\n" % (LINK_PROBE, LINK_PROBE))

    def build(lib_extra, what, want_probe, want_test=True):
        with open(mk, "w") as f:
            f.write(lab_mk + ("%s_LIB += link_probe.c\n" % name if lib_extra else ""))
        rc, out = run(["make", "-s", "build-" + lab], tree)
        syms = kernel_symbols(tree, lab)
        test_in = any(s.endswith("example_counter_saturates") for s in syms)
        c.check("link list: %s relinks %s (%s %s, the test %s)" % (
            what, lab, LINK_PROBE, "linked" if want_probe else "gone",
            "linked" if want_test else "gone"),
            rc == 0 and bool(syms) and (LINK_PROBE in syms) == want_probe
            and test_in == want_test,
            "a kernel must link exactly the files of its link list, whatever the mtimes; "
            "make said:\n" + out)
    build(True, "link_probe.c added to LIB", True)
    build(False, "link_probe.c taken out of LIB", False)
    build(True, "link_probe.c put back into LIB (its object older than the kernel)", True)
    for t in os.listdir(os.path.join(tree, name)):
        if t.startswith("tests_") and t.endswith(".c"):
            os.remove(os.path.join(tree, name, t))
    build(True, "the lab's tests_*.c deleted", True, want_test=False)


def finish(c):
    print("example-lab: %d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
