"""intake.py: turn a submission (folder, .zip, .tar.gz) into a private StepOS tree, safely."""
import dataclasses
import os
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass

ARCHIVE_EXTS = (".zip", ".tar.gz", ".tgz", ".tar", ".tar.xz", ".tar.bz2")
JUNK = {"__MACOSX", ".DS_Store"}
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__"}
CHUNK = 1 << 16
EOCD_SEARCH = 22 + 65535 + 20   # end record, its longest comment, the zip64 locator
BAD_EXIT = 3                    # the intake child's status for a refused archive
OUTPUT_MAX = 1 << 16            # bytes of the intake child's output we read


class BadSubmission(Exception):
    """The submission cannot be graded (unsafe or oversized archive, no tree)."""


@dataclass
class Limits:
    max_bytes: int = 200 * 1024 * 1024    # total size of the extracted files
    max_files: int = 20000
    seconds: float = 300                  # wall clock (and CPU) to unpack an archive
    mem_mb: int = 512                     # address space of the unpacking process


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


def zip_entry_count(f):
    """The member count a zip file's end-of-central-directory record declares
    (zip64 included), read before anything else is parsed; None if there is none."""
    f.seek(0, 2)
    size = f.tell()
    f.seek(max(0, size - EOCD_SEARCH))
    tail = f.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    count = struct.unpack("<H", tail[at + 10:at + 12])[0]
    loc = at - 20
    if count == 0xFFFF and loc >= 0 and tail[loc:loc + 4] == b"PK\x06\x07":
        f.seek(struct.unpack("<Q", tail[loc + 8:loc + 16])[0])
        rec = f.read(56)
        if len(rec) == 56 and rec[:4] == b"PK\x06\x06":
            count = struct.unpack("<Q", rec[32:40])[0]
    return count


def extract_zip(f, dest, limits, what):
    """Unpack the zip file F into DEST: the declared member count is checked
    before the central directory is parsed, every member before any is written."""
    budget = _Budget(limits, what)
    try:
        declared = zip_entry_count(f)
        if declared is not None and declared > limits.max_files:
            raise BadSubmission("%s: more than %d files (it declares %d)" % (
                what, limits.max_files, declared))
        f.seek(0)
        with zipfile.ZipFile(f) as z:
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
            OSError, EOFError, ValueError) as e:
        raise BadSubmission("%s: not a readable zip file (%s)" % (what, e))


def extract_tar(f, dest, limits, what):
    """Unpack the tar stream F (any compression) into DEST member by member,
    stopping at the first unsafe member or exceeded limit: an archive is never
    read further than the limits allow."""
    budget = _Budget(limits, what)
    try:
        with tarfile.open(fileobj=f, mode="r|*") as t:
            for m in t:
                budget.file()
                rel = safe_member(m.name)
                if rel and not (m.isfile() or m.isdir()):
                    raise BadSubmission("unsafe archive: %s is a %s" % (
                        rel, "link" if (m.issym() or m.islnk()) else "special file"))
                if rel is None or not m.isfile():
                    budget.add(max(0, m.size))          # skipped, but still decompressed
                    continue
                _write(t.extractfile(m), os.path.join(dest, rel), budget, m.mode)
    except (tarfile.TarError, EOFError, OSError, ValueError) as e:
        raise BadSubmission("%s: not a readable tar file (%s)" % (what, e))


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


