"""pristine.py: which files a submission may not change, and restoring them from the reference tree."""
import filecmp
import fnmatch
import functools
import os
import posixpath
import re
import shutil
import subprocess

import integrity
import macroscan

# Files a submission may not change: --pristine restores them from the
# reference (and deletes the submission's extra ones). common/ holds no lab
# exercise; lab 1's command-line handling decides which tests run and with
# which seed; tests_*, bench_* and hidden_* are the tests; lab.mk, the
# Makefile, tools/ and every script a lab's build rule runs (lab*/mk*.py:
# lab 6's mkdata.py writes the data disk) are the build; grade/ is the
# grader and its rubrics. user/ holds the user library and programs lab 7's
# tests spawn and judge by exit status: given code, restored. The boot loader and the kernel entry run before
# the test runner takes its per-boot key (grade/README.md section 10), and
# lab 6's disk_trace records the events its waiting tests judge: both are
# given code, never an exercise. protect() adds what a restore alone cannot give:
# no prebuilt build/, no build file make would read besides the Makefile,
# no file that would be compiled instead of a protected header.
# A reference file with a LAB k: BEGIN SOLUTION marker is student work and is
# never restored, whatever the patterns say.
PRISTINE_PATTERNS = [
    "Makefile", "common/*",
    "lab1-boot/cmdline.c", "lab1-boot/cmdline.h", "lab1-boot/kmain.c",
    "lab1-boot/boot/*", "lab1-boot/entry.asm", "lab6-disk/disk_trace.*",
    "lab*/lab.mk", "lab*/rubric.toml", "lab*/checks.py", "lab*/mk*.py", "lab*/tests_*",
    "lab*/bench_*", "lab*/hidden_*", "lab*/host_tests/*",
    "tools/*", "grade/*", "user/*",
]
# Hidden tests: in the reference only. The handout leaves them out, the
# pristine overlay puts them back, the Makefile links labN-*/hidden_*.c into
# lab N, and hidden_rubric.toml beside them scores them (grade/README.md).
HIDDEN_PATTERNS = ["lab*/hidden_*"]
# Instructor-only tooling, also left out of handouts: the grader's broken-kernel
# patches and the class fixtures quote lines of the reference solutions; the
# red-team fixtures are a catalogue of ways to cheat the grader.
INSTRUCTOR_ONLY = ["grade/selftest_cases/*", "tools/class_fixtures.py", "tools/class_test.py",
                   "tools/autograder_check.py", "tools/redteam_fixtures.py",
                   "tools/redteam_test.py"]
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
    text = ("this submission modified files the grader restores from the "
            "reference (%s); graded with the reference's versions" % "; ".join(parts))
    # Deleting a test earns nothing (it is restored); changing or adding one only cheats.
    return integrity.flag(text) if changed or added else "WARNING: " + text


def overlay(tree, ref, ref_files=None):
    """protect(), its findings as one text ('' if none): the older interface."""
    return "\n".join(protect(tree, ref, ref_files))


def protect(tree, ref, ref_files=None):
    """Make submission TREE (a private copy) build only from REF what REF
    protects: delete its build/ (never trusted, wherever the tree sat in the
    submission), build files make would read besides the Makefile, and every
    file that would be compiled instead of a header a protected file
    includes; then restore the protected files, and refuse to build a
    student file that redefines the test framework (a test it includes
    would not be the reference's). Returns the warning lines:
    INTEGRITY flags (integrity.py) for what only a cheat needs, plain
    warnings for the rest."""
    ref_files = reference_files(ref) if ref_files is None else ref_files
    found = [_drop_build(tree), _drop_build_files(tree, ref), _drop_shadows(tree, ref)]
    found.append(_restore(tree, ref, ref_files))
    found.append(_refuse_macro_overrides(tree, ref))
    return [w for w in found if w]


def _restore(tree, ref, ref_files):
    """Make TREE's protected files those of REF; returns the warning ('' if none)."""
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


# ---- What a restore alone cannot protect ----------------------------------
# Build files GNU make reads before (or besides) the Makefile, at the tree's
# top, and the make fragments a tree may hold (only the reference's count).
MAKE_FIRST = ("GNUmakefile", "makefile")
MAKE_FRAGMENT = "*.mk"
# C includes (with the digraph %: for #) and nasm's %include / incbin.
C_INCLUDE = re.compile(rb'^[ \t]*(?:#|%:)[ \t]*include(?:_next)?[ \t]*([<"])([^>"\n]+)[>"]',
                       re.M)
