"""test_diagnose.py: triple-fault diagnosis: QEMU and Bochs log samples (captured from a kernel that loads an empty IDT), symbols, log trimming."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import diagnose  # noqa: E402
import protocol  # noqa: E402
import report  # noqa: E402
from types import SimpleNamespace as NS  # noqa: E402

# Captured from `qemu -d int,cpu_reset` and Bochs (reset_on_triple_fault=0)
# running lab 1 with `lidt` of an empty IDT then int3: #GP (the IDT limit),
# #DF, #GP again. The first QEMU entries are added: a real-mode timer tick on
# vector 8 (an IRQ, not #DF), a handled page fault, a software INT, an IRQ.
QEMU_TRIPLE = """\
Servicing hardware INT=0x08
     1: v=08 e=0000 i=0 cpl=0 IP=0008:00105c80 pc=00105c80 SP=0010:0011168c env->regs[R_EAX]=00000000
CR0=00000011 CR2=00000000 CR3=00000000 CR4=00000000
     2: v=0e e=0002 i=0 cpl=0 IP=0008:00100a20 pc=00100a20 SP=0010:001115d8 env->regs[R_EAX]=00000000
EIP=00100a20 EFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0
CR0=80010011 CR2=c0000000 CR3=00400000 CR4=00000000
     3: v=30 e=0000 i=1 cpl=0 IP=0008:00100a30 pc=00100a30 SP=0010:001115d8 env->regs[R_EAX]=00000000
CR0=80010011 CR2=c0000000 CR3=00400000 CR4=00000000
Servicing hardware INT=0x20
     4: v=20 e=0000 i=0 cpl=0 IP=0008:00105532 pc=00105532 SP=0010:001115d8 env->regs[R_EAX]=00000000
CR0=00000011 CR2=00000000 CR3=00000000 CR4=00000000
check_exception old: 0xffffffff new 0xd
     3: v=0d e=001a i=0 cpl=0 IP=0008:0010654d pc=0010654d SP=0010:00111610 env->regs[R_EAX]=00000000
EIP=0010654d EFL=00000202 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0
CR0=00000011 CR2=00000000 CR3=00000000 CR4=00000000
check_exception old: 0xd new 0xd
     4: v=08 e=0000 i=0 cpl=0 IP=0008:0010654d pc=0010654d SP=0010:00111610 env->regs[R_EAX]=00000000
