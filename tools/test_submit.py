#!/usr/bin/env python3
"""test_submit.py: unit tests of make submit (tools/submit.py) and make compile_commands.json."""
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "grade"))

import compile_commands   # noqa: E402
import intake             # noqa: E402
import labs as lab_list    # noqa: E402
import submit             # noqa: E402


def write(root, files):
    for name, text in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


TREE = {"Makefile": "all:\n", "lab1-boot/kmain.c": "int x;\n", ".gitignore": "*.tmp\nbuild/\n",
        ".ci/run": "#!/bin/sh\n", "build/lab1/disk.img": "image", "lab1-boot/junk.tmp": "x"}


class SubmitFilesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        write(self.root, TREE)

    def tearDown(self):
        self.tmp.cleanup()

    def git(self, *args):
        subprocess.run(["git", "-C", self.root, "-c", "user.name=t", "-c", "user.email=t@t"]
                       + list(args), check=True, capture_output=True)

    def test_git_tree_tracked_and_untracked_not_ignored(self):
        self.git("init", "-q")
        write(self.root, {"lab1-boot/gone.c": "x"})
        self.git("add", "Makefile", "lab1-boot/kmain.c", "lab1-boot/gone.c", ".gitignore")
        self.git("commit", "-qm", "t")
        os.unlink(os.path.join(self.root, "lab1-boot/gone.c"))      # deleted, still tracked
        write(self.root, {"lab1-boot/new.c": "int y;\n", ".gdbinit": "target remote x:1\n"})
        self.assertEqual(submit.submit_files(self.root),
                         [".ci/run", ".gitignore", "Makefile", "lab1-boot/kmain.c",
                          "lab1-boot/new.c"])

    def test_plain_folder_leaves_out_build_and_vcs_only(self):
        write(self.root, {".git/config": "x", "lab1-boot/__pycache__/a.pyc": "x"})
        names = submit.submit_files(self.root, os.path.join(self.root, "sub.zip"))
        self.assertIn(".ci/run", names)
        self.assertFalse([n for n in names if n.startswith(("build/", ".git/"))], names)
        self.assertNotIn("lab1-boot/__pycache__/a.pyc", names)

    def test_output_archive_is_never_inside(self):
        write(self.root, {"sub.zip": "old"})
        self.assertNotIn("sub.zip", submit.submit_files(self.root,
                                                        os.path.join(self.root, "sub.zip")))

    def test_refusals(self):
        limits = intake.Limits()
        names = ["Makefile", "lab1-boot/kmain.c"]
        self.assertGreater(submit.check_files(self.root, names, limits), 0)
        with self.assertRaisesRegex(submit.SubmitError, "not a StepOS tree"):
            submit.check_files(self.root, ["lab1-boot/kmain.c"], limits)
        with open(os.path.join(self.root, "lab1-boot/big.bin"), "wb") as f:
            f.write(b"\0" * (submit.FILE_MAX + 1))
        with self.assertRaisesRegex(submit.SubmitError, "big.bin is .* over the"):
            submit.check_files(self.root, names + ["lab1-boot/big.bin"], limits)
        os.symlink("kmain.c", os.path.join(self.root, "lab1-boot/link.c"))
        with self.assertRaisesRegex(submit.SubmitError, "link.c is a symbolic link"):
            submit.check_files(self.root, names + ["lab1-boot/link.c"], limits)
        with self.assertRaisesRegex(submit.SubmitError, "over the autograder's limits"):
            submit.check_files(self.root, names, intake.Limits(max_files=1))

    def test_archive_is_a_tree_intake_accepts(self):
        out = os.path.join(self.root, "build", "s.zip")
        submit.write_zip(self.root, ["Makefile", "lab1-boot/kmain.c"], out)
        dest = os.path.join(self.root, "unpacked")
        tree, _ = intake.prepare(out, dest)
        self.assertTrue(os.path.isfile(os.path.join(tree, "lab1-boot", "kmain.c")))


class CompileCommandsTest(unittest.TestCase):
    def test_make_prints_kernel_flags_for_every_lab(self):
        rows = compile_commands.make_commands()
        labs = {lab for lab, _, _ in rows}
        self.assertEqual(labs, {lab.name for lab in lab_list.discover(ROOT)})
        self.assertGreaterEqual(len(labs), 6)
        kmain = [cmd for lab, src, cmd in rows if lab == "lab1" and src == "lab1-boot/kmain.c"]
        self.assertEqual(len(kmain), 1)
        for flag in ("-m32", "-ffreestanding", "-nostdinc", "-isystem", "-I.",
                     "-DLAB_NAME='\"lab1\"'"):
            self.assertIn(flag, kmain[0].split())
        entries = compile_commands.database(rows)
        last = max(lab.number for lab in lab_list.discover(ROOT))
        self.assertTrue(entries[0]["output"].startswith("build/lab%d/" % last))
        self.assertEqual(entries[0]["directory"], ROOT)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print("submit: %d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