NASM_INCLUDE = re.compile(rb'^[ \t]*(?:%[ \t]*include|[ \t]*incbin)[ \t]+["<\']([^">\'\n]+)',
                          re.M | re.I)
# A line gcc -MMD -MP writes in a .d file: "target: prerequisites" or
# "header:" (no recipe, variable, directive or special .TARGET).
DEP_LINE = re.compile(r"^[^\s:=;$#|.][^\s:=;$#|]*:(?:[ \t]+[^\s:=;$#|]+)*[ \t]*$")


def _listing(paths, limit=12):
    return ", ".join(paths[:limit]) + (" and %d more" % (len(paths) - limit)
                                       if len(paths) > limit else "")


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def _drop_build(tree):
    """Delete TREE/build (make would trust what it holds). Returns an
    INTEGRITY flag when it held make rules or links, which no build of ours
    writes there; a NOTE for plain leftovers (a zipped working tree)."""
    top = os.path.join(tree, "build")
    if not os.path.lexists(top):
        return ""
    odd, rules, count = [], [], 0
    if os.path.islink(top) or not os.path.isdir(top):
        odd.append("build")
    else:
        for d, dirs, files in os.walk(top):
            for x in dirs + files:
                full = os.path.join(d, x)
                rel = os.path.relpath(full, tree)
                if os.path.islink(full) or not (os.path.isdir(full) or os.path.isfile(full)):
                    odd.append(rel)
                elif x in files:
                    count += 1
                    if x.endswith(".d") and not _plain_deps(full):
                        rules.append(rel)
    _remove(top)
    if odd or rules:
        return integrity.flag(
            "the submission's build/ held %s; deleted before the build (everything was "
            "built from source)" % "; ".join(
                (["make rules in dependency files: " + _listing(rules)] if rules else []) +
                (["links or special files: " + _listing(odd)] if odd else [])))
    return ("NOTE: the submission's build/ (%d file%s of earlier build output) was deleted "
            "unread; everything was built from source" % (count, "" if count == 1 else "s"))


def _plain_deps(path):
    """True if .d file PATH holds only what gcc -MMD -MP writes."""
    try:
        with open(path, errors="replace") as f:
            text = f.read().replace("\\\n", " ")
    except OSError:
        return False
    return all(DEP_LINE.match(line) for line in text.splitlines() if line.strip())


def _drop_build_files(tree, ref):
    """Delete GNUmakefile/makefile at TREE's top (make prefers them to the
    Makefile) and every make fragment (*.mk) REF does not have."""
    ref_set = set(source_files(ref))
    extra = [n for n in MAKE_FIRST if os.path.lexists(os.path.join(tree, n))
             and n not in ref_set]
    extra += [n for n in walk_files(tree) if fnmatch.fnmatchcase(posixpath.basename(n),
                                                                 MAKE_FRAGMENT)
              and n not in ref_set and n not in extra]
    for n in extra:
        _remove(os.path.join(tree, n))
    if not extra:
        return ""
    return integrity.flag("build files make would read besides the reference's Makefile "
                          "were deleted: %s" % _listing(sorted(extra)))


