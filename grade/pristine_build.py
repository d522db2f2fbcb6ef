"""pristine_build.py: the class grader's own build of the reference tree, whose C objects seed each submission's build (tools/build_reuse.py)."""
import os
import shutil
import subprocess
import sys
import threading

import pristine
import sandbox

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
import build_reuse  # noqa: E402

BUILD_TIMEOUT = 600      # seconds of wall-clock time for the one pristine build


class PristineBuild:
    """Copies reference tree REF's source files into DEST, a folder no
    submission can write or read (inside the batch's hidden temp folder),
    starts DEST's build/ from REF's objects if REF has a build/ (never from a
    submission's), and builds the labs of RUBRICS there once, on first use."""

    def __init__(self, ref, dest, rubrics):
        self.ref, self.dest, self.lock = ref, dest, threading.Lock()
        self.rubrics = rubrics
        self.dirs = ["lab%d%s" % (r.number, r.variant) for r in rubrics]
        self.state = None          # None: not built yet; True: built; str: why not

    def _build(self):
        pristine.copy_tree(self.ref, self.dest)
        # The reference's own build/ (an instructor's tree, trusted like its
        # sources) starts this one: make then compiles only what is out of
        # date there, by the same mtime rules make uses in REF itself.
        labs = [r.number for r in self.rubrics if not r.variant]
        if os.path.isdir(os.path.join(self.ref, "build")):
            try:
                build_reuse.seed(self.ref, self.dest, labs)
            except OSError:          # half a seed is stale objects at worst: start clean
                shutil.rmtree(os.path.join(self.dest, "build"), ignore_errors=True)
        # The sandbox's clean environment, so the same compiler and flags are
        # found (a different cflags stamp would only make the child rebuild).
        env = {"PATH": sandbox.ENV_PATH, "HOME": self.dest, "LANG": "C.UTF-8",
               "TMPDIR": os.environ.get("TMPDIR", "/tmp")}
        for d in self.dirs:
            cmd = ["make", "-C", self.dest, "--no-print-directory", "build-" + d]
            try:
                p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, timeout=BUILD_TIMEOUT,
                                   env=env)
            except (OSError, subprocess.TimeoutExpired) as e:
                return "pristine build failed: %s" % e
            if p.returncode != 0:
                return "pristine build failed: make build-%s exited %d" % (d, p.returncode)
        return True

    def seed(self, tree):
        """Seed submission TREE's build/ (a private copy the batch made, not
        yet built) from the pristine build; returns one log line. May be called
        from several grading threads at once: the first one builds."""
        with self.lock:
            if self.state is None:
                self.state = self._build()
        if self.state is not True:
            return "build seeding: off (%s)" % self.state
        try:
            n, why = build_reuse.seed_verified(self.dest, tree, self.dirs)
        except OSError as e:          # a half-seeded build/ is removed: a clean build
            shutil.rmtree(os.path.join(tree, "build"), ignore_errors=True)
            return "build seeding: none (%s)" % e
        return ("build seeding: %d objects of identical sources reused" % n if not why
                else "build seeding: none (%s)" % why)