EIP=0010654d EFL=00000202 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0
CR0=00000011 CR2=00000000 CR3=00000000 CR4=00000000
check_exception old: 0x8 new 0xd
Triple fault
"""

BOCHS_TRIPLE = """\
00004770909i[BIOS  ] IDE time out
00154063201i[BIOS  ] Booting from 0000:7c00
00154145566i[SER   ] com1: FIFO enabled
00160959190e[CPU0  ] interrupt(): vector must be within IDT table limits, IDT.limit = 0x0
00160959190e[CPU0  ] interrupt(): vector must be within IDT table limits, IDT.limit = 0x0
00160959190e[CPU0  ] interrupt(): vector must be within IDT table limits, IDT.limit = 0x0
00160959190i[CPU0  ] CPU is in protected mode (active)
00160959190i[CPU0  ] CS.mode = 32 bit
00160959190i[CPU0  ] SS.mode = 32 bit
00160959190i[CPU0  ] EFER   = 0x00000000
00160959190i[CPU0  ] | EAX=00000000  EBX=0010b450  ECX=00000206  EDX=0010b450
00160959190i[CPU0  ] | ESP=00111610  EBP=00111624  ESI=0010b450  EDI=00000000
00160959190i[CPU0  ] | IOPL=0 id vip vif ac vm RF nt of df IF tf sf zf af pf cf
00160959190i[CPU0  ] | SEG sltr(index|ti|rpl)     base    limit G D
00160959190i[CPU0  ] |  CS:0008( 0001| 0|  0) 00000000 ffffffff 1 1
00160959190i[CPU0  ] |  DS:0010( 0002| 0|  0) 00000000 ffffffff 1 1
00160959190i[CPU0  ] |  SS:0010( 0002| 0|  0) 00000000 ffffffff 1 1
00160959190i[CPU0  ] |  ES:0010( 0002| 0|  0) 00000000 ffffffff 1 1
00160959190i[CPU0  ] |  FS:0010( 0002| 0|  0) 00000000 ffffffff 1 1
00160959190i[CPU0  ] |  GS:0010( 0002| 0|  0) 00000000 ffffffff 1 1
00160959190i[CPU0  ] | EIP=0010654d (0010654d)
00160959190i[CPU0  ] | CR0=0x60000011 CR2=0x00000000
00160959190i[CPU0  ] | CR3=0x00000000 CR4=0x00000000
00160959190p[CPU0  ] >>PANIC<< exception(): 3rd (13) exception with no resolution
"""

SYMS = "00100000 _start\n00100a00 memset\n00106540 ktest_fn_exc_breakpoint\n"


class QemuTest(unittest.TestCase):
    def test_last_three_exceptions(self):
        found = diagnose.qemu_exceptions(QEMU_TRIPLE)
        self.assertEqual([e["vector"] for e in found], [13, 8, 13])
        self.assertEqual(found[0]["error"], 0x1a)
        self.assertEqual(found[0]["eip"], 0x10654d)
        self.assertEqual(found[0]["cr2"], 0)
        self.assertIsNone(found[2]["error"])        # the one QEMU gave up on
        self.assertEqual(found[2]["eip"], 0x10654d)

    def test_irqs_and_software_ints_are_not_exceptions(self):
        head = QEMU_TRIPLE.split("check_exception")[0]
        found = diagnose.qemu_exceptions(head)
        self.assertEqual([(e["vector"], e["cr2"]) for e in found], [(14, 0xc0000000)])

    def test_no_triple_fault_no_third(self):
        text = QEMU_TRIPLE.replace("Triple fault\n", "")
        self.assertEqual([e["vector"] for e in diagnose.qemu_exceptions(text)], [14, 13, 8])


class BochsTest(unittest.TestCase):
    def test_third_exception(self):
        (e,) = diagnose.bochs_exceptions(BOCHS_TRIPLE)
        self.assertEqual((e["vector"], e["eip"], e["cr2"]), (13, 0x10654d, 0))
        self.assertIn("IDT table limits", e["why"])

    def test_no_triple_fault(self):
        self.assertEqual(diagnose.bochs_exceptions(BOCHS_TRIPLE.split(">>PANIC")[0]), [])


class TextTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="test-diagnose-")
        with open(os.path.join(self.dir, "kernel.sym"), "w") as f:
            f.write(SYMS)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_symbols(self):
        syms = diagnose.Symbols(self.dir)                 # no kernel.elf: no file:line
        self.assertEqual(syms.name(0x10654d), "ktest_fn_exc_breakpoint+0xd")
        self.assertEqual(syms.name(0x100a20), "memset+0x20")
        self.assertEqual(syms.name(0xfff), "??")

    def test_qemu_line(self):
        text = diagnose.triple_fault_text("qemu", self.write("q.log", QEMU_TRIPLE), self.dir)
        self.assertEqual(text, "last exceptions: 13 #GP error 0x1a at eip 0x0010654d "
                         "ktest_fn_exc_breakpoint+0xd -> 8 #DF error 0x0 -> 13 #GP")

    def test_page_fault_names_cr2(self):
        head = QEMU_TRIPLE.split("check_exception")[0]
        text = diagnose.triple_fault_text("qemu", self.write("q.log", head), self.dir)
        self.assertEqual(text, "last exceptions: 14 #PF error 0x2 at eip 0x00100a20 "
                         "memset+0x20 cr2 0xc0000000")

    def test_bochs_line(self):
        text = diagnose.triple_fault_text("bochs", self.write("b.log", BOCHS_TRIPLE), self.dir)
        self.assertTrue(text.startswith("the 3rd exception: 13 #GP at eip 0x0010654d "
                                        "ktest_fn_exc_breakpoint+0xd (interrupt(): vector"))

    def test_missing_log(self):
        self.assertEqual(diagnose.triple_fault_text("qemu", "/nonexistent/q.log", self.dir), "")

    def test_trim_keeps_the_tail(self):
        # As QEMU does: one handle, opened "w", writing on after the trim.
        path = os.path.join(self.dir, "qemu-int.log")
        with open(path, "w") as log:
            log.write("x" * 8192 + "\n")
            log.flush()
            diagnose.trim_log(path, limit=4096)
            self.assertEqual(os.path.getsize(path), 0)
            log.write(QEMU_TRIPLE)
            log.flush()
        self.assertLess(os.stat(path).st_blocks * 512, 8192 + 4096)
        self.assertEqual(diagnose.read_tail(path), QEMU_TRIPLE)
        diagnose.trim_log(path, limit=1 << 20)          # small: left alone
        self.assertEqual(diagnose.read_tail(path), QEMU_TRIPLE)


class PanicLineTest(unittest.TestCase):
    """A KPANIC report keeps the line printed just before it."""

    def test_previous_line_kept(self):
        out = protocol.parse_log("StepOS x\nKTEST START lab3 1\nKTEST RUN t\n"
                                 "vm: the PDE is wrong\nKPANIC assertion failed\n")
        reason = out.results["t"].reason
        self.assertEqual(reason[0], "KPANIC assertion failed")
        self.assertIn("  | vm: the PDE is wrong", reason)

    def test_protocol_line_not_kept(self):
        out = protocol.parse_log("StepOS x\nKTEST START lab3 1\nKTEST RUN t\n"
                                 "KPANIC assertion failed\n")
        self.assertEqual(out.results["t"].reason, ["KPANIC assertion failed"])


def _report(reasons, preamble=(), build_log=()):
    """A LabReport of tests t0..tN failing with REASONS (None = passed)."""
    spec = NS(label="qemu", seed=None, emulator="qemu")
    graded = []
    for i, why in enumerate(reasons):
        g = report.Graded(NS(name="t%d" % i, section="s", points=2))
        if why is not None:
            g.failures.append((spec, protocol.Result(protocol.FAIL, 0.0, [why])))
        graded.append(g)
    run = NS(spec=spec, notes=[], boots=1, preamble=list(preamble), integrity=[])
    return report.LabReport(NS(lab="lab3", sections=[("s", None)]), graded, [run],
                            build_log=list(build_log))


class CollapseTest(unittest.TestCase):
    CLUE = "vm: paging is not working yet (CR0.PG, CR3 or the recursive entry is wrong)"

    def test_same_reason_shown_once_with_root_cause(self):
        reasons = ["FAIL: lab3-paging/t%d.c:%d: VM is not set up" % (i, i) for i in range(5)]
        lines = report.render(_report(reasons + [None], ["StepOS lab3", "frames: ok",
                                                         self.CLUE]), False)
        text = "\n".join(lines)
        self.assertEqual(text.count("VM is not set up"), 2)    # once, and the root cause
        self.assertIn("t4: FAIL (0.0s) [0/2] (same failure as t0)", lines)
        self.assertIn("root cause: 5 of 5 failed tests failed the same way: VM is not set up",
                      lines)
        self.assertIn("  | " + self.CLUE, lines)
        self.assertNotIn("  | frames: ok", lines)
        self.assertIn("lab3: 1 passed, 5 failed", lines)

    def test_panic_root_cause_names_the_panic(self):
        rep = _report(["kernel panicked before the tests started"] * 3)
        for g in rep.graded:
            g.failures[0][1].reason.append("KPANIC exceptions nested 4 deep")
        self.assertIn("root cause: 3 of 3 failed tests failed the same way: kernel panicked "
                      "before the tests started: KPANIC exceptions nested 4 deep",
                      report.render(rep, False))

    def test_different_reasons_not_collapsed(self):
        lines = report.render(_report(["FAIL: a", "FAIL: b", "FAIL: c", "FAIL: a"]), False)
        self.assertFalse([l for l in lines if "same failure" in l or "root cause" in l])

    def test_build_failure_root_cause(self):
        log = ["make: ...", "x.c:13:5: error: expected ';'", "make: *** Error 1"]
        lines = report.render(_report(["the build failed (output above)"] * 4,
                                      build_log=log), False)
        self.assertEqual(lines[-4], "root cause: the build failed: x.c:13:5: error: expected ';'")
        self.assertEqual(sum("same failure as t0" in l for l in lines), 3)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(verbosity=1, stream=sys.stdout).run(suite)
    bad = len(res.failures) + len(res.errors)
    print("diagnose: %d passed, %d failed" % (res.testsRun - bad, bad))
    return 0 if res.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
