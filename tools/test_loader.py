#!/usr/bin/env python3
"""test_loader.py: the boot loader's kernel size limit: mkimage refuses past it, and a kernel at it (1 MiB, past the old 512 KiB) boots on QEMU and Bochs."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BOOT = os.path.join(ROOT, "lab1-boot", "boot")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "grade"))
import emu  # noqa: E402
import mkimage  # noqa: E402

LT_PATTERN = 0x5A000000      # tools/loader_test_kernel.asm
BOOT_TIMEOUT = 300           # seconds: a hang limit only, not a speed check
OK_LINE = "loader-test: every sector in place, sectors 0x%08X"


def layout_constants():
    """The numeric `NAME equ VALUE` lines of layout.inc, expressions evaluated."""
    env = {}
    with open(os.path.join(BOOT, "layout.inc")) as f:
        lines = f.readlines()
    for _ in range(2):                  # twice: an equ may use a later one
        for line in lines:
            m = re.match(r"^(\w+)\s+equ\s+([^;]+)", line)
            if m:
                try:
                    env[m.group(1)] = eval(m.group(2).replace("/", "//"), {}, dict(env))
                except NameError:
                    pass
    return env


def nasm(src, out):
    subprocess.run(["nasm", "-f", "bin", "-I" + BOOT + "/", src, "-o", out], check=True)


def test_kernel(sectors):
    """The loader test kernel: its code, then SECTORS - 1 sectors of pattern."""
    with tempfile.TemporaryDirectory() as d:
        nasm(os.path.join(HERE, "loader_test_kernel.asm"), os.path.join(d, "k.bin"))
        with open(os.path.join(d, "k.bin"), "rb") as f:
            code = f.read()
    body = bytearray(code)
    for i in range(1, sectors):
        body += b"".join((LT_PATTERN | i << 8 | j).to_bytes(4, "little") for j in range(128))
    return bytes(body)


def fake_stages():
    stage1 = bytes(510) + b"\x55\xaa"
    stage2 = bytearray(mkimage.STAGE2_SECTORS * mkimage.SECTOR)
    stage2[4:8] = mkimage.STAGE2_MAGIC.to_bytes(4, "little")
    return stage1, bytes(stage2)


class LimitTests(unittest.TestCase):
    def test_layout_inc_and_mkimage_agree(self):
        inc = layout_constants()
        for name in ("KERNEL_LBA", "STAGE2_LBA", "STAGE2_SECTORS", "CMDLINE_LBA",
                     "KERNEL_ADDR", "KERNEL_MEM_LIMIT", "KERNEL_MAX_SECTORS", "STAGE2_MAGIC"):
            self.assertEqual(inc.get(name), getattr(mkimage, name),
                             f"{name}: layout.inc and tools/mkimage.py must agree")
        self.assertEqual(mkimage.KERNEL_MAX_SECTORS * mkimage.SECTOR,
                         mkimage.KERNEL_MEM_LIMIT - mkimage.KERNEL_ADDR,
                         "the loader reads what fits between 1 MiB and the frame pool")
        self.assertGreaterEqual(mkimage.DISK_SECTORS,
                                mkimage.KERNEL_LBA + mkimage.KERNEL_MAX_SECTORS,
                                "the boot disk holds a kernel of the loader's limit")
        self.assertEqual(mkimage.DISK_SECTORS % (emu.HEADS * emu.SPT), 0,
                         "the boot disk is whole Bochs cylinders")

    def test_refuses_one_sector_over(self):
        s1, s2 = fake_stages()
        with tempfile.TemporaryDirectory() as d:
            paths = {}
            for name, data in (("s1", s1), ("s2", s2),
                               ("k", bytes(mkimage.KERNEL_MAX_SECTORS * 512 + 1))):
                paths[name] = os.path.join(d, name)
                with open(paths[name], "wb") as f:
                    f.write(data)
            r = subprocess.run([sys.executable, os.path.join(HERE, "mkimage.py"),
                                "--stage1", paths["s1"], "--stage2", paths["s2"],
                                "--kernel", paths["k"], "-o", os.path.join(d, "disk.img")],
                               capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, "a kernel one sector past the limit is refused")
        self.assertIn("kernel too large", r.stderr)
        self.assertIn(f"{mkimage.KERNEL_MAX_SECTORS + 1} sectors", r.stderr)
        self.assertIn(f"at most {mkimage.KERNEL_MAX_SECTORS}", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(d, "disk.img")))

    def test_accepts_the_limit_and_reports_usage(self):
        s1, s2 = fake_stages()
        img, nsect = mkimage.build(s1, s2, bytes(mkimage.KERNEL_MAX_SECTORS * 512), "")
        self.assertEqual(nsect, mkimage.KERNEL_MAX_SECTORS)
        self.assertEqual(len(img), mkimage.DISK_SECTORS * 512)
        low = mkimage.usage_lines("d.img", 100, 0x130000)
        self.assertEqual(low, ["mkimage: d.img: kernel 100 sectors (4% of the loader's limit)"])
        high = mkimage.usage_lines("d.img", 1000, 0x1DA000)
        self.assertEqual(len(high), 2, "near the limit, the memory figure is printed too")
        self.assertIn("ends at 0x1da000, 85% of the room below 0x200000", high[1])
        self.assertEqual(len(mkimage.usage_lines("d.img", 100, 0x1F0000)), 2,
                         "a small image with a large BSS is near the limit too")


def linker():
    """The kernel's ld (common/rules.mk: i686-elf-, i686-linux-gnu-, else ld)."""
    for ld in ("i686-elf-ld", "i686-linux-gnu-ld", "ld"):
        if shutil.which(ld):
            return ld
    return None