@functools.lru_cache(maxsize=8)
def shadow_paths(ref):
    """{path: (protected file, included name)}: the paths, relative to a
    tree, where a file would be compiled instead of what a protected file
    of REF includes. gcc looks for #include "X" in the
    including file's folder, then in the tree's top (-I.); for <X> in the
    tree's top before the compiler's own headers; nasm in the tree's top,
    then beside the file. Every place searched before the one REF resolves
    to is a shadow (a nested lab3-paging/common/kprintf.h, a top-level
    stdint.h). When REF lacks the file (a student's header, and REF an
    autograder's bundle of protected files only), <X> is a system header;
    for "X", only places in folders REF does not have are shadows."""
    ref_set = set(source_files(ref))
    ref_dirs = _folders(ref_set)
    found = {}
    for f in reference_files(ref):
        if not f.endswith(SOURCE_EXT):
            continue
        try:
            with open(os.path.join(ref, f), "rb") as fh:
                text = fh.read().replace(b"\\\n", b"")
        except OSError:
            continue
        here = posixpath.dirname(f)
        if f.endswith((".asm", ".inc")):
            wanted = [(m.group(1).decode(errors="replace"), "nasm")
                      for m in NASM_INCLUDE.finditer(text)]
        else:
            wanted = [(m.group(2).decode(errors="replace"), m.group(1).decode())
                      for m in C_INCLUDE.finditer(text)]
        for name, kind in wanted:
            order = {"\"": [posixpath.join(here, name), name], "<": [name],
                     "nasm": [name, posixpath.join(here, name)]}[kind]
            cands = [c for c in (posixpath.normpath(x) for x in order)
                     if not c.startswith(("..", "/"))]
            hit = next((i for i, c in enumerate(cands) if c in ref_set), None)
            if hit is not None:
                shadows = cands[:hit]
            elif kind == "<":
                shadows = cands
            else:
                shadows = [c for c in cands if posixpath.dirname(c) not in ref_dirs]
            for c in shadows:
                found.setdefault(c, (f, name))
    return found


def _folders(names):
    """Every folder holding one of NAMES (relative paths), with its parents; '' is the top."""
    dirs = {""}
    for n in names:
        d = posixpath.dirname(n)
        while d not in dirs:
            dirs.add(d)
            d = posixpath.dirname(d)
    return dirs


def _drop_shadows(tree, ref):
    """Delete TREE's files that would be compiled instead of a header a
    protected file includes, and the sources (.c, .h...) of any copy of a
    protected top-level folder nested in the tree (lab3-paging/common/...),
    which no honest build reads."""
    ref_set = set(source_files(ref))
    tops = {n.split("/", 1)[0] for n in reference_files(ref) if "/" in n}
    ref_dirs = _folders(ref_set)
    hits = []
    for path, (f, name) in sorted(shadow_paths(ref).items()):
        if path not in ref_set and os.path.lexists(os.path.join(tree, path)):
            hits.append("%s (instead of %s in %s)" % (path, name, f))
            _remove(os.path.join(tree, path))
    for n in walk_files(tree):
        parts = n.split("/")
        nested = [i for i in range(1, len(parts) - 1) if parts[i] in tops
                  and "/".join(parts[:i + 1]) not in ref_dirs]
        if nested and n not in ref_set and n.endswith(SOURCE_EXT):
            hits.append("%s (a copy of the protected folder %s/)" % (n, parts[nested[0]]))
            _remove(os.path.join(tree, n))
    if not hits:
        return ""
    return integrity.flag("files that would be compiled instead of protected headers were "
                          "deleted: %s" % _listing(hits))


# ---- Student headers that redefine the test framework ---------------------
# A student header a protected test includes after common/ktest.h could
# #undef and redefine KTEST or an assertion: the test file is the
# reference's, the test it compiles to is not (macroscan.py finds that).


@functools.lru_cache(maxsize=8)
def _test_macro_names(ref):
    """Macros the reference's protected headers define (tests' own helpers)."""
    names = set()
    for f in reference_files(ref):
        if f.endswith(".h") and ("/tests_" in f or f == "common/ktest.h"):
            with open(os.path.join(ref, f), errors="replace") as fh:
                names.update(macroscan.defined_names(fh.read()))
    return frozenset(names)


def _refuse_macro_overrides(tree, ref):
    """Replace each student file of TREE that redefines a test-framework name
    by an #error naming it: the build fails, which is never more than the
    honest score. Returns an INTEGRITY flag or ''."""
    names, hits = _test_macro_names(ref), []
    for n in walk_files(tree):
        if not n.endswith(macroscan.C_LIKE) or is_pristine(n):
            continue
        full = os.path.join(tree, n)
        with open(full, errors="replace") as f:
            found = macroscan.macro_overrides(f.read(), names)
        if found:
            hits.append("%s (%s)" % (n, ", ".join(sorted(set(found))[:4])))
            with open(full, "w") as f:
                f.write('#error "INTEGRITY: this file redefines the test framework (%s); '
                        'the grader does not build it"\n' % ", ".join(sorted(set(found))[:4]))
    if not hits:
        return ""
    return integrity.flag("student files that redefine the test framework were not "
                          "built (the build fails): %s" % _listing(hits))
