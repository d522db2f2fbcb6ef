"""test_grade_io.py: unit tests of the runner (with a fake emulator), rubrics, images, command lines and reports."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import checks    # noqa: E402
import disk      # noqa: E402
import emu       # noqa: E402
import labrun    # noqa: E402
import report    # noqa: E402
import rubric    # noqa: E402
import runner    # noqa: E402
from protocol import FAIL, OK, PANIC, TIMEOUT, TRIPLE_FAULT, Result  # noqa: E402

FAKE_EMU = textwrap.dedent("""
    import os, subprocess, sys, time
    serial, pidfile, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    open(pidfile, "w").write(str(child.pid))
    with open(serial, "w") as f:
        for item in sys.argv[4:]:
            if item.startswith("sleep="):
                f.flush(); time.sleep(float(item[6:]))
            else:
                f.write(item + "\\n")
    if status < 0:
        time.sleep(60)
    child.kill()
    sys.exit(status)
""")


class FakeEmulatorTest(unittest.TestCase):
    """runner.boot_once against a Python script that behaves like QEMU."""

    def boot(self, status, *items, test_timeout=0.5):
        d = tempfile.mkdtemp(prefix="stepos-test-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", d]))
        serial = os.path.join(d, "serial.log")
        pidfile = os.path.join(d, "child.pid")
        launch = emu.Launch("qemu", [sys.executable, "-c", FAKE_EMU, serial, pidfile,
                                     str(status)] + list(items), serial=serial)
        tmo = runner.Timeouts(boot=2.0, test=test_timeout)
        t0 = time.monotonic()
        outcome, end = runner.boot_once(launch, tmo)
        self.elapsed = time.monotonic() - t0
        with open(pidfile) as f:
            self.child = int(f.read())
        return outcome, end

    def assertChildGone(self):
        for _ in range(100):
            try:
                os.kill(self.child, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)
        self.fail("the emulator's child process survived")

    def test_done_then_poweroff(self):
        out, end = self.boot(1, "StepOS x", "KTEST START x 1", "KTEST RUN a", "sleep=0.2",
                             "KTEST PASS a", "KTEST DONE x: 1 passed, 0 failed")
        self.assertTrue(out.finished)
        self.assertEqual(end.poweroff, 0)
        self.assertEqual(out.results["a"].verdict, OK)
        self.assertGreaterEqual(out.results["a"].duration, 0.15)

    def test_hang_is_timeout_and_whole_group_is_killed(self):
        out, end = self.boot(-1, "StepOS x", "KTEST START x 1", "KTEST RUN a", "spinning")
        self.assertEqual(end.kind, "timeout")
        self.assertEqual(out.results["a"].verdict, TIMEOUT)
        self.assertIn("  | spinning", out.results["a"].reason)
        self.assertLess(self.elapsed, 3.0)
        self.assertChildGone()

    def test_reset_is_triple_fault(self):
        out, _ = self.boot(0, "StepOS x", "KTEST START x 1", "KTEST RUN a")
        self.assertEqual(out.results["a"].verdict, TRIPLE_FAULT)

    def test_panic_status_without_line(self):
        out, _ = self.boot(5, "StepOS x", "KTEST START x 1", "KTEST RUN a")
        self.assertEqual(out.results["a"].verdict, PANIC)

    def test_boot_error_stops_quickly(self):
        out, end = self.boot(-1, "BOOT ERROR: disk read failed")
        self.assertEqual(out.failure.reason[0], "BOOT ERROR: disk read failed")
        self.assertLess(self.elapsed, 1.5)


class RubricTest(unittest.TestCase):
    def write(self, text):
        d = tempfile.mkdtemp(prefix="stepos-rubric-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", d]))
        os.makedirs(os.path.join(d, "lab4-threads"))
        open(os.path.join(d, "lab4-threads", "lab.mk"), "w").close()
        with open(os.path.join(d, "lab4-threads", "rubric.toml"), "w") as f:
            f.write(textwrap.dedent(text))
        return d

    def test_lab1_rubric(self):
        r = rubric.load(1)
        self.assertEqual(r.lab, "lab1")
        self.assertEqual(r.max_points, sum(e.points for e in r.entries))
        self.assertIn("kprintf_formats", [e.name for e in r.entries])
        self.assertEqual([s for s, _ in r.sections],
                         ["libk", "exceptions", "interrupts and timer", "boot"])
        self.assertEqual([e.name for e in r.select(["exc_*"])][:2],
                         ["exc_divide_error", "exc_invalid_opcode"])

    def test_checks_and_timeouts(self):
        d = self.write("""
            lab = "lab4"
            seeds = 3
            data_disk = true
            [timeouts]
            test = 7
            [[sections]]
            name = "threads"
            tests = [
              { name = "fifo", points = 2, timeout = 20 },
              { name = "order", points = 3, check = "thread_order", needs = ["fifo"] },
            ]
            """)
        r = rubric.load(4, d)
        self.assertEqual((r.seeds, r.data_disk, r.test_timeout), (3, True, 7.0))
        fifo, order = r.entries
        self.assertEqual(fifo.timeout, 20.0)
        self.assertTrue(order.is_check)
        self.assertEqual(order.needs, ["fifo"])
        r.scale_timeouts(2)
        self.assertEqual((r.test_timeout, fifo.timeout), (14.0, 40.0))

    def test_boot_keys(self):
        d = self.write("""
            lab = "lab4"
            [[sections]]
            name = "disk"
            tests = [
              { name = "plain", points = 1, emulators = ["bochs"] },
              { name = "faults", points = 2, check = "f", cmdline = "test=x", emulators = ["qemu"], data_errors = { read = [7], write = [8, 9] } },
              { name = "nodisk", points = 1, check = "g", cmdline = "test=y", data_disk = false },
            ]
            """)
        plain, faults, nodisk = rubric.load(4, d).entries
        self.assertEqual((plain.runs_on("bochs"), plain.runs_on("qemu")), (True, False))
        self.assertEqual(faults.data_errors, {"read": [7], "write": [8, 9]})
        self.assertEqual((nodisk.runs_on("qemu"), nodisk.runs_on("bochs")), (True, True))
        self.assertIs(nodisk.data_disk, False)
        head = "lab = 'lab4'\n[[sections]]\nname='s'\ntests=[{name='a', points=1, "
        bad = {
            "emulators=['uml']}]\n": "emulators must be",
            "data_disk=false}]\n": "own boot",
            "check='c', data_disk=false}]\n": "own boot",
            "check='c', cmdline='x', data_errors={read=[1]}}]\n": "emulators = [\"qemu\"]",
            "check='c', cmdline='x', emulators=['qemu'], data_errors={read=[-1]}}]\n":
                "data_errors must be",
            "check='c', cmdline='x', emulators=['qemu'], data_errors={trim=[1]}}]\n":
                "data_errors must be",
        }
        for text, needle in bad.items():
            with self.assertRaises(rubric.RubricError) as cm:
                rubric.load(4, self.write(head + text))
            self.assertIn(needle, str(cm.exception))

    def test_errors_name_the_problem(self):
        bad = {
            "lab = 'lab4'\n[[sections]]\nname='s'\ntests=[{name='a', points='x'}]\n": "points",
            "lab = 'lab4'\n[[sections]]\nname='s'\ntests=[{name='a', points=1, tmo=3}]\n":
                "unknown keys tmo",
            "lab = 'lab4'\n[[sections]]\nname='s'\ntests=[{name='a', points=1},"
            "{name='a', points=1}]\n": "twice",
            "lab = 'lab5'\n": "expected 'lab4'",
            "lab = 'lab4'\nbogus = 1\n": "unknown keys bogus",
            "lab = [\n": "lab4-threads/rubric.toml",
        }
        for text, needle in bad.items():
            with self.assertRaises(rubric.RubricError) as cm:
                rubric.load(4, self.write(text))
            self.assertIn(needle, str(cm.exception))

    def test_lab_numbers(self):
        self.assertEqual([rubric.lab_number(s) for s in ("1", "lab3", "lab6-disk", "lab7",
                                                           "lab9", "x")],
                         [1, 3, 6, 7, None, None])


class ImageAndCommandTest(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp(prefix="stepos-img-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", self.d]))
        self.img = os.path.join(self.d, "disk.img")
        with open(self.img, "wb") as f:
            f.write(b"\x11" * (2 * emu.CYLINDER_BYTES))

    def test_cmdline_roundtrip_and_limit(self):
        disk.write_cmdline(self.img, "test=a,b seed=3")
        self.assertEqual(disk.read_cmdline(self.img), "test=a,b seed=3")
        with open(self.img, "rb") as f:
            data = f.read()
        self.assertEqual(data[:512], b"\x11" * 512)          # boot sector untouched
        self.assertEqual(data[1024:1030], b"\x11" * 6)       # sector 2 untouched
        with self.assertRaises(ValueError):
            disk.write_cmdline(self.img, "x" * 512)

    def test_copies_leave_the_original_alone(self):
        copy, data = disk.copy_images(self.img, None, os.path.join(self.d, "c"), "bench")
        self.assertIsNone(data)
        self.assertEqual(disk.read_cmdline(copy), "bench")
        self.assertEqual(disk.read_cmdline(self.img), "\x11" * 512)

    def test_geometry(self):
        self.assertEqual(emu.geometry(self.img), (2, 16, 63))
        with open(self.img, "ab") as f:
            f.write(b"\0" * 512)
        with self.assertRaises(ValueError):
            emu.geometry(self.img)

    def test_qemu_commands(self):
        a = emu.qemu_headless(self.img, "/x/data.img", self.d).argv
        self.assertIn("isa-debug-exit,iobase=0xf4,iosize=0x04", a)
        self.assertIn("-no-reboot", a)
        self.assertIn("file=/x/data.img,format=raw,if=ide,index=1,media=disk,"
                      "werror=report,rerror=report", a)
        drives = [a[i + 1] for i, x in enumerate(a) if x == "-drive"]
        self.assertEqual(len(drives), 2)
        for d in drives:    # a full host disk is a drive error, not a paused VM
            self.assertIn(",werror=report,rerror=report", d)
        self.assertIn("file:" + os.path.join(self.d, "serial.log"), a)
        g = emu.qemu_interactive(self.img, None, "e9.log", gdb_port=26001).argv
        self.assertEqual(g[-3:], ["-S", "-gdb", "tcp:127.0.0.1:26001"])
        self.assertIn("mon:stdio", g)
        self.assertEqual(emu.gdb_port(1000), 27000)
        self.assertIn("target remote localhost:26001", emu.gdbinit_text("k.elf", 26001))

    def test_qemu_blkdebug(self):
        launch = emu.qemu_headless(self.img, "/x/data.img", self.d, {"read": [3], "write": [4]})
        conf = os.path.join(self.d, "blkdebug.conf")
        self.assertIn("format=raw,file.driver=blkdebug,file.config=%s,file.image.filename="
                      "/x/data.img,if=ide,index=1,media=disk,werror=report,rerror=report"
                      % conf, launch.argv)
        self.assertEqual(launch.files, {"blkdebug": conf})
        with open(conf) as f:
            text = f.read()
        for want in ('event = "read_aio"', 'sector = "3"', 'iotype = "read"',
                     'event = "write_aio"', 'sector = "4"', 'iotype = "write"', 'errno = "5"'):
            self.assertIn(want, text)
        self.assertNotIn("blkdebug", " ".join(emu.qemu_headless(self.img, "/x/d.img",
                                                                self.d).argv))
        with self.assertRaises(ValueError):
            labrun.launch_for("bochs", self.img, "/x/d.img", self.d, {"read": [1]})

    def test_bochsrc(self):
        if not os.path.exists(emu.BOCHS_BIOS[0]):
            self.skipTest("Bochs BIOS not installed")
        text = emu.bochsrc_text(self.img, self.img, "s.log", "b.log")
        for want in ("cylinders=2, heads=16, spt=63", "ata0-slave:", "reset_on_triple_fault=0",
                     "com1: enabled=1, mode=file", "port_e9_hack: enabled=1",
                     "magic_break: enabled=1", "clock: sync=none, time0=0", "megs: 32"):
            self.assertIn(want, text)

    def test_bochs_pads_an_odd_size_copy(self):
        if not os.path.exists(emu.BOCHS_BIOS[0]):
            self.skipTest("Bochs BIOS not installed")
        data = os.path.join(self.d, "data.img")
        with open(data, "wb") as f:
            f.write(b"\x22" * (emu.CYLINDER_BYTES + 1000))
        launch = emu.bochs_headless(self.img, data, self.d)
        self.assertEqual(os.path.getsize(data), 2 * emu.CYLINDER_BYTES)
        self.assertEqual(len(launch.notes), 1)
        self.assertIn("data.img: %d bytes is not a whole number" % (emu.CYLINDER_BYTES + 1000),
                      launch.notes[0])
        with open(launch.files["bochsrc"]) as f:
            self.assertIn("cylinders=2, heads=16, spt=63", f.read().split("ata0-slave")[1])
        with open(data, "rb") as f:
            body = f.read()
        self.assertEqual(body[:emu.CYLINDER_BYTES + 1000], b"\x22" * (emu.CYLINDER_BYTES + 1000))
        self.assertEqual(body[emu.CYLINDER_BYTES + 1000:].count(b"\0"),
                         emu.CYLINDER_BYTES - 1000)
        self.assertEqual(emu.bochs_headless(self.img, data, self.d).notes, [])

    def test_bochs_log_verdicts(self):
        log = os.path.join(self.d, "bochs.log")
        with open(log, "w") as f:
            f.write("00154355699p[CPU0  ] >>PANIC<< exception(): 3rd (13) exception "
                    "with no resolution\n")
        self.assertTrue(emu.bochs_log_verdict(log)[0])
        with open(log, "w") as f:
            f.write("00154566440p[UNMAP ] >>PANIC<< Shutdown port: shutdown requested\n")
        self.assertEqual(emu.bochs_log_verdict(log), (False, ""))

    def test_qemu_exit_status(self):
        self.assertEqual([emu.qemu_exit_poweroff(s) for s in (1, 3, 5, 0, -9, None)],
                         [0, 1, 2, None, None, None])


class ReportTest(unittest.TestCase):
    def test_text_and_json(self):
        r = rubric.load(1)
        entries = r.select(["exc_*"])
        run = labrun.RunResult(labrun.RunSpec("bochs", 7))
        for e in entries:
            run.results[e.name] = Result(OK, 0.25)
        run.results["exc_breakpoint"] = Result(PANIC, 0.5, ["KPANIC a.c:1 f: x", "  #0 f"])
        rep = report.LabReport(rubric=r, graded=report.combine(r, entries, [run]),
                               runs=[run], replay_base=["python3", "grade/grade.py", "lab1"])
        text = "\n".join(report.render(rep, multi_run=True))
        self.assertIn("exc_divide_error: OK (0.2s) [4/4]", text)
        self.assertIn("exc_breakpoint: FAIL (0.5s) [0/4]", text)
        self.assertIn("[bochs seed=7] PANIC: KPANIC a.c:1 f: x", text)
        self.assertIn("seed 7, replay: python3 grade/grade.py lab1 --emulator bochs "
                      "--seed 7 exc_breakpoint -v", text)
        self.assertTrue(text.endswith("lab1: %d passed, 1 failed" % (len(entries) - 1)))
        doc = json.loads(json.dumps(report.gradescope([rep], 1.0)))
        self.assertEqual(doc["score"], sum(e.points for e in entries) - 4)
        t = [t for t in doc["tests"] if t["name"] == "exc_breakpoint"][0]
        self.assertEqual((t["status"], t["max_score"], t["score"]), ("failed", 4, 0))
        self.assertEqual(t["extra_data"]["verdict"], PANIC)


class CheckTest(unittest.TestCase):
    def test_return_shapes(self):
        ctx = checks.CheckContext("lab4", "qemu", None, ["  A 1", "B 2", "A 3"])
        self.assertEqual(ctx.matching("A"), ["A 1", "A 3"])
        self.assertEqual(checks.run(lambda c: True, ctx), (True, ""))
        self.assertEqual(checks.run(lambda c: (False, "order 2 1"), ctx), (False, "order 2 1"))
        ok, msg = checks.run(lambda c: 1 / 0, ctx)
        self.assertFalse(ok)
        self.assertIn("ZeroDivisionError", msg)
        with self.assertRaises(LookupError):
            checks.find("/nonexistent/lab9-x/checks.py", "nothing")


class CliTest(unittest.TestCase):
    def run_grade(self, *args):
        p = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "grade.py")]
                           + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return p.returncode, p.stdout.decode()

    def test_usage_errors_exit_2(self):
        for args, needle in ((["lab9"], "unknown lab"), (["lab1", "--frobnicate"], "unrecognized"),
                             (["lab1", "--seeds", "0"], "at least 1"),
                             (["lab1", "no_such_test"], "no rubric entry matches")):
            status, out = self.run_grade(*args)
            self.assertEqual(status, 2, out)
            self.assertIn(needle, out)


if __name__ == "__main__":
    unittest.main()
