"""build_reuse.py: start a copied or generated tree's build/ from another tree's objects, so make recompiles only the files that differ (seed_verified: for a hostile tree)."""
import filecmp
import os
import shutil
import time

# What build/labN holds besides obj/ and the cflags stamp (kernels, symbol
# tables, images) is always rebuilt: the link must see the new tree's file
# list (a handout leaves files out, and make notices no object that is gone).
KEEP = ("obj", "cflags")
# The same for the user programs a lab builds in a folder of its own (lab 7's
# build/lab7/user/): their objects and flags stamp, never the programs.
KEEP_NESTED = {"user": ("obj", "cflags")}


def seed(src, dest, labs):
    """Copy SRC/build's objects of LABS (numbers) and its boot sectors into
    DEST/build, then give every file of DEST that is byte-identical to SRC's
    file of the same path SRC's mtime.

    make judges by mtimes alone (an object depends on its source, the headers
    its .d file names and the build directory's cflags stamp): a source that
    differs keeps its newer mtime and is recompiled with all that include it;
    one that is identical, with the same flags, has the object it would get
    anyway. An object SRC's make would rebuild (stale, other flags) is rebuilt
    here too. Returns the number of files reused."""
    sb, db = os.path.join(src, "build"), os.path.join(dest, "build")
    copied = 0
    for name in ["boot"] + ["lab%d" % n for n in labs]:
        if not os.path.isdir(os.path.join(sb, name)):
            continue
        keep = None if name == "boot" else KEEP
        entries = os.listdir(os.path.join(sb, name))
        if keep is not None:
            entries = [e for e in entries if e in keep] + [
                os.path.join(e, n) for e, ns in KEEP_NESTED.items() for n in ns]
        for entry in entries:
            s, d = os.path.join(sb, name, entry), os.path.join(db, name, entry)
            if os.path.isdir(s):
                shutil.copytree(s, d, symlinks=True, dirs_exist_ok=True)
                copied += sum(len(f) for _, _, f in os.walk(s))
            elif os.path.isfile(s):
                os.makedirs(os.path.dirname(d), exist_ok=True)
                shutil.copy2(s, d)
                copied += 1
    sync_mtimes(src, dest)
    return copied


def sync_mtimes(src, dest):
    """Give DEST's files (build/ and .git aside) that are byte-identical to
    SRC's file of the same path SRC's mtime."""
    for d, dirs, files in os.walk(dest):
        if d == dest:
            dirs[:] = [x for x in dirs if x not in ("build", ".git")]
        for f in files:
            dpath = os.path.join(d, f)
            spath = os.path.join(src, os.path.relpath(dpath, dest))
            if (os.path.isfile(spath) and not os.path.islink(dpath)
                    and filecmp.cmp(spath, dpath, shallow=False)):
                st = os.stat(spath)
                os.utime(dpath, ns=(st.st_atime_ns, st.st_mtime_ns))


# ---- Seeding a submission's build from the grader's own pristine build ----
# Used by the class grader (grade/batch.py), where the tree is hostile.
DEP_GATE_NAMES = ("Makefile", "GNUmakefile", "makefile")
DEP_GATE_SUFFIXES = (".mk",)
# An added file with one of these suffixes could be found by an #include of
# an identical file (-I. puts the tree before the compiler's own <stdint.h>,
# which gcc -MMD leaves out of the .d): then nothing is seeded.
INCLUDABLE_SUFFIXES = (".h", ".c", ".inc", ".S", ".s", ".asm", ".def")


def _files(root):
    """Relative paths of ROOT's regular files (build/ and .git aside); a
    symbolic link is listed too (it is never byte-identical: see _same)."""
    out = set()
    for d, dirs, files in os.walk(root):
        if d == root:
            dirs[:] = [x for x in dirs if x not in ("build", ".git")]
        for f in files:
            out.add(os.path.relpath(os.path.join(d, f), root))
    return out


def _same(a, b):
    """True if A and B are both regular files (not links) with equal bytes."""
    return (not os.path.islink(a) and not os.path.islink(b) and os.path.isfile(a)
            and os.path.isfile(b) and filecmp.cmp(a, b, shallow=False))


