#!/usr/bin/env python3
"""test_build_seed.py: a hostile submission's build seeded from the grader's pristine build still compiles the submission's own code (old mtimes, changed headers, shipped build/)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import pristine  # noqa: E402
import pristine_build  # noqa: E402
import rubric  # noqa: E402
from pristine_build import build_reuse  # noqa: E402

LAB = 2
BDIR = "lab%d" % LAB
SOLUTION = "lab2-frames/cfp_bitmap.c"     # a student's file (not protected)
HEADER = "lab2-frames/cfp_bitmap.h"
PROBE = "\nint seed_probe_marker(void) { return 0x5eed5eed; }\n"
EPOCH_1970 = 0


class Check:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, name, ok, detail=""):
        print("  %s %s%s" % ("ok  " if ok else "FAIL", name, "" if ok else ": " + str(detail)))
        if ok:
            self.passed += 1
        else:
            self.failed += 1


def make(tree):
    """Build lab LAB of TREE; returns the set of C files make compiled."""
    p = subprocess.run(["make", "-C", tree, "--no-print-directory", "build-" + BDIR],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0:
        raise RuntimeError("make build-%s failed in %s:\n%s" % (BDIR, tree, out[-2000:]))
    return set(re.findall(r"CC\s+(\S+\.c) \[", out))


def kernel(tree):
    with open(os.path.join(tree, "build", BDIR, "kernel.bin"), "rb") as f:
        return f.read()


def submission(tmp, name, edit=None, old_mtime=True):
    """A copy of the pristine sources, EDIT(tree) applied, every file's mtime
    set to 1970 when OLD_MTIME (what a tar or zip can carry)."""
    tree = os.path.join(tmp, name)
    pristine.copy_tree(ROOT, tree)
    if edit:
        edit(tree)
    if old_mtime:
        for d, _, files in os.walk(tree):
            for f in files:
                os.utime(os.path.join(d, f), (EPOCH_1970, EPOCH_1970))
    return tree


def append(rel, text):
    def edit(tree):
        with open(os.path.join(tree, rel), "a") as f:
            f.write(text)
    return edit


def includers(pb, rel):
    """The C files whose pristine .d names REL."""
    out = set()
    for d, _, files in os.walk(os.path.join(pb.dest, "build", BDIR, "obj")):
        for f in files:
            if f.endswith(".c.d"):
                deps = build_reuse._deps(os.path.join(d, f))
                if rel in deps:
                    out.add(deps[0])
    return out


def main():
    c = Check()
    tmp = tempfile.mkdtemp(prefix="stepos-seedtest-")
    try:
        pb = pristine_build.PristineBuild(ROOT, os.path.join(tmp, ".pristine"),
                                          [rubric.load(LAB)])
        print(pb.seed(submission(tmp, "warmup")))   # builds the pristine tree
        ref_kernel = kernel(pb.dest)

        same = submission(tmp, "same")
        n, why = build_reuse.seed_verified(pb.dest, same, [BDIR])
        compiled = make(same)
        c.check("identical tree: objects are reused (seeded %d, %s)" % (n, why or "no gate"),
                n > 0 and not compiled, "compiled %s" % sorted(compiled))
        c.check("identical tree: the seeded build's kernel.bin is byte-identical to a clean "
                "build's", kernel(same) == ref_kernel)

        changed = submission(tmp, "changed", append(SOLUTION, PROBE))
        scratch = submission(tmp, "scratch", append(SOLUTION, PROBE))
        build_reuse.seed_verified(pb.dest, changed, [BDIR])
        compiled = make(changed)
        make(scratch)
        c.check("a changed file with a 1970 mtime is compiled from the submission",
                SOLUTION in compiled, "compiled %s" % sorted(compiled))
        c.check("a changed file with a 1970 mtime: kernel.bin is the submission's own (equal "
                "to a from-scratch build of it, not the pristine one)",
                kernel(changed) == kernel(scratch) != ref_kernel)

        hdr = submission(tmp, "header", append(HEADER, "\n#define SEED_PROBE_HEADER 1\n"))
        build_reuse.seed_verified(pb.dest, hdr, [BDIR])
        compiled, want = make(hdr), includers(pb, HEADER)
        c.check("a changed header (1970 mtime) recompiles every file that includes it",
                want and want <= compiled, "includers %s, compiled %s" % (sorted(want),
                                                                          sorted(compiled)))

        def ship_build(tree):
            for rel in ("build/%s/obj/%s.o" % (BDIR, SOLUTION), "build/%s/kernel.bin" % BDIR,
                        "build/%s/cflags" % BDIR, "build/boot/junk.o"):
                path = os.path.join(tree, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(b"SHIPPED-BY-STUDENT")
        shipped = submission(tmp, "shipped", ship_build, old_mtime=False)
        future = 4102444800                       # 2100: make would trust them
        for d, _, files in os.walk(os.path.join(shipped, "build")):
            for f in files:
                os.utime(os.path.join(d, f), (future, future))
        build_reuse.seed_verified(pb.dest, shipped, [BDIR])
        left = [os.path.relpath(os.path.join(d, f), shipped)
                for d, _, files in os.walk(os.path.join(shipped, "build")) for f in files
                if open(os.path.join(d, f), "rb").read() == b"SHIPPED-BY-STUDENT"]
        make(shipped)
        c.check("a submission's own build/ files are all gone after seeding", not left, left)
        c.check("a submission shipping build/: kernel.bin is the clean build's",
                kernel(shipped) == ref_kernel)

        mk = submission(tmp, "labmk", append("lab2-frames/lab.mk", "\n# edited\n"))
        n, why = build_reuse.seed_verified(pb.dest, mk, [BDIR])
        c.check("a changed lab.mk seeds nothing", n == 0 and "lab.mk" in why, (n, why))
        # "lab2-frames/frames.h" from lab2-frames/x.c finds this one first
        fake = "lab2-frames/lab2-frames/frames.h"

        def add_shadow(tree):
            os.makedirs(os.path.dirname(os.path.join(tree, fake)))
            shutil.copy(os.path.join(tree, "lab2-frames/frames.h"), os.path.join(tree, fake))
            append(fake, "#define SEED_SHADOW 1\n")(tree)
        shadow = submission(tmp, "shadow", add_shadow)
        n, why = build_reuse.seed_verified(pb.dest, shadow, [BDIR])
        c.check("an added file named like a header seeds nothing (it could shadow one)",
                n == 0 and "frames.h" in why, (n, why))
        system = submission(tmp, "system", append("stdint.h", "#error shadowed\n"))
        n, why = build_reuse.seed_verified(pb.dest, system, [BDIR])
        c.check("an added stdint.h (-I. puts it before the compiler's) seeds nothing",
                n == 0 and "stdint.h" in why, (n, why))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("test_build_seed: %d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
