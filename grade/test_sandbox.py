#!/usr/bin/env python3
"""test_sandbox.py: `make test` step: attack the sandbox from inside as a hostile build would, and feed intake hostile archives; every guarantee of grade/README.md section 5 has a test here (intake's in test_sandbox_intake.py)."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sandbox  # noqa: E402
from test_sandbox_intake import Intake  # noqa: E402,F401  (run with the attacks)

GRADER_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARK = "SANDBOX-RAN"            # printed first: the attack really ran inside
CANARY = "STEPOS_SANDBOX_CANARY"
SMALL_MB = 8                    # reduced file, /tmp and memory limits of the attacks
SMALL_NPROC = 24
FORK_BOMB = ("import os,time\nn=0\nfor i in range(%d):\n try: pid=os.fork()\n"
             " except OSError: break\n if pid==0: time.sleep(60); os._exit(0)\n n+=1\n"
             "print(\"forked\", n)" % (SMALL_NPROC * 4))


def why_not():
    """None if the sandbox attacks can run here, else the reason to skip them."""
    if os.geteuid() != 0:
        return "not root: the attacks are run as root, the way an instructor's grader runs"
    if shutil.which("bwrap") is None:
        return "bwrap not installed (Debian package bubblewrap)"
    return sandbox.probe("bwrap")

NOT_ROOT_DRIVER = """import subprocess, sys
sys.path.insert(0, %r)
import sandbox
print(sandbox.configure("bwrap").message)
sandbox.NPROC = %d
tree = %r
for argv in (["sh", "-c", "echo > /proc/sys/vm/overcommit_ratio && echo WROTE; id -u; env"],
             ["python3", "-c", %r]):
    p = subprocess.run(sandbox.wrap(argv, [tree]), capture_output=True, text=True)
    print(p.stdout, p.stderr)
