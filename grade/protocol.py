"""protocol.py: parse StepOS serial output (KTEST protocol) and judge the tests of one boot."""
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Optional

import integrity
import linetag

# Verdicts. OK is the only passing one.
OK = "OK"
FAIL = "FAIL"
PANIC = "PANIC"
TIMEOUT = "TIMEOUT"
TRIPLE_FAULT = "TRIPLE-FAULT"
BOOT_FAIL = "BOOT-FAIL"
BUILD_FAIL = "BUILD-FAIL"
VERDICTS = (OK, FAIL, PANIC, TIMEOUT, TRIPLE_FAULT, BOOT_FAIL, BUILD_FAIL)

TAIL_LINES = 10          # serial lines shown with a TIMEOUT or unexplained stop
PANIC_MAX_LINES = 40     # KPANIC line plus register/backtrace lines kept

_RE_START = re.compile(r"KTEST START (\S+) (\d+)")
_RE_RUN = re.compile(r"KTEST RUN (\S+)")
_RE_PASS = re.compile(r"KTEST PASS (\S+)")
_RE_FAIL = re.compile(r"KTEST FAIL (\S+)(?: (.*))?")
# Lenient: Bochs may lose the last bytes if the kernel powers off too early.
_RE_DONE = re.compile(r"KTEST DONE\b(?:\s*\S+: (\d+) passed, (\d+) failed)?")
_RE_METRIC = re.compile(r"KMETRIC (\S+) (\S+)(?: (.*))?")
_STRAY = " \t\r\n\x00\x0b\x0c"


@dataclass
class Result:
    """The verdict for one test (or one whole boot when it could not run tests)."""
    verdict: str
    duration: float = 0.0
    reason: list = field(default_factory=list)

    @property
    def passed(self):
        return self.verdict == OK


@dataclass
class End:
    """How a boot ended, as seen from outside the emulator.

    kind: "exit" (emulator exited by itself), "timeout" (grader killed it),
    "done" (killed after KTEST DONE because it did not power off in time),
    "boot-error" (killed after the loader's BOOT ERROR line) or "stopped"
    (killed because the grader needed no more: --fail-fast).
    poweroff: the status the kernel wrote to port 0xF4 if known (QEMU only).
    """
    kind: str
    t: float = 0.0
    status: Optional[int] = None
    poweroff: Optional[int] = None
    triple_fault: bool = False
    limit: float = 0.0
    emulator_message: str = ""


@dataclass
class Metric:
    name: str
    value: str
    unit: str
    test: Optional[str]


