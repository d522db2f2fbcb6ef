#!/usr/bin/env python3
"""submit.py: `make submit`: zip the source tree the autograder expects, after checking it."""
import argparse
import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))

import intake   # noqa: E402
import labs     # noqa: E402
import rubric   # noqa: E402

FILE_MAX = 1 << 20          # bytes: no source file of StepOS comes near this
LEFT_OUT_DIRS = {"build", ".git", "__pycache__"}
LEFT_OUT_FILES = {".gdbinit", "compile_commands.json"}


class SubmitError(Exception):
    """The tree cannot be submitted as it is; the message says why."""


def submit_files(root, out=None):
    """Sorted paths (relative to ROOT) to submit: git's tracked and untracked-not-ignored
    files when ROOT is a git work tree, else every file outside build/ and the version
    control folders; never OUT (an earlier archive) nor gdb's and clangd's generated files."""
    git = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard"], capture_output=True)
    if git.returncode == 0:
        names = [n for n in git.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    else:
        names = []
        for d, dirs, files in os.walk(root):
            dirs[:] = sorted(x for x in dirs if x not in LEFT_OUT_DIRS | intake.SKIP_DIRS)
            names += [os.path.relpath(os.path.join(d, f), root) for f in files
                      if not f.endswith((".lock", ".pyc")) and f not in intake.JUNK]
    skip = os.path.relpath(os.path.abspath(out), root) if out else None
    keep = []
    for n in names:
        if n == skip:
            continue
        top = n.split("/")[0]
        if top in LEFT_OUT_DIRS or "__pycache__" in n.split("/") or n in LEFT_OUT_FILES:
            continue
        if os.path.lexists(os.path.join(root, n)):       # skip files deleted but tracked
            keep.append(n)
    return sorted(set(keep))


def check_files(root, names, limits):
    """Raise SubmitError unless NAMES form a tree the autograder accepts."""
    if "Makefile" not in names or not any(n.startswith("lab1-") for n in names):
        raise SubmitError("%s is not a StepOS tree (no Makefile or no lab1-* folder)" % root)
    total = 0
    for n in names:
        path = os.path.join(root, n)
        if os.path.islink(path) or not os.path.isfile(path):
            raise SubmitError("%s is a symbolic link or not a regular file: the autograder "
                              "refuses it; replace it with the file itself" % n)
        size = os.path.getsize(path)
        if size > FILE_MAX:
            raise SubmitError("%s is %d KiB, over the %d KiB limit for one file: is it a "
                              "build output or data that does not belong in the submission?"
                              % (n, size // 1024, FILE_MAX // 1024))
        total += size
    if len(names) > limits.max_files or total > limits.max_bytes:
        raise SubmitError("%d files, %d bytes: over the autograder's limits (%d files, %d "
                          "bytes)" % (len(names), total, limits.max_files, limits.max_bytes))
    return total


def write_zip(root, names, out):
    """Zip NAMES (relative to ROOT) into OUT, the tree at the archive's top."""
    tmp = out + ".part"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            z.write(os.path.join(root, n), n)
    os.replace(tmp, out)


def main(argv=None):
    p = argparse.ArgumentParser(prog="submit.py", description="Write the zip file to "
                                "upload to the autograder: the source tree without build/ "
                                "or .git, checked (and built, with --lab).")
    p.add_argument("--lab", help="N: build lab N first and refuse if it does not build")
    p.add_argument("--out", help="the archive (default build/submission[-labN].zip)")
    a = p.parse_args(argv)
    number = None
    if a.lab:
        number = rubric.lab_number(a.lab)
        if number is None:
            p.error("unknown lab %r: expected one of %s (or labN, labN-name)"
                    % (a.lab, labs.describe()))
    out = a.out or os.path.join(ROOT, "build", "submission%s.zip"
                                % ("-lab%d" % number if number else ""))
    try:
        if number is not None:
            build = subprocess.run(["make", "-s", "build-lab%d" % number], cwd=ROOT)
            if build.returncode != 0:
                raise SubmitError("make build-lab%d failed: fix the build before submitting "
                                  "(the autograder builds your tree the same way)" % number)
        names = submit_files(ROOT, out)
        total = check_files(ROOT, names, intake.Limits())
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        write_zip(ROOT, names, out)
    except SubmitError as e:
        sys.exit("submit: refused: %s" % e)
    print("submit: wrote %s: %d files, %d KiB of sources%s"
          % (os.path.relpath(out, ROOT), len(names), total // 1024,
             "" if number is None else ", lab %d builds" % number))
    print("submit: upload %s to the autograder%s (the whole file, as it is)"
          % (os.path.relpath(out, ROOT),
             "" if number is None else "'s lab %d assignment" % number))
    return 0


if __name__ == "__main__":
    sys.exit(main())