"""


class Attack(unittest.TestCase):
    """Each test is a hostile build: a shell script run through sandbox.wrap."""

    @classmethod
    def setUpClass(cls):
        reason = why_not()
        if reason:
            raise unittest.SkipTest(reason)
        cls.pol = sandbox.configure("bwrap")

    @classmethod
    def tearDownClass(cls):
        sandbox.reset()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="stepos-test-sandbox-")
        self.tree = os.path.join(self.tmp, "tree")
        os.makedirs(self.tree)
        self.saved = (sandbox.FSIZE_MB, sandbox.TMP_MB, sandbox.NPROC)

    def tearDown(self):
        sandbox.FSIZE_MB, sandbox.TMP_MB, sandbox.NPROC = self.saved
        os.environ.pop(CANARY, None)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_in(self, script, pol=None):
        """Run SCRIPT (sh) in the sandbox with the tree writable; its output."""
        argv = sandbox.wrap(["sh", "-c", "echo %s; %s" % (MARK, script)], [self.tree],
                            cwd=self.tree, pol=pol)
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=120)
        self.assertIn(MARK, p.stdout, "the sandbox did not start: %s" % p.stderr)
        return p.stdout + p.stderr

    def py_in(self, code, pol=None):
        return self.run_in("python3 -c '%s'" % code, pol)

    def test_runs_as_unprivileged_user(self):
        out = self.run_in("id -u; grep CapEff /proc/self/status; touch written")
        self.assertIn("\n%d\n" % self.pol.uid, out)
        self.assertNotIn("\n0\n", out)
        self.assertIn("CapEff:\t0000000000000000", out)
        self.assertEqual(os.stat(os.path.join(self.tree, "written")).st_uid, self.pol.uid)

    def test_proc_sys_read_only(self):
        knob = "/proc/sys/vm/overcommit_ratio"      # global: not namespaced
        before = open(knob).read()
        new = "%d" % (int(before) + 7)
        out = self.run_in("echo %s > %s && echo WROTE; grep ' /proc/sys ' /proc/mounts"
                          % (new, knob))
        self.assertNotIn("WROTE", out)
        self.assertEqual(open(knob).read(), before)
        self.assertRegex(out, r"/proc/sys proc ro[ ,]")

    def test_no_shadow(self):
        secret = open("/etc/shadow").read().splitlines()[0]
        out = self.run_in("cat /etc/shadow; cat /etc/gshadow; ls -a /etc")
        self.assertNotIn(secret, out)
        self.assertIn("/etc/shadow: No such file", out)
        self.assertNotIn("\nshadow\n", out)

    def test_environment_is_clean(self):
        os.environ[CANARY] = "grader-secret-4711"
        out = self.run_in("env; echo HOME=$HOME")
        self.assertNotIn("grader-secret-4711", out)
        self.assertIn("HOME=/tmp", out)
        self.assertIn("PATH=" + sandbox.ENV_PATH, out)

    def test_nothing_outside_is_visible(self):
        secret = tempfile.mkdtemp(prefix="stepos-test-secret-", dir="/var/tmp")
        try:
            open(os.path.join(secret, "key"), "w").write("s3cret\n")
            paths = [GRADER_ROOT, os.path.join(GRADER_ROOT, "grade", "grade.py"), "/root",
                     "/home", secret, os.path.join(secret, "key"), self.tmp + "/..", "/var",
                     "/etc/hostname"]
            out = self.run_in("; ".join("test -e %s && echo SEEN:%s" % (p, p) for p in paths)
                              + "; cat %s/key" % secret)
        finally:
            shutil.rmtree(secret, ignore_errors=True)
        seen = [l for l in out.splitlines() if l.startswith("SEEN:")]
        self.assertEqual(seen, ["SEEN:%s/.." % self.tmp])   # only the tree's own parent
        self.assertNotIn("s3cret", out)

    def test_no_write_outside_the_tree(self):
        out = self.run_in("for d in / /usr /etc /dev /proc; do touch $d/x && echo W:$d; done;"
                          " touch ok")
        self.assertNotIn("W:", out)
        self.assertTrue(os.path.exists(os.path.join(self.tree, "ok")))

    def test_no_unix_socket_outside(self):
        where = tempfile.mkdtemp(prefix="stepos-test-sock-", dir="/var/tmp")
        paths = [os.path.join(where, "s")]
        if os.path.isdir("/run"):
            paths.append("/run/stepos-test-%d.sock" % os.getpid())
        servers, accepted = [], []
        try:
            for p in paths + ["\0stepos-test-%d" % os.getpid()]:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.bind(p)
                if not p.startswith("\0"):
                    os.chmod(p, 0o777)          # even a socket anyone may use
                s.listen(4)
                s.settimeout(0.2)
                servers.append(s)
            code = ("import socket,sys\nfor p in sys.argv[1:]:\n s=socket.socket(socket.AF_UNIX)"
                    "\n try:\n  s.connect(p.replace(\"@\",\"\\0\")); print(\"CONNECTED\", p)\n"
                    " except OSError as e: print(\"refused\", p, e)")
            script = "python3 -c '%s' %s @stepos-test-%d" % (code, " ".join(paths), os.getpid())
            out = self.run_in(script)
            for s in servers:
                try:
                    accepted.append(s.accept())
                except OSError:
                    pass
        finally:
            for s in servers:
                s.close()
            for p in paths:
                if os.path.exists(p):
                    os.unlink(p)
            shutil.rmtree(where, ignore_errors=True)
        self.assertEqual(sum(l.startswith("refused ") for l in out.splitlines()),
                         len(paths) + 1, out)
        self.assertNotIn("CONNECTED", out)
        self.assertEqual(accepted, [])

    def test_file_size_bounded(self):
        sandbox.FSIZE_MB = SMALL_MB
        out = self.run_in("head -c %dM /dev/zero > big; echo status $?" % (2 * SMALL_MB))
        self.assertNotIn("status 0", out)
        self.assertLessEqual(os.path.getsize(os.path.join(self.tree, "big")), SMALL_MB << 20)

    def test_tmp_bounded(self):
        sandbox.TMP_MB = SMALL_MB
        out = self.run_in("for d in /tmp /dev/shm; do head -c %dM /dev/zero > $d/fill;"
                          " echo $d $? $(stat -c %%s $d/fill); done" % (2 * SMALL_MB))
        for d in ("/tmp", "/dev/shm"):
            line = [l for l in out.splitlines() if l.startswith(d + " ")]
            self.assertEqual(len(line), 1, out)
            _, status, size = line[0].split()
            self.assertNotEqual(status, "0", out)
            self.assertLessEqual(int(size), SMALL_MB << 20)

    def test_processes_bounded(self):
        sandbox.NPROC = SMALL_NPROC
        out = self.py_in(FORK_BOMB)
        forked = [int(l.split()[1]) for l in out.splitlines() if l.startswith("forked ")]
        self.assertEqual(len(forked), 1, out)
        self.assertGreater(forked[0], 0)
        self.assertLess(forked[0], SMALL_NPROC)

    def test_memory_bounded(self):
        pol = sandbox.Policy(**{**self.pol.__dict__, "mem_mb": 64 * SMALL_MB})
        out = self.py_in("b = bytearray(%d); print(\"GOT\", len(b))" % (128 * SMALL_MB << 20),
                         pol)
        self.assertIn("MemoryError", out)
        self.assertNotIn("GOT", out)

    def test_no_network(self):
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        srv.settimeout(0.2)
        try:
            out = self.py_in("import socket\ntry:\n socket.create_connection((\"127.0.0.1\","
                             " %d), 5); print(\"CONNECTED\")\nexcept OSError as e:"
                             " print(\"refused\", e)" % srv.getsockname()[1])
            with self.assertRaises(OSError):
                srv.accept()
        finally:
            srv.close()
        self.assertIn("refused", out)
        self.assertNotIn("CONNECTED", out)

    def test_grader_not_root(self):
        # an instructor who is not root: bubblewrap runs as them, in a user
        # namespace; the same guarantees hold except the change of user
        nobody = 65534
        if not os.access(os.path.dirname(os.path.abspath(__file__)), os.R_OK | os.X_OK) or \
                _as_user(nobody, ["true"]).returncode != 0:
            self.skipTest("uid %d cannot run the grader's code from here" % nobody)
        os.chown(self.tmp, nobody, nobody)
        os.chown(self.tree, nobody, nobody)
        driver = os.path.join(self.tmp, "driver.py")
        with open(driver, "w") as f:
            f.write(NOT_ROOT_DRIVER % (os.path.dirname(os.path.abspath(__file__)), SMALL_NPROC,
                                       self.tree, FORK_BOMB))
        os.environ[CANARY] = "grader-secret-4711"
        p = _as_user(nobody, ["/usr/bin/python3", driver])
        out = p.stdout + p.stderr
        self.assertIn("bubblewrap as the grader's own user", out)
        self.assertIn("\n%d\n" % nobody, out)
        self.assertNotIn("WROTE", out)
        self.assertNotIn("grader-secret-4711", out)
        forked = [int(l.split()[1]) for l in out.splitlines() if l.startswith("forked ")]
        self.assertEqual(len(forked), 1, out)
        self.assertLess(forked[0], SMALL_NPROC)

    def test_no_new_user_namespace(self):
        # made impossible by the inner layer, or by the machine itself
        out = self.run_in("unshare -U -r -m sh -c 'mount -t tmpfs none /tmp && echo MOUNTED';"
                          " echo done")
        self.assertNotIn("MOUNTED", out)


class Handoff(unittest.TestCase):
    """What a build leaves behind is read by the root grader: no links out."""

    def test_image_link_refused(self):
        import disk
        d = tempfile.mkdtemp(prefix="stepos-test-handoff-")
        try:
            os.symlink("/etc/shadow", os.path.join(d, "disk.img"))
            with self.assertRaisesRegex(FileNotFoundError, "INTEGRITY: .*(symbolic link|not a regular file)"):
                disk.lab_images(d)
            os.unlink(os.path.join(d, "disk.img"))
            open(os.path.join(d, "disk.img"), "wb").close()
            os.symlink("/root/.ssh/id_rsa", os.path.join(d, "data.img"))
            with self.assertRaisesRegex(FileNotFoundError, "INTEGRITY: .*(symbolic link|not a regular file)"):
                disk.lab_images(d)
        finally:
            shutil.rmtree(d)


def _as_user(uid, argv):
    return subprocess.run(["setpriv", "--reuid=%d" % uid, "--regid=%d" % uid, "--clear-groups",
                           "--"] + argv, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, cwd="/")


class _Result(unittest.TextTestResult):
    passed = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        _Result.passed += 1


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(verbosity=2, resultclass=_Result).run(suite)
    for test, reason in res.skipped:
        print("SKIPPED %s: %s" % (test, reason))
    failed = len(res.failures) + len(res.errors)
    print("sandbox: %d passed, %d failed" % (_Result.passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
