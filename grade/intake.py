"""intake.py: turn a submission (folder, .zip, .tar.gz) into a private StepOS tree, safely."""
import os
import shutil
import stat
import tarfile
import zipfile
from dataclasses import dataclass

ARCHIVE_EXTS = (".zip", ".tar.gz", ".tgz", ".tar", ".tar.xz", ".tar.bz2")
JUNK = {"__MACOSX", ".DS_Store"}
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__"}
CHUNK = 1 << 16


class BadSubmission(Exception):
    """The submission cannot be graded (unsafe or oversized archive, no tree)."""


@dataclass
class Limits:
    max_bytes: int = 200 * 1024 * 1024    # total size of the extracted files
    max_files: int = 20000


def archive_ext(path):
    low = path.lower()
    return next((e for e in ARCHIVE_EXTS if low.endswith(e)), None)


def submission_name(path):
    """alice for alice/, alice.zip, alice.tar.gz."""
    base = os.path.basename(os.path.normpath(path))
    ext = archive_ext(base)
    return base[:-len(ext)] if ext and os.path.isfile(path) else base


def list_submissions(folder):
    """[(name, path)] of the folders and archives in FOLDER, by name."""
    found, names = [], set()
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if entry.startswith(".") or entry in JUNK or os.path.islink(path):
            continue
        if not (os.path.isdir(path) or (os.path.isfile(path) and archive_ext(entry))):
            continue
        name = submission_name(path)
        if name in names:          # alice/ and alice.zip: keep both, distinctly
            name = entry
        names.add(name)
        found.append((name, path))
    return found


def safe_member(name):
    """NAME of an archive member as a safe relative path, None for junk to skip;
    raises BadSubmission for absolute paths and '..' (path traversal)."""
    norm = name.replace("\\", "/")
    if "\0" in norm:
        raise BadSubmission("unsafe archive: member name with a NUL byte")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        raise BadSubmission("unsafe archive: %s is an absolute path" % name)
    parts = [p for p in norm.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise BadSubmission("unsafe archive: %s leaves the archive's folder" % name)
    if not parts or parts[0] in JUNK or parts[-1] in JUNK or parts[-1].startswith("._"):
        return None
    return "/".join(parts)


class _Budget:
    def __init__(self, limits, what):
        self.limits, self.what, self.bytes, self.files = limits, what, 0, 0

    def file(self):
        self.files += 1
        if self.files > self.limits.max_files:
            raise BadSubmission("%s: more than %d files" % (self.what, self.limits.max_files))

    def add(self, n):
        self.bytes += n
        if self.bytes > self.limits.max_bytes:
            raise BadSubmission("%s: more than %d MiB once extracted" % (
                self.what, self.limits.max_bytes // (1024 * 1024)))


def _write(src, dest_path, budget, mode):
    os.makedirs(os.path.dirname(dest_path), exist_ok=True)
    if os.path.lexists(dest_path):
        raise BadSubmission("unsafe archive: %s appears twice" % dest_path)
    with open(dest_path, "xb") as out:
        while True:
            data = src.read(CHUNK)
            if not data:
                break
            budget.add(len(data))
            out.write(data)
    os.chmod(dest_path, 0o755 if mode & 0o111 else 0o644)


def extract_zip(path, dest, limits):
    budget = _Budget(limits, os.path.basename(path))
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            for info in infos:                   # refuse before writing anything
                rel = safe_member(info.filename)
                kind = stat.S_IFMT(info.external_attr >> 16)
                if rel and kind == stat.S_IFLNK:
                    raise BadSubmission("unsafe archive: %s is a symbolic link" % rel)
                if rel and kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                    raise BadSubmission("unsafe archive: %s is not a file" % rel)
                budget.file()
            for info in infos:
                rel = safe_member(info.filename)
                if rel is None or info.is_dir():
                    continue
                with z.open(info) as src:
                    _write(src, os.path.join(dest, rel), budget, info.external_attr >> 16)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            OSError) as e:
        raise BadSubmission("%s: not a readable zip file (%s)" % (os.path.basename(path), e))


def extract_tar(path, dest, limits):
    budget = _Budget(limits, os.path.basename(path))
    try:
        with tarfile.open(path, "r:*") as t:
            members = t.getmembers()
            for m in members:
                rel = safe_member(m.name)
                if rel and not (m.isfile() or m.isdir()):
                    raise BadSubmission("unsafe archive: %s is a %s" % (
                        rel, "link" if (m.issym() or m.islnk()) else "special file"))
                budget.file()
            for m in members:
                rel = safe_member(m.name)
                if rel is None or not m.isfile():
                    continue
                _write(t.extractfile(m), os.path.join(dest, rel), budget, m.mode)
    except (tarfile.TarError, EOFError, OSError) as e:
        raise BadSubmission("%s: not a readable tar file (%s)" % (os.path.basename(path), e))


def copy_folder(src, dest, limits):
    """Copy the regular files of SRC to DEST; symbolic links are not followed
    (listed in the returned warnings) and build output is left out."""
    budget, skipped = _Budget(limits, os.path.basename(os.path.normpath(src))), []
    for d, dirs, files in os.walk(src):
        rel = os.path.relpath(d, src)
        keep = []
        for x in sorted(dirs):
            full = os.path.join(d, x)
            if os.path.islink(full):
                skipped.append(os.path.normpath(os.path.join(rel, x)))
            elif x not in SKIP_DIRS and not (rel == "." and x == "build"):
                keep.append(x)
        dirs[:] = keep
        for f in sorted(files):
            full = os.path.join(d, f)
            r = os.path.normpath(os.path.join(rel, f))
            if os.path.islink(full):
                skipped.append(r)
                continue
            st = os.lstat(full)
            if not stat.S_ISREG(st.st_mode):
                continue
            budget.file()
            with open(full, "rb") as fh:
                _write(fh, os.path.join(dest, r), budget, st.st_mode)
    if skipped:
        return ["symbolic links not copied: %s" % ", ".join(skipped[:10])]
    return []


def looks_like_tree(d):
    return os.path.isfile(os.path.join(d, "Makefile")) or any(
        e.startswith("lab1-") and os.path.isdir(os.path.join(d, e)) for e in os.listdir(d))


def find_tree(root, depth=3):
    """The StepOS tree in ROOT: ROOT itself, or the one folder it wraps."""
    d = root
    for _ in range(depth + 1):
        if looks_like_tree(d):
            return d
        subs = [e for e in os.listdir(d) if not e.startswith(".") and e not in JUNK]
        if len(subs) != 1 or not os.path.isdir(os.path.join(d, subs[0])):
            break
        d = os.path.join(d, subs[0])
    raise BadSubmission("no StepOS tree in the submission (no Makefile and no lab1-* folder"
                        " at its top, nor in a single folder it contains)")


def prepare(path, dest, limits=None):
    """Copy or extract submission PATH into the new directory DEST; returns
    (tree, warnings) where TREE is the StepOS tree inside DEST."""
    limits = limits or Limits()
    os.makedirs(dest)
    warnings = []
    if os.path.isdir(path):
        warnings += copy_folder(path, dest, limits)
    elif archive_ext(path) == ".zip":
        extract_zip(path, dest, limits)
    elif archive_ext(path):
        extract_tar(path, dest, limits)
    else:
        raise BadSubmission("%s: not a folder, .zip or .tar.gz" % path)
    return find_tree(dest), warnings


def remove(dest):
    shutil.rmtree(dest, ignore_errors=True)
