"""test_integrity_scan.py: the --pristine scan flags new mentions of the test protocol in student files only."""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import integrity        # noqa: E402
import integrity_scan   # noqa: E402
import pristine         # noqa: E402

REF = {
    "common/ktest.c": 'kprintf("KTEST RUN %s");\n',
    "lab1-boot/monitor.c": "int m(void)\n{\n    return ktest_run(LAB_NAME, \"*\");\n}\n",
    "lab1-boot/boot/stage2.asm": "cmdline_read:\n    ret\n",
    "lab2-frames/cfp_bitmap.c": "/* LAB 2: BEGIN SOLUTION */\nint x;\n/* LAB 2: END SOLUTION */\n",
    "lab2-frames/tests_frames.c": "KTEST(a) { }\n",
}


def write(root, files):
    for name, text in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


class ScanTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="stepos-scan-")
        self.ref, self.tree = os.path.join(self.dir, "ref"), os.path.join(self.dir, "sub")
        write(self.ref, REF)
        write(self.tree, REF)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def scan(self):
        return integrity_scan.scan(self.tree, self.ref)

    def test_reference_itself_is_clean(self):
        self.assertEqual(self.scan(), [])

    def test_new_mentions_in_student_files(self):
        write(self.tree, {
            "lab2-frames/cfp_bitmap.c": REF["lab2-frames/cfp_bitmap.c"] +
            'void f(void) { kprintf("KTEST PASS a\\n"); }\n',
            "lab1-boot/monitor.c": REF["lab1-boot/monitor.c"] +
            "uint32_t k = ksyms_address(\"key\");\n",
            "lab3-paging/evil.c": "char *p = (char *)0x5000; /* ktkey */\n",
            "lab2-frames/tests_frames.c": "KTEST(a) { } KTEST(b) { }\n",  # restored: skipped
        })
        found = self.scan()
        self.assertTrue(all(integrity.is_flag(f) for f in found))
        text = "\n".join(found)
        self.assertIn("lab2-frames/cfp_bitmap.c:4 mentions KTEST", text)
        self.assertIn("lab1-boot/monitor.c:5 mentions ksyms_address", text)
        self.assertIn("lab3-paging/evil.c:1 mentions ktkey", text)
        self.assertNotIn("tests_frames", text)
        self.assertNotIn("monitor.c:3", text)          # ktest_run was already there
        self.assertEqual(len(found), 3)

    def test_test_tables_through_the_generic_mechanism(self):
        """Registering into ktest's own tables with common/ktable.h's macros or
        section names is flagged; another table (a monitor command) is not."""
        write(self.tree, {"lab3-paging/x.c":
                          "static const struct ktest t KTABLE_ENTRY(ktest) = {0};\n"
                          "__attribute__((section(\".ktable.kbench.1\"))) int b;\n"
                          "static const struct monitor_command c KTABLE_ENTRY(moncmd) = {0};\n"})
        text = "\n".join(self.scan())
        self.assertIn("lab3-paging/x.c:1 mentions", text)
        self.assertIn("lab3-paging/x.c:2 mentions", text)
        self.assertNotIn("lab3-paging/x.c:3", text)

    def test_early_code_is_protected(self):
        """The loader and the kernel entry run before ktest takes its key: they
        are restored from the reference (a change is flagged by pristine.protect)."""
        for name in ("lab1-boot/boot/stage2.asm", "lab1-boot/entry.asm"):
            self.assertTrue(pristine.is_pristine(name), name)

    def test_protected_only_reference_is_not_scanned(self):
        for name in ("lab1-boot/monitor.c", "lab1-boot/boot/stage2.asm",
                     "lab2-frames/cfp_bitmap.c"):
            os.unlink(os.path.join(self.ref, name))
        self.assertEqual(self.scan(), [])

    def test_many_mentions_are_summarised(self):
        write(self.tree, {"lab4-threads/x.c": "KMETRIC\n" * 9})
        found = self.scan()
        self.assertEqual(len(found), integrity_scan.MAX_PER_FILE + 1)
        self.assertIn("4 more such lines", found[-1])


if __name__ == "__main__":
    unittest.main()
