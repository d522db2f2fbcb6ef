"""labrun.py: one graded run of a lab (one emulator, one seed): its tests, then its checks."""
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

import checks
import disk
import emu
import integrity
import isolation
import linetag
import runner
import session
from protocol import FAIL, OK, PANIC, Result


@dataclass
class RunSpec:
    emulator: str                 # "qemu" or "bochs"
    seed: Optional[int] = None

    @property
    def label(self):
        return self.emulator + ("" if self.seed is None else " seed=%d" % self.seed)

    @property
    def dirname(self):
        return self.emulator + ("" if self.seed is None else "-seed%d" % self.seed)


@dataclass
class RunResult:
    spec: RunSpec
    results: dict = field(default_factory=dict)   # entry name -> Result
    notes: list = field(default_factory=list)
    integrity: list = field(default_factory=list)  # INTEGRITY findings of its boots
    metrics: list = field(default_factory=list)
    boots: int = 0
    elapsed: float = 0.0
    preamble: list = field(default_factory=list)   # first boot's lines before KTEST START
    traces: list = field(default_factory=list)     # KTRACE lines of its boots (--timeline)


def timeouts_for(rubric, entries, emulator):
    per = {e.name: e.timeout for e in entries if e.timeout is not None}
    return runner.Timeouts(boot=rubric.boot_timeout, test=rubric.test_timeout, per_test=per,
                           scale=rubric.bochs_scale if emulator == "bochs" else 1.0)


def launch_for(emulator, disk_img, data_img, workdir, data_errors=None):
    if emulator == "qemu":
        return emu.qemu_headless(disk_img, data_img, workdir, data_errors)
    if data_errors:
        raise ValueError("injected data disk errors need QEMU")
    return emu.bochs_headless(disk_img, data_img, workdir)


class _Booter:
    """Boots fresh copies of the lab's images, one directory per boot."""

    def __init__(self, rubric, spec, build_dir, workdir, echo):
        self.spec, self.workdir, self.echo = spec, workdir, echo
        self.build_dir = build_dir
        self.disk, self.data = disk.lab_images(build_dir, rubric.data_disk)
        self.count = 0
        self.last_images = (None, None)
        self.last_end = None
        self.notes = []              # what the emulator launch adjusted (e.g. padding)

    def boot(self, cmdline, tmo, data_disk=None, data_errors=None, stop=None):
        """Boot with CMDLINE; DATA_DISK True/False overrides the rubric's
        choice of attaching the data disk, DATA_ERRORS injects errors on it;
        STOP(parser) ends the boot early (runner.boot_once)."""
        self.count += 1
        d = os.path.join(self.workdir, "boot%d" % self.count)
        data = self.data
        if data_disk is not None:
            data = disk.lab_images(self.build_dir, data_disk)[1]
        disk_copy, data_copy = disk.copy_images(self.disk, data, d, cmdline)
        launch = launch_for(self.spec.emulator, disk_copy, data_copy, d, data_errors)
        launch.kernel_dir = self.build_dir
        self.notes += [n for n in launch.notes if n not in self.notes]
        with open(os.path.join(d, "command.txt"), "w") as f:
            f.write("kernel command line: %s\nemulator command (cwd %s):\n%s\n"
                    % (cmdline, os.getcwd(), launch.command_text()))
        echo = None
        if self.echo:
            echo = lambda line: self.echo(self.spec, line)
            self.echo(self.spec, "--- boot %d: %s" % (self.count, cmdline))
        outcome, end = runner.boot_once(launch, tmo, echo=echo, key=linetag.key_of(cmdline),
                                        stop=stop)
        self.last_images = (disk_copy, data_copy)
        self.last_end = end
        return outcome


