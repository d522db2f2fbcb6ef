"""pristine.py: which files a submission may not change, and restoring them from the reference tree."""
import filecmp
import fnmatch
import os
import re
import shutil
import subprocess

# Files a submission may not change: --pristine restores them from the
# reference (and deletes the submission's extra ones). common/ holds no lab
# exercise; lab 1's command-line handling decides which tests run and with
# which seed; tests_*, bench_* and hidden_* are the tests; lab.mk, the
# Makefile and tools/ are the build; grade/ is the grader and its rubrics.
# A reference file with a LAB k: BEGIN SOLUTION marker is student work and is
# never restored, whatever the patterns say.
PRISTINE_PATTERNS = [
    "Makefile", "common/*",
    "lab1-boot/cmdline.c", "lab1-boot/cmdline.h", "lab1-boot/kmain.c",
    "lab*/lab.mk", "lab*/tests_*", "lab*/bench_*", "lab*/hidden_*", "lab*/host_tests/*",
    "tools/*", "grade/*",
]
# Hidden tests: in the reference only. The handout leaves them out, the
# pristine overlay puts them back, the Makefile links labN-*/hidden_*.c into
# lab N, and grade/rubrics/labN.hidden.toml scores them (grade/README.md).
HIDDEN_PATTERNS = ["lab*/hidden_*", "grade/rubrics/*.hidden.toml"]
# Instructor-only tooling, also left out of handouts: the grader's broken-kernel
# patches and the class fixtures quote lines of the reference solutions.
INSTRUCTOR_ONLY = ["grade/selftest_cases/*", "tools/class_fixtures.py", "tools/class_test.py",
                   "tools/autograder_check.py"]
SKIP_DIRS = {".git", "build", "__pycache__"}
# A solution marker (tools/handout.py) in a C or nasm file.
SOLUTION_MARK = re.compile(rb"LAB\s+\d+:\s+BEGIN SOLUTION")
SOURCE_EXT = (".c", ".h", ".asm", ".inc", ".S")


def is_pristine(path):
    return any(fnmatch.fnmatchcase(path, p) for p in PRISTINE_PATTERNS)


def is_hidden(path):
    return any(fnmatch.fnmatchcase(path, p) for p in HIDDEN_PATTERNS)


def handed_out(path):
    """False for the files make handout leaves out (hidden tests, instructor tools)."""
    return not is_hidden(path) and not any(fnmatch.fnmatchcase(path, p)
                                           for p in INSTRUCTOR_ONLY)


def walk_files(root):
    """Relative paths of the regular files under ROOT (symbolic links, build
    output and VCS data left out); runs no program, so safe on untrusted trees."""
    names = []
    for d, dirs, files in os.walk(root):
        rel = os.path.relpath(d, root)
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS
                         and not os.path.islink(os.path.join(d, x)))
        for f in files:
            full = os.path.join(d, f)
            if os.path.isfile(full) and not os.path.islink(full):
                names.append(f if rel == "." else os.path.join(rel, f))
    return sorted(names)


def source_files(root):
    """Files of a trusted tree (the reference, the project): git's view when
    it is a repository (tracked + untracked, not ignored), else walk_files."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], check=True, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout.decode()
        names = [n for n in out.split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = None
    if not names:
        return walk_files(root)
    return [n for n in names if n.split("/", 1)[0] not in SKIP_DIRS and
            os.path.isfile(os.path.join(root, n))]


def copy_tree(src, dest, files=None):
    """Copy the files of SRC (source_files, or FILES) into DEST (created)."""
    for n in (source_files(src) if files is None else files):
        target = os.path.join(dest, n)
        os.makedirs(os.path.dirname(target) or dest, exist_ok=True)
        shutil.copy2(os.path.join(src, n), target)


def _has_solution(path):
    if not path.endswith(SOURCE_EXT):
        return False
    try:
        with open(path, "rb") as f:
            return SOLUTION_MARK.search(f.read()) is not None
    except OSError:
        return False


def reference_files(ref):
    """The protected files of the reference tree REF."""
    return sorted(n for n in source_files(ref)
                  if is_pristine(n) and not _has_solution(os.path.join(ref, n)))


def changes(tree, ref, ref_files=None):
    """(changed, added, deleted) protected files of TREE against REF; files
    the handout leaves out are not 'deleted' when the tree lacks them."""
    ref_files = set(reference_files(ref) if ref_files is None else ref_files)
    mine = {n for n in walk_files(tree) if is_pristine(n)}
    changed = sorted(n for n in mine & ref_files if not filecmp.cmp(
        os.path.join(tree, n), os.path.join(ref, n), shallow=False))
    added = sorted(n for n in mine - ref_files if not _has_solution(os.path.join(tree, n)))
    deleted = sorted(n for n in ref_files - mine if handed_out(n))
    return changed, added, deleted


def describe_changes(changed, added, deleted, limit=12):
    """One warning line listing the student's changes to protected files, or ''."""
    def names(what, lst):
        shown = ", ".join(lst[:limit]) + (" and %d more" % (len(lst) - limit)
                                          if len(lst) > limit else "")
        return "%s: %s" % (what, shown)
    parts = [names(w, l) for w, l in (("changed", changed), ("added", added),
                                      ("deleted", deleted)) if l]
    if not parts:
        return ""
    return ("WARNING: this submission modified files the grader restores from the "
            "reference (%s); graded with the reference's versions" % "; ".join(parts))


def overlay(tree, ref, ref_files=None):
    """Make TREE's protected files those of REF; returns the warning ('' if none)."""
    ref_files = reference_files(ref) if ref_files is None else ref_files
    warning = describe_changes(*changes(tree, ref, ref_files))
    keep = set(ref_files)
    for n in walk_files(tree):
        if is_pristine(n) and n not in keep and not _has_solution(os.path.join(tree, n)):
            os.unlink(os.path.join(tree, n))
    for n in ref_files:
        target = os.path.join(tree, n)
        if os.path.islink(target) or os.path.isdir(target):
            shutil.rmtree(target) if os.path.isdir(target) else os.unlink(target)
        os.makedirs(os.path.dirname(target) or tree, exist_ok=True)
        shutil.copy2(os.path.join(ref, n), target)
    return warning
