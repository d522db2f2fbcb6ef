#!/usr/bin/env python3
"""test_instructor.py: unit tests of the instructor toolkit: submission intake, pristine overlay, sandbox, hidden rubrics."""
import io
import os
import shutil
import socket
import stat
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import batch  # noqa: E402
import intake  # noqa: E402
import pristine  # noqa: E402
import report  # noqa: E402
import rubric  # noqa: E402
import sandbox  # noqa: E402


class TmpCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="stepos-test-instr-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def write(self, rel, text="x\n", base=None):
        p = os.path.join(base or self.tmp, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        return p


class Intake(TmpCase):
    def tree(self, base):
        self.write("Makefile", "all:\n", base)
        self.write("lab1-boot/kmain.c", "int k;\n", base)
        return base

    def test_member_names(self):
        self.assertEqual(intake.safe_member("./a/b.c"), "a/b.c")
        self.assertIsNone(intake.safe_member("__MACOSX/a/._b.c"))
        for bad in ("/etc/passwd", "a/../../x", "..\\x", "C:/x"):
            with self.assertRaises(intake.BadSubmission):
                intake.safe_member(bad)

    def test_zip_with_wrapping_folder(self):
        z = self.path("alice.zip")
        with zipfile.ZipFile(z, "w") as f:
            f.writestr("alice/Makefile", "all:\n")
            f.writestr("alice/lab1-boot/kmain.c", "int k;\n")
            f.writestr("__MACOSX/alice/._Makefile", "junk")
        tree, warnings = intake.prepare(z, self.path("out"))
        self.assertEqual(tree, self.path("out", "alice"))
        self.assertEqual(warnings, [])
        self.assertTrue(os.path.isfile(os.path.join(tree, "lab1-boot", "kmain.c")))

    def test_zip_symlink_refused(self):
        z = self.path("s.zip")
        with zipfile.ZipFile(z, "w") as f:
            info = zipfile.ZipInfo("lab1-boot/kmain.c")
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            f.writestr(info, "/etc/passwd")
        with self.assertRaisesRegex(intake.BadSubmission, "symbolic link"):
            intake.prepare(z, self.path("out"))

    def test_tar_traversal_refused_before_writing(self):
        t = self.path("t.tar.gz")
        with tarfile.open(t, "w:gz") as f:
            for name in ("Makefile", "../evil"):
                info = tarfile.TarInfo(name)
                info.size = 2
                f.addfile(info, io.BytesIO(b"x\n"))
        with self.assertRaisesRegex(intake.BadSubmission, "leaves the archive"):
            intake.prepare(t, self.path("out", "sub"))
        self.assertFalse(os.path.exists(self.path("out", "evil")))
        self.assertFalse(os.path.exists(self.path("out", "sub", "Makefile")))

    def test_tar_hardlink_refused(self):
        t = self.path("h.tar")
        with tarfile.open(t, "w") as f:
            info = tarfile.TarInfo("Makefile")
            info.type, info.linkname = tarfile.LNKTYPE, "/etc/shadow"
            f.addfile(info)
        with self.assertRaisesRegex(intake.BadSubmission, "link"):
            intake.prepare(t, self.path("out"))

    def test_size_limit(self):
        z = self.path("big.zip")
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
            f.writestr("Makefile", b"\0" * 200000)
        with self.assertRaisesRegex(intake.BadSubmission, "MiB once extracted"):
            intake.prepare(z, self.path("out"), intake.Limits(max_bytes=100000))

    def test_folder_symlinks_not_followed(self):
        src = self.tree(self.path("src"))
        os.symlink("/etc/hostname", os.path.join(src, "lab1-boot", "leak.c"))
        os.symlink("/etc", os.path.join(src, "etcdir"))
        self.write("build/lab1/disk.img", "old", src)
        tree, warnings = intake.prepare(src, self.path("out"))
        self.assertFalse(os.path.lexists(os.path.join(tree, "lab1-boot", "leak.c")))
        self.assertFalse(os.path.lexists(os.path.join(tree, "etcdir")))
        self.assertFalse(os.path.exists(os.path.join(tree, "build")))
        self.assertIn("lab1-boot/leak.c", warnings[0])

    def test_no_tree(self):
        self.write("sub/notes.txt")
        with self.assertRaisesRegex(intake.BadSubmission, "no StepOS tree"):
            intake.prepare(self.path("sub"), self.path("out"))

    def test_listing(self):
        self.tree(self.path("class", "alice"))
        open(self.path("class", "alice.zip"), "wb").close()
        open(self.path("class", "bob.tar.gz"), "wb").close()
        open(self.path("class", "notes.txt"), "w").close()
        os.makedirs(self.path("class", ".hidden"))
        self.assertEqual(intake.list_submissions(self.path("class")),
                         [("alice", self.path("class", "alice")),
                          ("alice.zip", self.path("class", "alice.zip")),
                          ("bob", self.path("class", "bob.tar.gz"))])


class Pristine(TmpCase):
    def test_patterns(self):
        for p in ("Makefile", "common/rules.mk", "common/ktest.c", "lab1-boot/cmdline.c",
                  "lab1-boot/kmain.c", "lab3-paging/tests_support.h", "lab3-paging/bench_x.c",
                  "lab2-frames/lab.mk", "lab4-threads/hidden_x.c", "lab1-boot/rubric.toml",
                  "tools/mkimage.py", "lab2-frames/host_tests/t.c"):
            self.assertTrue(pristine.is_pristine(p), p)
        for p in ("lab2-frames/cont_frame_pool.c", "lab1-boot/intr.c", "README.md"):
            self.assertFalse(pristine.is_pristine(p), p)

    def test_overlay_restores_and_warns(self):
        ref, tree = self.path("ref"), self.path("tree")
        for base in (ref, tree):
            self.write("Makefile", "real\n", base)
            self.write("lab2-frames/tests_frames.c", "test\n", base)
            self.write("lab2-frames/frames.c", "student\n", base)
            self.write("common/solved.c", "/* LAB 2: BEGIN SOLUTION */\n", base)
        self.write("lab2-frames/hidden_more.c", "hidden\n", ref)
        self.write("tools/only_in_ref.py", "tool\n", ref)
        self.write("lab2-frames/tests_frames.c", "PASS always\n", tree)
        self.write("lab2-frames/frames.c", "my work\n", tree)
        self.write("common/solved.c", "/* LAB 2: BEGIN SOLUTION */ mine\n", tree)
        self.write("lab2-frames/tests_mine.c", "extra\n", tree)
        warning = pristine.overlay(tree, ref)
        self.assertIn("changed: lab2-frames/tests_frames.c", warning)
        self.assertIn("added: lab2-frames/tests_mine.c", warning)
        self.assertIn("deleted: tools/only_in_ref.py", warning)
        self.assertNotIn("hidden_more", warning)            # students never had it
        read = lambda n: open(os.path.join(tree, n)).read()   # noqa: E731
        self.assertEqual(read("lab2-frames/tests_frames.c"), "test\n")
        self.assertEqual(read("lab2-frames/hidden_more.c"), "hidden\n")
        self.assertEqual(read("lab2-frames/frames.c"), "my work\n")
        self.assertIn("mine", read("common/solved.c"))       # solution files stay the student's
        self.assertFalse(os.path.exists(os.path.join(tree, "lab2-frames/tests_mine.c")))
        self.assertEqual(pristine.overlay(tree, ref), "")   # now identical

    def test_pristine_copy_of_an_archive(self):
        ref = self.path("ref")
        self.write("Makefile", "real\n", ref)
        z = self.path("s.zip")
        with zipfile.ZipFile(z, "w") as f:
            f.writestr("s/Makefile", "fake\n")
            f.writestr("s/lab1-boot/x.c", "int x;\n")
        tree, warnings = batch.pristine_copy(z, ref, self.path("copy"))
        self.assertEqual(open(os.path.join(tree, "Makefile")).read(), "real\n")
        self.assertIn("changed: Makefile", warnings[0])


class Sandbox(TmpCase):
    def tearDown(self):
        sandbox.reset()
        super().tearDown()

    def test_args(self):
        w = self.path("tree")
        os.makedirs(w)
        args = sandbox.bwrap_args([w], hide=[self.tmp, "/usr/lib", "/"])
        self.assertIn("--unshare-net", args)
        self.assertEqual(args[args.index("--cap-drop") + 1], "ALL")
        self.assertNotIn("/usr/lib", args)
        tmpfs = [args[i + 1] for i, a in enumerate(args) if a == "--tmpfs"]
        self.assertIn("/tmp", tmpfs)
        self.assertLess(args.index(self.tmp), args.index("--bind"))   # hide, then bind
        self.assertEqual(args[args.index("--bind"):args.index("--bind") + 3], ["--bind", w, w])
        self.assertEqual(args[-1], "--")

    def test_off_by_default(self):
        self.assertEqual(sandbox.wrap(["make"], [self.tmp]), ["make"])
        with self.assertRaises(ValueError):
            sandbox.configure("docker")

    def test_memory_limit(self):
        if sandbox.limit_args(64) == []:
            self.skipTest("prlimit not installed")
        pol = sandbox.Policy(kind="none", mem_mb=256)
        grab = [sys.executable, "-c", "b = bytearray(%d); print('got it')" % (512 << 20)]
        p = subprocess.run(sandbox.wrap(grab, [self.tmp], pol=pol), capture_output=True,
                           text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("MemoryError", p.stderr)
        p = subprocess.run(grab, capture_output=True, text=True, timeout=60)
        self.assertIn("got it", p.stdout)

    def test_fallbacks_say_so(self):
        real = sandbox.probe
        try:
            sandbox.probe = lambda kind: {"bwrap": "bwrap: No permissions to create "
                                          "new namespace", "unshare": None}.get(kind)
            pol = sandbox.configure("auto")
            self.assertEqual(pol.kind, "unshare")
            self.assertIn("CAN write anywhere", pol.message)
            self.assertEqual(sandbox.wrap(["make"], [self.tmp])[-4:],
                             ["unshare", "--net", "--", "make"])
            sandbox.probe = lambda kind: None if kind == "none" else "%s: denied" % kind
            pol = sandbox.configure("auto")
            self.assertEqual(pol.kind, "none")
            self.assertIn("NONE (bwrap: bwrap: denied; unshare: unshare: denied)", pol.message)
            with self.assertRaisesRegex(sandbox.SandboxUnavailable, "does not work here"):
                sandbox.configure("bwrap")
        finally:
            sandbox.probe = real

    def test_contained(self):
        if sandbox.probe("bwrap") is not None:
            self.skipTest("bubblewrap does not work here: %s" % sandbox.probe("bwrap"))
        sandbox.configure("bwrap", hide=[self.path("secret")])
        os.makedirs(self.path("tree"))
        self.write("secret/key", "s3cret\n")
        outside = tempfile.mkdtemp(prefix="stepos-test-outside-", dir="/var/tmp")
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        script = ("touch %s/in; touch %s/out; cat %s/key; "
                  "(exec 3<>/dev/tcp/127.0.0.1/%d) && echo connected; true"
                  % (self.path("tree"), outside, self.path("secret"), port))
        try:
            p = subprocess.run(sandbox.wrap(["bash", "-c", script], [self.path("tree")]),
                               capture_output=True, text=True, timeout=30)
        finally:
            srv.close()
            reached = os.path.exists(os.path.join(outside, "out"))
            shutil.rmtree(outside, ignore_errors=True)
        self.assertTrue(os.path.exists(self.path("tree", "in")), p.stderr)
        self.assertFalse(reached)
        self.assertNotIn("s3cret", p.stdout)
        self.assertNotIn("connected", p.stdout)


class HiddenRubric(TmpCase):
    def lab1_tree(self):
        """self.tmp as a tree holding lab 1's rubric."""
        os.makedirs(self.path("lab1-boot"), exist_ok=True)
        self.write("lab1-boot/lab.mk", "")
        shutil.copy(rubric.lab_file(1, rubric.RUBRIC_FILE), self.path("lab1-boot/rubric.toml"))

    def test_merge_and_visibility(self):
        self.lab1_tree()
        base = rubric.load(1, self.tmp)
        self.write("lab1-boot/hidden_rubric.toml", 'visibility = "hidden"\n[[sections]]\nname = "libk"\n'
                   'tests = [{ name = "secret_one", points = 5 },\n'
                   '  { name = "secret_two", points = 1, visibility = "after_due_date" }]\n'
                   '[[sections]]\nname = "extra"\ntests = [{ name = "secret_three", points = 2 }]\n')
        r = rubric.load(1, self.tmp)
        self.assertEqual(r.max_points, base.max_points + 8)
        e = {x.name: x for x in r.entries}
        self.assertTrue(e["secret_one"].hidden and e["secret_one"].section == "libk")
        self.assertEqual((e["secret_one"].visibility, e["secret_two"].visibility),
                         ("hidden", "after_due_date"))
        self.assertEqual(r.sections[-1][0], "extra")
        self.assertFalse(e["kprintf_formats"].hidden)
        rep = report.LabReport(rubric=r, graded=report.combine(r, r.entries, []))
        doc = report.gradescope([rep], 1.0, notes=["WARNING: x"])
        vis = {t["name"]: t["visibility"] for t in doc["tests"]}
        self.assertEqual((vis["secret_one"], vis["kprintf_formats"]), ("hidden", "visible"))
        self.assertEqual(doc["stdout_visibility"], "hidden")
        self.assertTrue(doc["output"].startswith("WARNING: x"))

    def test_bad_hidden_rubric(self):
        self.lab1_tree()
        self.write("lab1-boot/hidden_rubric.toml", '[[sections]]\nname = "libk"\n'
                   'tests = [{ name = "kprintf_formats", points = 5 }]\n')
        with self.assertRaisesRegex(rubric.RubricError, "listed twice"):
            rubric.load(1, self.tmp)


class ProgressLine(unittest.TestCase):
    def test_not_a_terminal(self):
        out = io.StringIO()
        p = batch.Progress(2, stream=out)
        p.event(started=1)
        p.event("alice: 10/10 OK", finished=1)
        p.close()
        self.assertEqual(out.getvalue(), "alice: 10/10 OK\n")   # no status line, no escapes
        self.assertIn("[1/2 done", p.status())


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(verbosity=1, stream=sys.stdout).run(suite)
    bad = len(res.failures) + len(res.errors)
    print("instructor-unit: %d passed, %d failed" % (res.testsRun - bad, bad))
    return 0 if res.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