def run(rubric, entries, spec, build_dir, workdir, echo=None, cmdline="", trace=False,
        isolate=True, fail_fast=False):
    """Grade ENTRIES of RUBRIC under SPEC; boots happen in WORKDIR/bootN.
    CMDLINE (a challenge section's keys) is added to every boot's command line.
    TRACE: the kernel dumps each test's scheduling trace (RunResult.traces).
    ISOLATE: rerun a test that failed after others alone (isolation.py).
    FAIL_FAST: stop at the first entry worth points that fails (the emulator
    is killed on the failing line; no more boots, checks or reruns); the
    entries not run fail as session.NOT_RUN_FAIL_FAST. Whether the run
    loses a point is then exactly what the whole run would say; the score
    is not. FAIL_FAST may be a threading.Event shared by the runs of one
    grading: the first run to lose a point sets it and the others stop too."""
    t0 = time.monotonic()
    res = RunResult(spec)
    booter = _Booter(rubric, spec, build_dir, workdir, echo)
    extra = [rubric.cmdline, cmdline] + ([] if spec.seed is None else ["seed=%d" % spec.seed])
    entries = [e for e in entries if e.runs_on(spec.emulator)]
    tests = [e.name for e in entries if not e.is_check]
    for e in entries:
        if e.is_check and not e.cmdline:
            tests += [n for n in e.needs if n not in tests]
    tmo = timeouts_for(rubric, rubric.entries + rubric.challenge_entries, spec.emulator)
    lost_event = _lost_event(fail_fast)
    counted = {e.name for e in entries if not e.is_check and e.points > 0}

    def lost(results):
        if lost_event is not None and session.failed_any(results, counted):
            lost_event.set()
        return lost_event is not None and lost_event.is_set()
    if fail_fast:
        sess = session.run_tests(tests, lambda cl, chunk: booter.boot(
            cl, tmo, stop=lambda parser: lost(parser.results)),
            extra + (["ktrace"] if trace else []), stop=lost)
    else:
        sess = session.run_tests(tests, lambda cl, chunk: booter.boot(cl, tmo),
                                 extra + (["ktrace"] if trace else []))
    res.notes += sess.notes
    if sess.boots:
        first = sess.boots[0].parser.lines
        res.preamble = first[:next((i for i, l in enumerate(first) if "KTEST START" in l), 0)]
    res.integrity += [_labelled(spec, f) for f in sess.integrity]
    test_lines = {}
    for b in sess.boots:
        res.metrics += b.parser.metrics
        res.traces += b.parser.traces
        for name, lines in b.parser.test_lines.items():
            test_lines.setdefault(name, []).extend(lines)
    for e in entries:
        if not e.is_check:
            res.results[e.name] = sess.results.get(e.name, Result(FAIL, 0.0, ["not run"]))
    session_images = booter.last_images  # what checks without a boot of their own see
    if isolate and not lost(res.results):   # after the session's images: reruns boot other copies
        found = []
        res.notes += isolation.rerun(sess, lambda cl, chunk: booter.boot(cl, tmo), extra,
                                     findings=found)[0]
        res.integrity += [_labelled(spec, f) for f in found]
    for e in entries:
        if e.is_check and lost(res.results):
            res.results[e.name] = Result(FAIL, 0.0, [session.NOT_RUN_FAIL_FAST])
        elif e.is_check:
            res.results[e.name] = _run_check(rubric, e, spec, booter, sess, test_lines,
                                             extra, session_images, res.integrity)
            if e.points > 0 and not res.results[e.name].passed and lost_event is not None:
                lost_event.set()
    res.notes += booter.notes
    res.boots = booter.count
    res.elapsed = time.monotonic() - t0
    return res


def _lost_event(fail_fast):
    """The Event that says a point is lost (FAIL_FAST: False, True or a
    shared Event), or None without --fail-fast."""
    if not fail_fast:
        return None
    return fail_fast if isinstance(fail_fast, threading.Event) else threading.Event()


def _labelled(spec, finding):
    """FINDING (an INTEGRITY string) with the run's label after the marker."""
    return integrity.flag("[%s] %s" % (spec.label, finding[len(integrity.PREFIX):]))


def _run_check(rubric, entry, spec, booter, sess, test_lines, extra, session_images,
               findings):
    t0 = time.monotonic()
    try:
        fn = checks.find(rubric.checks_path, entry.check)
    except LookupError as e:
        return Result(FAIL, 0.0, ["grader error: %s" % e])
    ctx = checks.CheckContext(lab=rubric.lab, emulator=spec.emulator, seed=spec.seed,
                              lines=sess.lines, results=sess.results, test_lines=test_lines)
    ctx.boot_disk, ctx.data_disk = session_images
    ctx.data_errors = entry.data_errors
    if entry.cmdline:
        limit = entry.timeout or max(rubric.boot_timeout, rubric.test_timeout)
        tmo = runner.Timeouts(boot=limit, test=limit, scale=timeouts_for(
            rubric, [], spec.emulator).scale)
        outcome = booter.boot(session.build_cmdline([], session.keyed([entry.cmdline] + extra)),
                              tmo, entry.data_disk, entry.data_errors)
        p = outcome.parser
        findings += [_labelled(spec, integrity.flag("%s's boot: %s" % (
            entry.name, f[len(integrity.PREFIX):]))) for f in p.integrity]
        ctx.lines, ctx.results, ctx.test_lines = p.lines, outcome.results, p.test_lines
        ctx.boot_disk, ctx.data_disk = booter.last_images
        if p.panic is not None:
            return Result(PANIC, time.monotonic() - t0, list(p.panic))
    ok, msg = checks.run(fn, ctx)
    return Result(OK if ok else FAIL, time.monotonic() - t0, [msg] if msg else [])
