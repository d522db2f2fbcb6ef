"""build_reuse.py: start a copied or generated tree's build/ from another tree's objects, so make recompiles only the files that differ."""
import filecmp
import os
import shutil

# What build/labN holds besides obj/ and the cflags stamp (kernels, symbol
# tables, images) is always rebuilt: the link must see the new tree's file
# list (a handout leaves files out, and make notices no object that is gone).
KEEP = ("obj", "cflags")


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
        for entry in os.listdir(os.path.join(sb, name)):
            if keep is not None and entry not in keep:
                continue
            s, d = os.path.join(sb, name, entry), os.path.join(db, name, entry)
            if os.path.isdir(s):
                shutil.copytree(s, d, symlinks=True, dirs_exist_ok=True)
                copied += sum(len(f) for _, _, f in os.walk(s))
            else:
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