def run_killable(argv, stdin, seconds):
    """Run ARGV in its own process group with STDIN; SIGKILL the whole group
    once SECONDS of wall-clock time have passed. Returns (exit status or None
    when killed at the deadline, output text)."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(argv, stdin=stdin, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True)
        try:
            status = p.wait(timeout=max(0.1, seconds))
        except subprocess.TimeoutExpired:
            status = None
        finally:
            try:
                os.killpg(p.pid, signal.SIGKILL)      # and whatever it left behind
            except (ProcessLookupError, PermissionError):
                pass
            p.wait()
        out.seek(0)
        return status, out.read(OUTPUT_MAX).decode("utf-8", "replace")


def python_for(pol):
    """The Python that runs the intake child: the system's when the sandbox
    shows only /usr (ours may live in a home directory), else ours."""
    system = "/usr/bin/python3"
    if pol.kind == "bwrap" and not sys.executable.startswith("/usr/") and os.path.exists(system):
        return system
    return sys.executable


def unpack_archive(path, dest, limits, deadline=None):
    """Unpack archive PATH into the existing directory DEST in a child process:
    sandboxed like a build (only DEST writable), with RLIMIT_AS/CPU, killed
    at min(limits.seconds, DEADLINE - now). Raises BadSubmission."""
    what = os.path.basename(path)
    seconds = limits.seconds
    if deadline is not None:
        seconds = min(seconds, deadline - time.monotonic())
    if seconds <= 0:
        raise BadSubmission("%s: no time left to unpack it" % what)
    import sandbox                # the parent's only: the child runs isolated (-I)
    me = os.path.abspath(__file__)
    kind = "zip" if archive_ext(path) == ".zip" else "tar"
    argv = [python_for(sandbox.policy()), "-I", "-S", me, "--child", kind, what, dest,
            str(limits.max_bytes), str(limits.max_files)]
    pol = dataclasses.replace(sandbox.policy(), mem_mb=limits.mem_mb)
    argv = sandbox.wrap(argv, [dest], cwd=dest, cpu_s=int(seconds) + 1, pol=pol,
                        reads=[me])
    # read by us, handed over as stdin; O_NONBLOCK: opening a FIFO must not hang us
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as f:
        status, out = run_killable(argv, f, seconds)
    last = (out.strip().splitlines() or [""])[-1]
    if status != 0:                              # nothing of a refused archive is kept
        for e in os.listdir(dest):
            remove(os.path.join(dest, e))
    if status is None:
        raise BadSubmission("%s: unpacking did not finish in %.0fs (stopped)" % (what, seconds))
    if status == BAD_EXIT:
        raise BadSubmission(last)
    if status != 0:
        raise BadSubmission("%s: could not unpack it (%s)" % (
            what, last or "unpacker exit status %d" % status))


def prepare(path, dest, limits=None, deadline=None):
    """Copy or extract submission PATH into the new directory DEST; returns
    (tree, warnings) where TREE is the StepOS tree inside DEST. An archive is
    unpacked by a sandboxed child process that is killed at the time limit
    (limits.seconds, or DEADLINE on the time.monotonic() clock if earlier)."""
    limits = limits or Limits()
    os.makedirs(dest)
    warnings = []
    if os.path.isdir(path):
        warnings += copy_folder(path, dest, limits)
    elif archive_ext(path):
        unpack_archive(path, dest, limits, deadline)
    else:
        raise BadSubmission("%s: not a folder, .zip or .tar.gz" % path)
    return find_tree(dest), warnings


def remove(dest):
    if os.path.isdir(dest) and not os.path.islink(dest):
        shutil.rmtree(dest, ignore_errors=True)
    elif os.path.lexists(dest):
        os.unlink(dest)


def child_main(argv):
    """The intake child: unpack the archive on stdin into DEST; exit BAD_EXIT
    with the reason as the last line of output when it is refused."""
    kind, what, dest, max_bytes, max_files = argv
    limits = Limits(max_bytes=int(max_bytes), max_files=int(max_files))
    f = os.fdopen(0, "rb", closefd=False)
    try:
        if kind == "zip":
            extract_zip(f, dest, limits, what)
        else:
            extract_tar(f, dest, limits, what)
    except BadSubmission as e:
        print(e, flush=True)
        return BAD_EXIT
    except MemoryError:
        print("%s: needs more memory than the unpacker has" % what, flush=True)
        return BAD_EXIT
    return 0


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    sys.exit(child_main(sys.argv[2:]))
