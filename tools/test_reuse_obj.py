#!/usr/bin/env python3
"""test_reuse_obj.py: `make test` step: tools/reuse_obj.sh copies another lab's object only when make would call it up to date, with the same flags, and from sources that never name LAB_NAME."""
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "tools", "reuse_obj.sh")
FLAGS = "-m32 -O2 -g -I. -DSTEPOS_KERNEL "
LAB = "-DLAB_NAME='\"lab%d\"' -DLAB_TITLE='\"lab%d-x\"'"


class Tree:
    """A scratch tree: sources, two labs' build directories, lab 1's object of
    common/a.c (the donor) and its .d, written oldest first."""

    def __init__(self, d):
        self.d = d
        self.t = time.time() - 100
        self.write("common/a.h", "int a(void);\n")
        self.write("common/a.c", '#include "common/a.h"\nint a(void) { return 1; }\n')
        for n in (1, 2):
            self.write("build/lab%d/cflags" % n, FLAGS + LAB % (n, n) + "\n")
        self.write("build/lab1/obj/common/a.c.d",
                   "build/lab1/obj/common/a.c.o: common/a.c \\\n common/a.h\ncommon/a.h:\n")
        self.write("build/lab1/obj/common/a.c.o", "OBJECT OF LAB 1\n")

    def write(self, rel, text, age=None):
        """Write REL, each file a second newer than the one before (or AGE)."""
        path = os.path.join(self.d, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        self.t += 1
        t = self.t if age is None else age
        os.utime(path, (t, t))

    def reuse(self):
        """(exit status, lab 2's object text or None)."""
        obj = "build/lab2/obj/common/a.c.o"
        p = subprocess.run(["bash", SCRIPT, obj, "build/lab2/cflags",
                            "build/lab3/obj/common/a.c.o", "build/lab1/obj/common/a.c.o"],
                           cwd=self.d, capture_output=True, text=True)
        path = os.path.join(self.d, obj)
        text = open(path).read() if os.path.exists(path) else None
        return p.returncode, text


def main():
    results = []

    def check(what, setup, want_reuse):
        with tempfile.TemporaryDirectory() as d:
            t = Tree(d)
            setup(t)
            rc, text = t.reuse()
            ok = (rc == 0 and text == "OBJECT OF LAB 1\n") if want_reuse else (
                rc == 1 and text is None)
            if ok and want_reuse:
                dep = open(os.path.join(d, "build/lab2/obj/common/a.c.d")).read()
                ok = dep.startswith("build/lab2/obj/common/a.c.o: common/a.c")
            results.append((what, ok, "exit %d, object %r" % (rc, text)))

    check("an up-to-date donor with the same flags is copied (its .d renamed to lab 2's)",
          lambda t: None, True)
    check("a source newer than the donor: compile (make would rebuild the donor)",
          lambda t: t.write("common/a.c", "int a(void) { return 2; }\n"), False)
    check("a header of the donor's .d newer than the donor: compile",
          lambda t: t.write("common/a.h", "int a(void); /* changed */\n"), False)
    check("a header of the donor's .d gone: compile",
          lambda t: os.unlink(os.path.join(t.d, "common/a.h")), False)
    check("a header that names LAB_NAME: compile (the object differs by lab)",
          lambda t: t.write("common/a.h", "#define N LAB_NAME\n", age=t.t - 50), False)
    check("a donor built with other flags: compile",
          lambda t: t.write("build/lab1/cflags", "-O0 " + FLAGS + LAB % (1, 1) + "\n",
                            age=t.t - 50), False)
    check("a flag added after LAB_TITLE is a different flag: compile",
          lambda t: t.write("build/lab2/cflags", FLAGS + LAB % (2, 2) + " -DEXTRA\n"), False)
    check("a donor stamp newer than the donor (new flags, not yet rebuilt): compile",
          lambda t: t.write("build/lab1/cflags", FLAGS + LAB % (1, 1) + "\n"), False)
    check("a donor .o older than its .d (a compile under way or cut short): compile",
          lambda t: t.write("build/lab1/obj/common/a.c.d", open(os.path.join(
              t.d, "build/lab1/obj/common/a.c.d")).read()), False)
    check("a donor without its .d: compile",
          lambda t: os.unlink(os.path.join(t.d, "build/lab1/obj/common/a.c.d")), False)
    passed = 0
    for what, ok, detail in results:
        print("%s: %s%s" % (what, "OK" if ok else "FAIL", "" if ok else "\n    " + detail))
        passed += ok
    print("reuse_obj: %d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
