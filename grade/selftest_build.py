"""selftest_build.py: the self-test's copy of build/, put back after every broken kernel so each case rebuilds only what its patches touch."""
import os
import shutil
import subprocess


class BuildSnapshot:
    """A clean build of the self-test's tree (TREE/build) kept aside in SAVED.

    make decides what to rebuild from modification times alone (every object
    depends on its source, the headers of its .d file and the build
    directory's cflags stamp; every kernel on its objects). A case writes its
    patches (new mtimes: make rebuilds what they touch, and only that), is
    graded, and then put back: the sources get their original text and mtime
    (restore_sources) and build/ the files of the clean build (restore), so
    make sees the clean state again and the next case recompiles nothing
    the previous one broke. Caller must not run two cases at once on TREE."""

    def __init__(self, tree, saved):
        self.tree = tree
        self.build = os.path.join(tree, "build")
        self.saved = saved
        self.stamps = {}

    def seed(self, root):
        """Start TREE/build from ROOT/build (mtimes kept, so make's view of
        what is up to date carries over; whatever is stale there is stale here
        too and make rebuilds it). ROOT's variants (-gdb, -full) and grader
        logs are left out: the self-test grades none of them."""
        src = os.path.join(root, "build")
        if not os.path.isdir(src):
            return
        for name in sorted(os.listdir(src)):
            path = os.path.join(src, name)
            if os.path.isdir(path) and (name == "boot" or (name.startswith("lab")
                                                           and name[3:].isdigit())):
                shutil.copytree(path, os.path.join(self.build, name), symlinks=True)

    def make(self, labs):
        """Build LABS (numbers) in TREE; the make output on failure, else None."""
        cmd = ["make", "-s", "-C", self.tree, "--no-print-directory"] + [
            "build-lab%d" % n for n in labs]
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        return None if p.returncode == 0 else (p.stdout + p.stderr)[-3000:]

    def save(self):
        """Keep TREE/build as it is now (a clean build) to come back to."""
        shutil.rmtree(self.saved, ignore_errors=True)
        shutil.copytree(self.build, self.saved, symlinks=True)
        self.stamps = self._scan(self.build)

    def restore(self):
        """Make TREE/build what save() kept: files a case added go, files it
        changed come back from the saved copy (with their mtimes)."""
        now = self._scan(self.build)
        for rel, stamp in now.items():
            if self.stamps.get(rel) != stamp:
                os.remove(os.path.join(self.build, rel))
        for rel, stamp in self.stamps.items():
            if now.get(rel) != stamp:
                dest = os.path.join(self.build, rel)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                shutil.copy2(os.path.join(self.saved, rel), dest)

    @staticmethod
    def _scan(top):
        out = {}
        for d, _, files in os.walk(top):
            for f in files:
                path = os.path.join(d, f)
                st = os.lstat(path)
                out[os.path.relpath(path, top)] = (st.st_mtime_ns, st.st_size)
        return out


def patch_sources(tree, patches):
    """Apply PATCHES [(file, old, new)] to TREE: ({file: (text, stat)} of the
    originals, problems). A patch whose OLD is not found exactly once is a
    problem and stops there (what was patched so far is in the originals)."""
    originals = {}
    for path, old, new in patches:
        full = os.path.join(tree, path)
        if path not in originals:
            with open(full) as f:
                originals[path] = (f.read(), os.stat(full))
        with open(full) as f:
            text = f.read()
        if text.count(old) != 1:
            return originals, ["patch does not apply: %r occurs %d times in %s"
                               % (old, text.count(old), path)]
        with open(full, "w") as f:
            f.write(text.replace(old, new))
    return originals, []


def restore_sources(tree, originals):
    """Put back ORIGINALS (patch_sources): the text and the mtime, so make
    takes the restored build/ objects as up to date again."""
    for path, (text, st) in originals.items():
        full = os.path.join(tree, path)
        with open(full, "w") as f:
            f.write(text)
        os.utime(full, ns=(st.st_atime_ns, st.st_mtime_ns))
