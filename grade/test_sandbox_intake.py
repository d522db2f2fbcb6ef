"""test_sandbox_intake.py: hostile archives for intake (bombs, 300,000 members, a declared zip count, an endless stream, a huge xz dictionary); run by test_sandbox.py."""
import bz2
import io
import lzma
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import unittest
import zipfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import intake   # noqa: E402
import sandbox  # noqa: E402

BOMB_MB = 16                    # decompressed size of the bombs (limit: 1 MiB)
MEMBERS = 300000                # members of the long tar (limit: 200)
STALL_PATIENCE = 60             # a killed intake is over long before (seconds)


def sandbox_works():
    return os.geteuid() == 0 and shutil.which("bwrap") and sandbox.probe("bwrap") is None


class Intake(unittest.TestCase):
    """Hostile archives: each must stop at a limit, never run on, never be parsed in full."""

    @classmethod
    def setUpClass(cls):
        if sandbox_works():
            sandbox.configure("bwrap")       # unpack exactly as the grader does

    @classmethod
    def tearDownClass(cls):
        sandbox.reset()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="stepos-test-intake-")
        self.small = intake.Limits(max_bytes=1 << 20, max_files=200, seconds=60)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def bomb_tar(self, name, compress):
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as t:
            t.addfile(tarfile.TarInfo("sub/Makefile"), io.BytesIO(b""))
            ti = tarfile.TarInfo("sub/bomb.bin")
            ti.size = BOMB_MB << 20
            t.addfile(ti, _Zeros(ti.size))
        with open(self.path(name), "wb") as f:
            f.write(compress(raw.getvalue()))
        return self.path(name)

    def test_gzip_bomb(self):
        p = self.bomb_tar("bomb.tar.gz", _gzip)
        self.assertLess(os.path.getsize(p), 1 << 20)
        with self.assertRaisesRegex(intake.BadSubmission, "more than 1 MiB once extracted"):
            intake.prepare(p, self.path("out"), self.small)
        self.assertEqual(os.listdir(self.path("out")), [])

    def test_bzip2_bomb(self):
        p = self.bomb_tar("bomb.tar.bz2", lambda b: bz2.compress(b, 1))
        with self.assertRaisesRegex(intake.BadSubmission, "more than 1 MiB once extracted"):
            intake.prepare(p, self.path("out"), self.small)

    def test_xz_dictionary_bounded_by_memory(self):
        # a tiny .tar.xz whose header asks for a 1.5 GiB dictionary: only
        # the unpacker's address-space limit stops the allocation
        p = self.path("dict.tar.xz")
        with open(p, "wb") as f:
            f.write(_xz_huge_dictionary())
        with self.assertRaisesRegex(intake.BadSubmission, "needs more memory"):
            intake.prepare(p, self.path("out"), intake.Limits(mem_mb=512))
        tree, _ = intake.prepare(p, self.path("roomy"), intake.Limits(mem_mb=3072))
        self.assertTrue(os.path.isfile(os.path.join(tree, "Makefile")))

    def test_many_members_streamed(self):
        # 300,000 members, then a broken long-name record: parsing it in full
        # fails there; streaming stops at member 201 and never gets there.
        p = self.path("many.tar")
        _many_members(p, MEMBERS)
        with self.assertRaisesRegex(intake.BadSubmission, "more than 200 files"):
            intake.prepare(p, self.path("out"), self.small)
        with open(p, "rb") as f:                         # the broken record is there
            f.seek(MEMBERS * tarfile.BLOCKSIZE)
            tail = f.read()
        with self.assertRaises(tarfile.TarError):
            with tarfile.open(fileobj=io.BytesIO(tarfile.TarInfo("x").tobuf() + tail)) as t:
                t.getmembers()

    def test_zip_count_checked_first(self):
        p = self.path("many.zip")
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("sub/Makefile", "all:\n")
        data = bytearray(open(p, "rb").read())
        at = data.rfind(b"PK\x05\x06")
        data[at + 8:at + 12] = (0xFFFF).to_bytes(2, "little") * 2    # 65535 declared
        open(p, "wb").write(data)
        with self.assertRaisesRegex(intake.BadSubmission, "more than 200 files "
                                    r"\(it declares 65535\)"):
            intake.prepare(p, self.path("out"), self.small)

    def test_stalled_archive_killed_at_deadline(self):
        fifo = self.path("stall.tar.bz2")          # a stream that never ends
        os.mkfifo(fifo)
        writer = os.open(fifo, os.O_RDWR)
        got = []

        def unpack():
            try:
                intake.prepare(fifo, self.path("out"), deadline=t0 + 2)
            except intake.BadSubmission as e:
                got.append(str(e))
        try:
            t0 = time.monotonic()       # the batch's deadline, not intake's own limit
            worker = threading.Thread(target=unpack, daemon=True)
            worker.start()
            worker.join(STALL_PATIENCE)
            self.assertFalse(worker.is_alive(), "intake still running %ds after its 2s "
                             "deadline" % STALL_PATIENCE)
            self.assertGreaterEqual(time.monotonic() - t0, 2)
        finally:
            os.close(writer)            # and end the stream, should intake still read it
            worker.join(STALL_PATIENCE)
        self.assertEqual(len(got), 1)
        self.assertRegex(got[0], "did not finish in 2s")
        self.assertEqual(_gone(self.path("out")), [])

    def test_fifo_without_writer_does_not_hang_us(self):
        fifo = self.path("nobody-writes.tar.gz")
        os.mkfifo(fifo)
        got = []
        worker = threading.Thread(daemon=True, target=lambda: got.append(
            _raised(intake.prepare, fifo, self.path("out"), self.small)))
        worker.start()
        worker.join(STALL_PATIENCE)
        self.assertEqual(len(got), 1, "opening a FIFO with no writer blocked intake")
        self.assertRegex(got[0], "not a readable tar file")

    def test_deadline_before_intake(self):
        p = self.bomb_tar("late.tar.gz", _gzip)
        with self.assertRaisesRegex(intake.BadSubmission, "no time left"):
            intake.prepare(p, self.path("out"), self.small, deadline=time.monotonic() - 1)

    def test_sigterm_ignored_sigkill_used(self):
        code = ("import os,signal,time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                "if os.fork()==0:\n signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                "print(\"child\", os.getpid(), flush=True)\ntime.sleep(600)")
        got = []
        worker = threading.Thread(daemon=True, target=lambda: got.append(intake.run_killable(
            [sys.executable, "-c", code, self.tmp], subprocess.DEVNULL, 1)))
        worker.start()
        worker.join(STALL_PATIENCE)
        self.assertEqual(len(got), 1, "still running %ds after its 1s deadline" % STALL_PATIENCE)
        self.assertIsNone(got[0][0])
        self.assertEqual(_gone(self.tmp), [])

    def test_honest_archive_unpacked_by_sandbox_user(self):
        p = self.path("ok.tar.gz")
        with tarfile.open(p, "w:gz") as t:
            for name, text in (("alice/Makefile", b"all:\n"), ("alice/lab1-boot/a.c", b"x\n")):
                ti = tarfile.TarInfo(name)
                ti.size = len(text)
                t.addfile(ti, io.BytesIO(text))
        tree, _ = intake.prepare(p, self.path("out"), self.small)
        self.assertEqual(open(os.path.join(tree, "Makefile")).read(), "all:\n")
        uid = sandbox.policy().uid
        if uid is not None:
            self.assertEqual(os.stat(os.path.join(tree, "Makefile")).st_uid, uid)