class BootParser:
    """Incremental parser for one boot's COM1 output. Feed complete lines.

    With KEY (the boot's ktkey=, 32 hex digits) a KTEST or KMETRIC line counts
    only if it carries a valid tag under KEY with the next sequence number
    (0, 1, 2, ...); any other such line is ignored and recorded in
    `integrity` as an "INTEGRITY: ..." finding. Without KEY lines are taken
    as printed (a student's own runs, the monitor)."""

    def __init__(self, key=None):
        self.key = key
        self.next_seq = 0               # sequence number the next tagged line must have
        self.integrity = []             # INTEGRITY findings (strings)
        self.lines = []                 # every line, as received (no newline)
        self.tail = deque(maxlen=TAIL_LINES)
        self.banner = None              # "StepOS ..." line
        self.boot_error = None          # "BOOT ERROR: ..." line
        self.boot_error_t = 0.0
        self.started = False
        self.start_count = None
        self.done = None                # (passed, failed) from KTEST DONE
        self.current = None             # running test name
        self.current_t0 = 0.0
        self.last_event_t = 0.0         # time of the last protocol line
        self.results = {}               # name -> Result, in order of RUN
        self.ran = []                   # names in RUN order
        self.panic = None               # [KPANIC line, indented lines...]
        self.panic_before = []          # what was printed just before it
        self.panic_test = None
        self.panic_t = 0.0
        self._collecting_panic = False
        self.metrics = []
        self.traces = []                # authentic KTRACE lines (without "KTRACE ")
        self.test_lines = {}            # name -> lines printed while it ran

    def _line_before_panic(self, prefix):
        """Reason lines showing what the kernel printed just before its
        KPANIC (PREFIX, on the same line, or the previous line), unless that
        is a protocol line: it often says what went wrong."""
        before = prefix.strip()
        if not before and len(self.lines) >= 2:
            before = self.lines[-2].strip()
        if not before or "KTEST " in before or before.startswith("StepOS "):
            return []
        return ["printed just before the KPANIC:", "  | " + before]

    # -- feeding ---------------------------------------------------------
    def feed(self, raw, t=0.0):
        """Consume one line of serial output received at time T (seconds)."""
        line = raw.rstrip("\r\n").replace("\r", "")
        self.lines.append(line)
        self.tail.append(line)
        if self._collecting_panic:
            if line.startswith(("  ", "\t")) and len(self.panic) < PANIC_MAX_LINES:
                self.panic.append(line.rstrip())
                return
            if line.startswith(("  ", "\t")):
                return
            self._collecting_panic = False
        if self.current is not None and "KTEST " not in line:
            self.test_lines.setdefault(self.current, []).append(line)
        text = line.strip(_STRAY)
        if self.banner is None and text.startswith("StepOS "):
            self.banner = text
            return
        if text.startswith("BOOT ERROR:") and self.boot_error is None:
            self.boot_error = text
            self.boot_error_t = t
            return
        k = line.find("KPANIC ")
        if k >= 0 and self.panic is None:
            self.panic = [line[k:].rstrip()]
            self.panic_before = self._line_before_panic(line[:k])
            self.panic_test = self.current
            self.panic_t = t
            self._collecting_panic = True
            return
        k = line.find("KTEST ")
        if k >= 0:
            text = self._authentic(line[k:].rstrip(_STRAY))
            if text is not None:
                self._ktest(text, t)
            return
        k = line.find("KMETRIC ")
        if k >= 0:
            text = self._authentic(line[k:].rstrip(_STRAY))
            m = _RE_METRIC.match(text) if text is not None else None
            if m:
                self.metrics.append(Metric(m.group(1), m.group(2),
                                           m.group(3) or "", self.current))
            return
        k = line.find("KTRACE ")
        if k >= 0:
            text = self._authentic(line[k:].rstrip(_STRAY))
            if text is not None:
                self.traces.append(text[len("KTRACE "):])

    def _authentic(self, text):
        """TEXT without its tag if it is to be believed, else None (recorded)."""
        if self.key is None:
            return text
        body, seq, problem = linetag.check(self.key, text)
        if problem is None and seq != self.next_seq:
            problem = ("sequence number %d where %d was due (replayed, reordered "
                       "or lost line)" % (seq, self.next_seq))
        if problem is not None:
            self.integrity.append(integrity.flag(
                "ignored a protocol line with %s: %r" % (problem, text[:160])))
            return None
        self.next_seq += 1
        return body

    def _ktest(self, text, t):
        m = _RE_START.match(text)
        if m:
            self.started = True
            self.start_count = int(m.group(2))
            self.last_event_t = t
            return
        m = _RE_RUN.match(text)
        if m:
            if self.current is not None and self.current not in self.results:
                self.results[self.current] = Result(
                    FAIL, t - self.current_t0,
                    ["no KTEST PASS/FAIL line before the next test started"])
            self.started = True
            self.current = m.group(1)
            self.current_t0 = t
            self.last_event_t = t
            if self.current not in self.ran:
                self.ran.append(self.current)
            return
        m = _RE_PASS.match(text)
        if m:
            self._finish_test(m.group(1), Result(OK), t)
            return
        m = _RE_FAIL.match(text)
        if m:
            self._finish_test(m.group(1), Result(FAIL, reason=[m.group(2) or
                                                              "(no message)"]), t)
            return
        m = _RE_DONE.match(text)
        if m:
            self.done = (int(m.group(1)), int(m.group(2))) if m.group(1) else (None, None)
            self.current = None
            self.last_event_t = t

    def _finish_test(self, name, result, t):
        result.duration = max(0.0, t - self.current_t0) if name == self.current else 0.0
        # A name that runs twice (a second KTEST with the same name) keeps its worst result.
        if name not in self.results or self.results[name].passed:
            self.results[name] = result
        if name not in self.ran:
            self.ran.append(name)
        if name == self.current:
            self.current = None
        self.last_event_t = t

    # -- judging ---------------------------------------------------------
    def finish(self, end):
        """Judge the boot that ended as END. Returns a BootOutcome."""
        out = BootOutcome(results=dict(self.results), ran=list(self.ran),
                          finished=self.done is not None, parser=self)
        if self.done is not None or end.kind == "stopped":
            return out
        tail = ["last serial output:"] + ["  | " + l for l in self.tail]
        emu = [end.emulator_message] if end.emulator_message else []
        if self.boot_error is not None:
            out.failure = Result(BOOT_FAIL, end.t, [self.boot_error] + emu)
            return out
        if self.panic is not None:
            test = self.panic_test
            if test is not None and test not in out.results:
                out.results[test] = Result(PANIC, max(0.0, self.panic_t - self.current_t0),
                                           self.panic + self.panic_before)
                out.crashed = test
            else:
                where = ("before the tests started" if not self.started
                         else "outside any test")
                out.failure = Result(PANIC, 0.0,
                                     ["kernel panicked " + where] + self.panic +
                                     self.panic_before)
            return out
        if not self.started:
            out.failure = self._boot_failure(end, tail, emu)
            return out
        test = self.current if self.current not in out.results else None
        what, verdict = self._stop_description(end)
        if test is not None:
            dur = max(0.0, end.t - self.current_t0)
            if end.kind == "timeout":
                reason = ["no result after %.1fs: test %s was still running" %
                          (end.limit, test)] + tail
            else:
                reason = ["%s while test %s was running" % (what, test)] + emu + tail
            out.results[test] = Result(verdict, dur, reason)
            out.crashed = test
        else:
            after = " (after test %s)" % self.ran[-1] if self.ran else ""
            if end.kind == "timeout":
                msg = "kernel printed nothing for %.1fs between tests%s" % (end.limit, after)
            else:
                msg = "%s between tests%s, before KTEST DONE" % (what, after)
            out.failure = Result(verdict, 0.0, [msg] + emu + tail)
        return out

    def _boot_failure(self, end, tail, emu):
        if self.banner is None:
            first = "no 'StepOS' banner"
        else:
            first = "banner '%s' but no KTEST START" % self.banner
        if end.kind == "timeout":
            msg = "%s within %.1fs" % (first, end.limit)
        elif end.triple_fault:
            msg = "triple fault (CPU reset) before KTEST START (%s)" % first
            if self.banner is not None:
                return Result(TRIPLE_FAULT, end.t, [msg] + emu + tail)
        else:
            msg = "emulator exited (status %s) before KTEST START (%s)" % (end.status, first)
        lines = [msg] + emu
        if self.lines:
            lines += tail
        return Result(BOOT_FAIL, end.t, lines)

    @staticmethod
    def _stop_description(end):
        """(text, verdict) for a boot that stopped without a PANIC line."""
        if end.kind == "timeout":
            return "timeout", TIMEOUT
        if end.triple_fault:
            return "triple fault (CPU reset)", TRIPLE_FAULT
        if end.poweroff == 2:
            return ("kernel powered off with the panic status but printed no "
                    "KPANIC line"), PANIC
        if end.poweroff is not None:
            return "kernel powered off (status %d)" % end.poweroff, FAIL
        return "emulator exited (status %s)" % end.status, FAIL


@dataclass
class BootOutcome:
    """What one boot established: per-test results and, if the boot broke
    down outside any test, a failure that applies to the tests it did not run."""
    results: dict
    ran: list
    finished: bool
    parser: BootParser
    failure: Optional[Result] = None
    crashed: Optional[str] = None


def parse_log(text, end=None):
    """Parse a whole serial log (a string); judge it with END (default: the
    emulator exited by itself with status 1). Used by tests and checks."""
    p = BootParser()
    for line in text.splitlines():
        p.feed(line)
    return p.finish(end or End("exit", status=1))
