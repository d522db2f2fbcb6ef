"""batch.py: grade a whole class: each submission in its own sandboxed copy, in parallel, with a time limit; summary table and CSV gradebook."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import gradebook
import intake
import integrity
import integrity_scan
import pristine
import pristine_build
import report
import rubric
import safe_text
from gradebook import (INTERRUPTED, LOG_LINE_MAX, PENDING, merge, pts, safe_log, table,
                       unique_names, write_final_csv)
# Re-exported: selftest.py and older callers import these from batch.
from pristine import PRISTINE_PATTERNS, copy_tree, is_pristine, source_files  # noqa: F401

TERM_GRACE = 10                  # seconds between SIGTERM and SIGKILL
NOTE = safe_text.NOTE_MAX        # characters kept of a warning or message line


def pristine_copy(src, ref, dest):
    """A private copy of submission SRC (folder or archive) in DEST with REF's
    protected files; returns (tree, [warning lines])."""
    if not os.path.isdir(ref):
        raise FileNotFoundError("--pristine %s: not a directory" % ref)
    tree, warnings = intake.prepare(src, dest)
    return tree, (warnings + pristine.protect(tree, ref) +
                  integrity_scan.scan(tree, ref))


@dataclass
class Outcome:
    name: str
    score: float = 0.0
    max_score: float = 0.0
    verdict: str = ""
    seconds: float = 0.0
    warnings: list = field(default_factory=list)
    tests: dict = field(default_factory=dict)     # test name -> score
    message: str = ""
    integrity: list = field(default_factory=list)  # 'INTEGRITY: ...' findings
    safe: str = ""                                 # unique file-safe name


class Progress:
    """done/total and an ETA on a terminal (a status line redrawn in place)."""

    def __init__(self, total, stream=None):
        self.total, self.done, self.running = total, 0, 0
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.t0 = time.monotonic()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        if self.tty:
            threading.Thread(target=self._tick, daemon=True).start()

    def status(self):
        el = time.monotonic() - self.t0
        eta = "?" if not self.done else "%ds" % (el / self.done * (self.total - self.done))
        return "[%d/%d done, %d running, %ds elapsed, ETA %s]" % (
            self.done, self.total, self.running, el, eta)

    def _draw(self):
        if self.tty and not self.stop.is_set():
            self.stream.write("\r\033[K" + self.status())
            self.stream.flush()

    def _tick(self):
        while not self.stop.wait(1.0):
            with self.lock:
                self._draw()

    def event(self, text=None, started=0, finished=0):
        with self.lock:
            self.running += started - finished
            self.done += finished
            if text is not None:
                if self.tty:
                    self.stream.write("\r\033[K")
                self.stream.write(text + "\n")
            self._draw()
            self.stream.flush()

    def close(self):
        self.stop.set()
        with self.lock:
            if self.tty:
                self.stream.write("\r\033[K")
                self.stream.flush()


class ClassGrader:
    def __init__(self, args, grade_py, tmp, sandbox_kind):
        self.args, self.grade_py, self.tmp, self.sandbox_kind = args, grade_py, tmp, sandbox_kind
        self.ref = os.path.abspath(args.pristine) if args.pristine else None
        self.ref_files = pristine.reference_files(self.ref) if self.ref else None
        self.csv_path = os.path.abspath(args.csv or "grades.csv")
        self.log_dir = self.csv_path + ".d"
        self.json_dir = os.path.abspath(args.json_dir) if args.json_dir else self.log_dir
        self.rubric_root = args.rubric_root
        self.rubrics = [rubric.load(n, self.rubric_root) for n in args.labs]
        multi = len(self.rubrics) > 1
        self.columns = [("%s: %s" % (r.lab, e.name)) if multi else e.name
                        for r in self.rubrics for e in r.entries]
        self.points = [e.points for r in self.rubrics for e in r.entries]
        self.max_score = sum(r.max_points for r in self.rubrics)
        self.procs, self.lock, self.stopping = set(), threading.Lock(), threading.Event()
        # A leading '.' is never in a submission's file-safe name (unique_names).
        self.seeder = (pristine_build.PristineBuild(self.ref, os.path.join(tmp, ".pristine-build"),
                                                    self.rubrics) if self.ref else None)

    def child_cmd(self, name, path, tree, js):
        a = self.args
        cmd = [sys.executable, self.grade_py] + [r.lab for r in self.rubrics][:1]
        if len(self.rubrics) > 1:
            cmd[-1] = "all"
        cmd += ["--root", tree, "--emulator", a.emulator, "--json", js, "-j", "1",
                "--timeout-scale", str(a.timeout_scale), "--sandbox", self.sandbox_kind,
                "--mem-limit", str(a.mem_limit), "--replay-root", os.path.abspath(path)]
        for h in [os.path.abspath(a.submissions), self.log_dir, self.json_dir, self.tmp] + \
                ([self.ref] if self.ref else []):
            cmd += ["--sandbox-hide", h]
        if self.ref:
            cmd += ["--replay-pristine", self.ref]
        if self.rubric_root:
            cmd += ["--rubrics-from", self.rubric_root]
        if a.seeds is not None:
            cmd += ["--seeds", str(a.seeds)]
        if a.seed is not None:
            cmd += ["--seed", str(a.seed)]
        for p in a.patterns:
            cmd += ["-k", p]
        return cmd

    def run_child(self, cmd, log_path, limit):
        """Run CMD with its output in LOG_PATH for at most LIMIT seconds:
        (exit status, None), (None, 'TIME-LIMIT') or (None, INTERRUPTED)."""
        with self.lock:
            if self.stopping.is_set():
                return None, INTERRUPTED
            with open(log_path, "ab") as log:
                p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
            self.procs.add(p)
        try:
            try:
                return p.wait(timeout=max(1.0, limit)), None
            except subprocess.TimeoutExpired:
                _stop(p)
                with open(log_path, "a") as log:
                    log.write("\nbatch: TIME-LIMIT: stopped after %.0fs of wall-clock time\n"
                              % limit)
                return None, "TIME-LIMIT"
        finally:
            with self.lock:
                self.procs.discard(p)

    def grade_one(self, name, path, safe):
        """Grade submission NAME at PATH; its log and JSON are named SAFE."""
        a, out = self.args, Outcome(name, max_score=self.max_score, safe=safe)
        t0 = time.monotonic()
        log_path = os.path.join(self.log_dir, safe + ".txt")
        js = os.path.join(self.json_dir, safe + ".json")
        for f in (log_path, js):
            if os.path.exists(f):
                os.unlink(f)
        work = os.path.join(self.tmp, safe)
        try:
            if self.stopping.is_set():
                out.verdict, out.message = INTERRUPTED, "not graded: grading was interrupted"
                return out
            # the time limit covers unpacking: a stalled archive is killed at it
            tree, out.warnings = intake.prepare(path, work, deadline=t0 + a.time_limit)
            if self.ref:
                out.warnings += (pristine.protect(tree, self.ref, self.ref_files) +
                                 integrity_scan.scan(tree, self.ref, self.ref_files))
            seeding = [self.seeder.seed(tree)] if self.seeder else []
            with open(log_path, "w") as log:
                log.write("".join("batch: %s\n" % safe_text.line(w, LOG_LINE_MAX)
                                  for w in out.warnings + seeding))
            status, stopped = self.run_child(self.child_cmd(name, path, tree, js), log_path,
                                             a.time_limit - (time.monotonic() - t0))
            self._read_result(out, js, status, stopped, safe)
        except intake.BadSubmission as e:
            out.verdict, out.message = "BAD-SUBMISSION", str(e)
            with open(log_path, "w") as log:
                log.write("batch: BAD-SUBMISSION: %s\n" % safe_text.line(e, LOG_LINE_MAX))
        except Exception as e:                       # one submission never stops the rest
            out.verdict, out.message = "GRADER-ERROR", "%s: %s" % (type(e).__name__, e)
            with open(log_path, "a") as log:
                log.write("batch: GRADER-ERROR: %s\n" % safe_text.line(out.message,
                                                                      LOG_LINE_MAX))
        finally:
            if not a.keep:
                intake.remove(work)
            out.seconds = time.monotonic() - t0
            safe_log(log_path)
        out.integrity = merge(out.integrity, [w for w in out.warnings if integrity.is_flag(w)])
        if out.verdict not in ("OK", INTERRUPTED) and not os.path.exists(js):
            self._write_zero_json(out, js)
        return out

    def _read_result(self, out, js, status, stopped, safe):
        if stopped == INTERRUPTED or (status not in (0, 1) and self.stopping.is_set()):
            out.verdict, out.message = INTERRUPTED, "not graded: grading was interrupted"
            return
        if stopped:
            out.verdict, out.message = stopped, "stopped after %ss" % self.args.time_limit
            return
        try:
            with open(js) as f:
                doc = json.load(f)
        except (OSError, ValueError):
            out.verdict = "GRADER-ERROR"
            out.message = "the grader exited with status %s; see %s.txt" % (status, safe)
            return
        extra = doc.setdefault("extra_data", {})
        out.integrity = merge([w for w in out.warnings if integrity.is_flag(w)],
                               [safe_text.line(f, NOTE) for f in extra.get("integrity", [])])
        if out.warnings:         # the student sees them in Gradescope's output too
            others = [w for w in out.warnings if not integrity.is_flag(w)]
            body = [l for l in doc.get("output", "").split("\n") if l not in out.integrity]
            doc["output"] = "\n".join(safe_text.lines(out.integrity + others, NOTE) + body)
            extra["integrity"] = out.integrity
            report.write_atomic(js, json.dumps(doc, indent=2) + "\n")
        out.score = doc["score"]
        out.max_score = extra.get("max_score", self.max_score)
        verdicts = {}
        for t in doc["tests"]:
            out.tests[t["name"]] = t["score"]
            v = safe_text.line(t.get("extra_data", {}).get("verdict", "OK"), 40)
            if v != "OK":
                verdicts[v] = verdicts.get(v, 0) + 1
        if not verdicts:
            out.verdict = "OK"
        elif "BUILD-FAIL" in verdicts:
            out.verdict = "BUILD-FAIL"
        else:
            out.verdict = ", ".join("%d %s" % (n, v) for v, n in sorted(verdicts.items()))

    def _write_zero_json(self, out, js):
        text = safe_text.line("%s: %s" % (out.verdict, out.message) if out.message
                              else out.verdict, NOTE)
        flags = [safe_text.line(f, NOTE) for f in out.integrity]
        others = [w for w in out.warnings if not integrity.is_flag(w)]
        doc = {"score": 0, "output": "\n".join(flags + safe_text.lines(others, NOTE) + [text]),
               "extra_data": {"max_score": self.max_score, "verdict": out.verdict,
                              "integrity": flags},
               "tests": [{"name": c, "score": 0, "max_score": p, "status": "failed",
                          "output": text, "visibility": "visible"}
                         for c, p in zip(self.columns, self.points)]}
        report.write_atomic(js, json.dumps(doc, indent=2) + "\n")

    def write_csv(self, outs, path=None):
        """The gradebook of OUTS, atomically, to PATH (default the --csv file)."""
        gradebook.write_csv(path or self.csv_path, self.columns, outs)

    def stop_all(self):
        self.stopping.set()
        with self.lock:
            procs = list(self.procs)
        for p in procs:
            _stop(p, grace=TERM_GRACE / 2)

def _stop(p, grace=TERM_GRACE):
    """SIGTERM P (a grader: it kills its emulators and build), then SIGKILL its group."""
    try:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=grace)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    p.wait()


def grade_submissions(args, grade_py, tmp, sandbox_kind="none"):
    """Grade every folder and archive in args.submissions; write the CSV (after
    each submission, and at the end). Returns 0, or 130 when interrupted (the
    CSV then holds the finished submissions, the rest marked INTERRUPTED)."""
    subs = intake.list_submissions(args.submissions)
    if not subs:
        print("grade.py: no submissions (folders, .zip, .tar.gz) in %s"
              % safe_text.line(args.submissions))
        return 2
    items = [(n, p, s) for (n, p), s in zip(subs, unique_names([n for n, _ in subs]))]
    g = ClassGrader(args, grade_py, tmp, sandbox_kind)
    os.makedirs(g.log_dir, exist_ok=True)
    os.makedirs(g.json_dir, exist_ok=True)
    jobs = max(1, args.jobs or os.cpu_count() or 1)
    print("grading %d submissions of %s, %d at a time, at most %ss each%s; logs in %s"
          % (len(subs), ", ".join(r.lab for r in g.rubrics), jobs, args.time_limit,
             ", pristine from " + g.ref if g.ref else "", g.log_dir), flush=True)
    done = {}                    # submission name -> Outcome
    done_lock = threading.Lock()

    def rows(final):
        verdict = INTERRUPTED if final else PENDING
        return [done.get(n) or Outcome(n, max_score=g.max_score, verdict=verdict, safe=s,
                                       message="not graded" if final else "")
                for n, _, s in items]

    def on_signal(signum, frame):
        if not g.stopping.is_set():   # stop the children from another thread: the
            threading.Thread(target=g.stop_all, daemon=True).start()  # pool must go on
        g.stopping.set()
    old = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    prog = Progress(len(subs))
    t0 = time.monotonic()

    def one(item):
        prog.event(started=1)
        o = g.grade_one(*item)
        with done_lock:
            done[o.name] = o
            try:
                g.write_csv(rows(False))
            except OSError as e:
                o.message += " (gradebook not updated: %s)" % e
        prog.event(safe_text.text("%s: %s/%s %s (%.1fs)%s" % (
            o.name, pts(o.score), pts(o.max_score), o.verdict, o.seconds,
            "".join("\n    " + w for w in o.integrity + [x for x in o.warnings if x not in
                                                          o.integrity]
                    + ([o.message] if o.message else []))), NOTE), finished=1)
        return o

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(one, items))
    finally:
        prog.close()
        for sig, h in old.items():
            signal.signal(sig, h)
    outs = rows(True)
    interrupted = g.stopping.is_set()
    wall = time.monotonic() - t0
    wrote = write_final_csv(g, outs)
    print("\n".join(table(outs)))
    graded = [o for o in outs if o.verdict != INTERRUPTED]
    full = sum(1 for o in graded if o.score >= o.max_score > 0)
    mean = sum(o.score for o in graded) / max(1, len(graded))
    print("class of %d: mean %.1f/%s, %d at full marks, %d at zero; wall time %.1fs (-j %d)"
          % (len(outs), mean, pts(g.max_score), full,
             sum(1 for o in graded if o.score == 0), wall, jobs))
    if interrupted:
        print("INTERRUPTED: %d of %d submissions graded; the rest are marked %s"
              % (len(graded), len(outs), INTERRUPTED))
    if wrote:
        print("wrote %s (logs and results.json files in %s)" % (
            g.csv_path, g.log_dir if g.json_dir == g.log_dir else g.log_dir + ", " + g.json_dir))
    return 130 if interrupted else (0 if wrote else 2)