def _deps(dfile):
    """The prerequisites a gcc -MMD .d file names (paths as written)."""
    with open(dfile, encoding="utf-8", errors="replace") as f:
        text = f.read().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        if ":" in line:
            out += line.split(":", 1)[1].split()
    return out


def seed_verified(pristine, tree, build_dirs):
    """Seed hostile TREE's build/ from PRISTINE, a tree the caller built
    itself from trusted sources in a place TREE's code cannot write; returns
    (objects seeded, reason nothing was seeded or '').

    The argument, each step closing one way to link a stale object:
    - TREE's own build/ is deleted first: nothing it shipped survives.
    - Seed nothing unless every Makefile and *.mk is byte-identical and none
      is added or removed (flags and rules are PRISTINE's), and no file TREE
      adds has the name of a file some .d lists (a quote #include searches
      the includer's folder first, so such a file could shadow a header) or
      a suffix of INCLUDABLE_SUFFIXES (-I. could shadow <stdint.h>).
    - Only C objects are seeded (build/<BUILD_DIR>/obj/**.c.o with its .d):
      one is seeded only if every file its .d names (its source and each
      header) is byte-identical in TREE; nasm objects, kernels, images and
      build/boot are always rebuilt. The .d copied names identical files only.
    - Files are copied, never linked; the cflags stamp is copied so that
      make's content check, not a new mtime, decides on flags.
    - mtimes: every identical file gets PRISTINE's mtime; every file that is
      not gets a mtime newer than every seeded object, so make recompiles
      what includes it even if the step above were wrong (an archive's 1970
      mtime counts for nothing)."""
    shutil.rmtree(os.path.join(tree, "build"), ignore_errors=True)
    if os.path.lexists(os.path.join(tree, "build")):
        os.unlink(os.path.join(tree, "build"))
    pfiles, tfiles = _files(pristine), _files(tree)
    same = {n for n in pfiles & tfiles
            if _same(os.path.join(pristine, n), os.path.join(tree, n))}
    for n in pfiles ^ tfiles | (pfiles & tfiles) - same:
        base = os.path.basename(n)
        if base in DEP_GATE_NAMES or base.endswith(DEP_GATE_SUFFIXES):
            return 0, "%s differs from the pristine tree" % n
    dfiles = []
    for bd in build_dirs:
        for d, _, files in os.walk(os.path.join(pristine, "build", bd, "obj")):
            dfiles += [os.path.join(d, f) for f in files if f.endswith(".c.d")]
    deps = {f: [os.path.normpath(p) for p in _deps(f)] for f in dfiles}
    named = {os.path.basename(p) for ps in deps.values() for p in ps}
    for n in tfiles - pfiles:
        if os.path.basename(n) in named or n.endswith(INCLUDABLE_SUFFIXES):
            return 0, "added file %s could be included (a header or source)" % n
    seeded, newest = 0, 0
    for bd in build_dirs:
        stamp = os.path.join(pristine, "build", bd, "cflags")
        if os.path.isfile(stamp):
            os.makedirs(os.path.join(tree, "build", bd), exist_ok=True)
            shutil.copy2(stamp, os.path.join(tree, "build", bd, "cflags"))
    for dfile, ps in sorted(deps.items()):
        obj = dfile[:-2] + ".o"
        if not ps or not os.path.isfile(obj) or not all(
                not os.path.isabs(p) and not p.startswith("..") and p in same for p in ps):
            continue
        rel = os.path.relpath(obj, pristine)
        os.makedirs(os.path.dirname(os.path.join(tree, rel)), exist_ok=True)
        for src in (dfile, obj):
            shutil.copy2(src, os.path.join(tree, os.path.relpath(src, pristine)))
        newest = max(newest, os.stat(obj).st_mtime_ns)
        seeded += 1
    later = max(time.time_ns(), newest + 1_000_000_000)
    for n in tfiles:
        path = os.path.join(tree, n)
        if os.path.islink(path):
            continue
        if n in same:
            st = os.stat(os.path.join(pristine, n))
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        else:
            os.utime(path, ns=(later, later))
    return seeded, ""