class LinkTests(unittest.TestCase):
    """common/kernel.ld refuses a kernel whose image + BSS passes 2 MiB."""

    def link(self, bss_bytes):
        ld = linker()
        if ld is None:
            self.skipTest("no ld")
        with tempfile.TemporaryDirectory() as d:
            src, obj = os.path.join(d, "k.asm"), os.path.join(d, "k.o")
            with open(src, "w") as f:
                f.write("global _start\nsection .text.entry\n_start: hlt\n"
                        f"section .bss\nresb {bss_bytes}\n")
            subprocess.run(["nasm", "-f", "elf32", src, "-o", obj], check=True)
            return subprocess.run([ld, "-m", "elf_i386", "-nostdlib", "-T",
                                   os.path.join(ROOT, "common", "kernel.ld"), obj,
                                   "-o", os.path.join(d, "k.elf")],
                                  capture_output=True, text=True)

    def test_bss_up_to_2mib_links(self):
        # .text at 1 MiB, .bss from the next page: 1 MiB - 4 KiB of it ends at 2 MiB.
        r = self.link(mkimage.KERNEL_MEM_LIMIT - mkimage.KERNEL_ADDR - 4096)
        self.assertEqual(r.returncode, 0, "a kernel ending exactly at 2 MiB links: " + r.stderr)

    def test_bss_past_2mib_refused(self):
        r = self.link(mkimage.KERNEL_MEM_LIMIT - mkimage.KERNEL_ADDR - 4096 + 1)
        self.assertNotEqual(r.returncode, 0, "a kernel ending past 2 MiB must not link")
        self.assertIn("kernel frame pool", r.stderr, "the link error names the problem")


class BootTests(unittest.TestCase):
    """A kernel of exactly the loader's limit: every sector must land at
    1 MiB + its offset (the test kernel checks), on each emulator."""
    disk = None

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        d = cls.dir.name
        for stage in ("stage1", "stage2"):
            nasm(os.path.join(BOOT, stage + ".asm"), os.path.join(d, stage + ".bin"))
        with open(os.path.join(d, "stage1.bin"), "rb") as f1, \
                open(os.path.join(d, "stage2.bin"), "rb") as f2:
            img, _ = mkimage.build(f1.read(), f2.read(),
                                   test_kernel(mkimage.KERNEL_MAX_SECTORS), "")
        cls.disk = os.path.join(d, "disk.img")
        with open(cls.disk, "wb") as f:
            f.write(img)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def boot(self, kind):
        try:
            emu.check_emulator(kind)
        except emu.EmulatorMissing as e:
            self.skipTest(str(e))
        work = tempfile.mkdtemp(dir=self.dir.name)
        launch = (emu.qemu_headless if kind == "qemu" else emu.bochs_headless)(
            self.disk, None, work)
        r = subprocess.run(launch.argv, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=BOOT_TIMEOUT, cwd=work)
        out = r.stdout.decode("utf-8", "replace")
        if launch.e9:
            with open(launch.e9, errors="replace") as f:
                out = f.read()
        serial = ""
        if launch.serial and os.path.exists(launch.serial):
            with open(launch.serial, errors="replace") as f:
                serial = f.read()
        said = [line for line in out.splitlines() if line.startswith("loader-test:")]
        self.assertIn(OK_LINE % mkimage.KERNEL_MAX_SECTORS, said,
                      f"{kind}: the loader must put all {mkimage.KERNEL_MAX_SECTORS} sectors "
                      f"(1 MiB) at 1 MiB + offset; kernel said {said!r}, "
                      f"loader said {serial.strip()!r}; {kind} exit status {r.returncode}, "
                      f"stderr {r.stderr.decode('utf-8', 'replace')[-500:]!r}")

    def test_qemu(self):
        self.boot("qemu")

    def test_bochs(self):
        self.boot("bochs")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"test_loader: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
