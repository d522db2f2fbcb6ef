#!/usr/bin/env python3
"""test_uimage.py: unit tests of tools/uimage.py: round trip, alignment, and each refusal names its problem."""
import os
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import uimage  # noqa: E402

ELF = b"\x7fELF" + bytes(60)


class PackTests(unittest.TestCase):
    def test_round_trip_and_alignment(self):
        progs = [("sh", ELF + b"a" * 5), ("hello", ELF + b"b"), ("x" * 31, ELF)]
        image = uimage.pack(progs)
        rows = uimage.parse(image)
        self.assertEqual([r[0] for r in rows], ["sh", "hello", "x" * 31])
        for (name, off, size), (_, data) in zip(rows, progs):
            self.assertEqual(off % uimage.ALIGN, 0, f"{name}: files start at multiples of 16")
            self.assertEqual(image[off:off + size], data, f"{name}: bytes intact")
        magic, version, count, total = struct.unpack_from("<4I", image)
        self.assertEqual((magic, version, count, total), (0x4D495553, 1, 3, len(image)))
        self.assertEqual(image[:4], b"SUIM")

    def assert_refused(self, progs, words):
        with self.assertRaises(uimage.ImageError) as cm:
            uimage.pack(progs)
        self.assertIn(words, str(cm.exception))

    def test_refusals(self):
        self.assert_refused([("a", ELF), ("a", ELF)], "duplicate")
        self.assert_refused([("x" * 32, ELF)], "too long")
        self.assert_refused([("", ELF)], "empty")
        self.assert_refused([("a b", ELF)], "only letters")
        self.assert_refused([("a", b"MZ" + bytes(60))], "not an ELF")
        self.assert_refused([(f"p{i}", ELF) for i in range(257)], "too many")

    def test_parse_refuses_damage(self):
        image = uimage.pack([("sh", ELF), ("hello", ELF)])
        cases = [(b"XUIM" + image[4:], "bad magic"),
                 (image[:4] + struct.pack("<I", 2) + image[8:], "version"),
                 (image[:-1], "header says"),
                 (image[:8] + struct.pack("<I", 1000) + image[12:], "does not fit"),
                 (image[:16] + b"y" * 32 + image[48:], "not terminated")]
        for bad, words in cases:
            with self.assertRaises(uimage.ImageError) as cm:
                uimage.parse(bad)
            self.assertIn(words, str(cm.exception))
        for n in range(len(image)):
            with self.assertRaises(uimage.ImageError, msg=f"cut to {n} bytes"):
                uimage.parse(image[:n])


class CompressionTests(unittest.TestCase):
    def test_round_trip(self):
        import random
        rng = random.Random(7)
        samples = [b"", b"a", b"abcd" * 1000, bytes(70000),
                   bytes(rng.randrange(256) for _ in range(5000)),
                   uimage.pack([("p%d" % i, ELF + bytes(rng.randrange(4) for _ in range(3000)))
                                for i in range(8)])]
        for raw in samples:
            blob = uimage.lz_compress(raw)
            self.assertEqual(uimage.lz_decompress(blob), raw, f"{len(raw)} bytes round trip")
        self.assertLess(len(uimage.lz_compress(b"abcd" * 1000)), 200, "repeats must compress")

    def test_damage_refused(self):
        blob = bytearray(uimage.lz_compress(b"hello hello hello hello, world" * 3))
        for at, words in ((0, "header"), (20, "checksum"), (12, "checksum")):
            bad = bytearray(blob)
            bad[at] ^= 0x41
            with self.assertRaises(uimage.ImageError, msg=f"byte {at} changed") as cm:
                uimage.lz_decompress(bytes(bad))
            self.assertIn(words, str(cm.exception))
        for n in range(len(blob)):
            cut = bytearray(blob[:n])
            if n >= 16:
                struct.pack_into("<I", cut, 8, n - 16)
            with self.assertRaises(uimage.ImageError, msg=f"cut to {n} bytes"):
                uimage.lz_decompress(bytes(cut))


class CommandLineTests(unittest.TestCase):
    def run_tool(self, *args):
        return subprocess.run([sys.executable, os.path.join(HERE, "uimage.py"), *args],
                              capture_output=True, text=True)

    def test_pack_list_and_missing_file(self):
        with tempfile.TemporaryDirectory() as d:
            prog = os.path.join(d, "hello.elf")
            with open(prog, "wb") as f:
                f.write(ELF)
            img = os.path.join(d, "u.img")
            lz, inc = os.path.join(d, "u.lz"), os.path.join(d, "u.inc")
            r = self.run_tool("-o", img, "--lz", lz, "--nasm-inc", inc, prog, f"other={prog}")
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(inc) as f:
                self.assertIn(f"%define UIMAGE_RAW_BYTES {os.path.getsize(img)}", f.read())
            r = self.run_tool("--list", lz)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("compressed", r.stdout)
            r = self.run_tool("--list", img)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("hello", r.stdout)
            self.assertIn("other", r.stdout)
            self.assertIn("2 programs", r.stdout)
            r = self.run_tool("-o", img, os.path.join(d, "missing.elf"))
            self.assertEqual(r.returncode, 1)
            self.assertIn("cannot read program 'missing'", r.stderr)
            r = self.run_tool("-o", img, prog, prog)
            self.assertEqual(r.returncode, 1)
            self.assertIn("duplicate", r.stderr)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"test_uimage: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