class _Zeros(io.RawIOBase):
    def __init__(self, n):
        self.left = n

    def read(self, n=-1):
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return b"\0" * n


def _gzip(data):
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def _xz_huge_dictionary():
    """An .xz of a one-file tree whose block header declares a 1.5 GiB dictionary."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as t:
        ti = tarfile.TarInfo("sub/Makefile")
        ti.size = 5
        t.addfile(ti, io.BytesIO(b"all:\n"))
    data = bytearray(lzma.compress(raw.getvalue(), format=lzma.FORMAT_XZ,
                                   filters=[{"id": lzma.FILTER_LZMA2, "dict_size": 1 << 16}]))
    at = 12                                         # the block header, after the stream header
    size, flags, i = (data[at] + 1) * 4, data[at + 1], at + 2
    for present in (0x40, 0x80):                    # optional sizes (varints)
        if flags & present:
            while data[i] & 0x80:
                i += 1
            i += 1
    assert data[i:i + 2] == b"\x21\x01", "not an LZMA2 filter with one property byte"
    data[i + 2] = 37                                # dictionary 3 << 29 = 1.5 GiB
    data[at + size - 4:at + size] = zlib.crc32(bytes(data[at:at + size - 4])).to_bytes(4, "little")
    return bytes(data)


def _many_members(path, n):
    """A tar of N empty files (headers only), then a record tarfile refuses."""
    tmpl = tarfile.TarInfo("m/000000").tobuf(tarfile.USTAR_FORMAT)
    base = sum(tmpl) - sum(tmpl[148:156]) + 8 * 32 - sum(b"000000")
    with open(path, "wb") as f:
        chunk = []
        for i in range(n):
            d = b"%06d" % i
            chunk.append(tmpl[:2] + d + tmpl[8:148] + b"%06o\0 " % (base + sum(d)) + tmpl[156:])
            if len(chunk) == 4096:
                f.write(b"".join(chunk))
                chunk = []
        long = tarfile.TarInfo("././@LongLink")
        long.type, long.size = tarfile.GNUTYPE_LONGNAME, 600
        f.write(b"".join(chunk) + long.tobuf(tarfile.GNU_FORMAT) + b"n" * 1024 + b"\1" * 512)


def _raised(fn, *args):
    """The message of the BadSubmission FN(*ARGS) raises, or 'no error'."""
    try:
        fn(*args)
    except intake.BadSubmission as e:
        return str(e)
    return "no error"


def _gone(marker, patience=30):
    """[] once no process mentions MARKER (killed processes take a moment to
    be reaped by their namespace), else those still there after PATIENCE s."""
    t0 = time.monotonic()
    while _running(marker) and time.monotonic() - t0 < patience:
        time.sleep(0.05)
    return _running(marker)


def _running(marker):
    """PIDs whose command line mentions MARKER."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if marker.encode() in f.read() and int(pid) != os.getpid():
                    found.append(pid)
        except (OSError, ValueError):
            pass
    return found
