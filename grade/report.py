"""report.py: combine the runs of a lab into one verdict per rubric entry; print text and JSON."""
import json
import os
import re
import shlex
from dataclasses import dataclass, field

import integrity
import isolation
import safe_text
from protocol import BUILD_FAIL, FAIL, OK

REASON_LINES = 40
# Tests failing with one reason (a source location aside) are shown once
# from this many on; the report then ends with a root-cause line.
COLLAPSE_MIN = 3
LOCATION_RE = re.compile(r"^(\w+: )?[\w./-]+:\d+: ")   # "FAIL: lab3-paging/x.c:12: "
# Lines the kernel prints before the tests that explain a failure of them all.
CLUE_RE = re.compile(r"not working|not set up|not implemented|failed|error|wrong", re.I)
CLUE_LINES = 5


def fmt_points(p):
    return str(int(p)) if float(p).is_integer() else "%.1f" % p


@dataclass
class Graded:
    """One rubric entry after every run (emulator x seed) of the lab."""
    entry: object
    failures: list = field(default_factory=list)   # [(RunSpec or None, Result)]
    duration: float = 0.0

    @property
    def passed(self):
        return not self.failures

    @property
    def score(self):
        return self.entry.points if self.passed else 0.0

    @property
    def verdict(self):
        return OK if self.passed else self.failures[0][1].verdict


@dataclass
class LabReport:
    rubric: object
    graded: list                 # [Graded] in rubric order
    runs: list = field(default_factory=list)     # [RunResult]
    build_log: list = field(default_factory=list)
    elapsed: float = 0.0
    replay_base: list = field(default_factory=list)  # argv prefix to replay a failure
    integrity: list = field(default_factory=list)    # integrity findings (strings)
    # Challenge tests (never counted): Graded of the ones run, their runs, and
    # how many the rubric has that were not run (no --challenges).
    challenges: list = field(default_factory=list)
    challenge_runs: list = field(default_factory=list)
    challenges_not_run: int = 0

    @property
    def score(self):
        return sum(g.score for g in self.graded)

    @property
    def max_score(self):
        return sum(g.entry.points for g in self.graded)

    @property
    def n_passed(self):
        return sum(1 for g in self.graded if g.passed)


def integrity_flags(reports, notes=()):
    """The integrity findings of NOTES (warnings) and of REPORTS (their own
    and their runs'), each once, as 'INTEGRITY: ...' strings in order."""
    found = [n for n in notes if integrity.is_flag(n)]
    for rep in reports:
        found += list(rep.integrity)
        for run in rep.runs + list(getattr(rep, "challenge_runs", [])):
            found += list(getattr(run, "integrity", []))
    out = []
    for f in found:
        f = str(f) if integrity.is_flag(str(f)) else integrity.flag(str(f))
        if f not in out:
            out.append(f)
    return out


def combine(rubric, entries, runs):
    """Graded entries from RunResults: an entry passes only if every run passed it."""
    out = []
    for e in entries:
        g = Graded(e)
        for run in runs:
            r = run.results.get(e.name)
            if r is None:
                continue
            g.duration = max(g.duration, r.duration)
            if not r.passed:
                g.failures.append((run.spec, r))
        out.append(g)
    return out


def build_failed(rubric, entries, log_tail):
    from protocol import Result
    return [Graded(e, [(None, Result(BUILD_FAIL, 0.0, ["the build failed (output above)"]))])
            for e in entries]


def replay_command(base, spec, name):
    argv = list(base) + ["--emulator", spec.emulator]
    if spec.seed is not None:
        argv += ["--seed", str(spec.seed)]
    return " ".join(shlex.quote(a) for a in argv + [name, "-v"])


def render(rep, multi_run):
    """The text report of one lab, as a list of lines."""
    lines = []
    if rep.build_log:
        lines.append("BUILD-FAIL: the build of %s failed; last lines of its output:" %
                     rep.rubric.lab)
        lines += ["    " + l for l in rep.build_log]
    by_section, seen = {}, {}
    groups = _failure_groups(rep)
    for g in rep.graded:
        by_section.setdefault(g.entry.section, []).append(g)
    for sname, _ in rep.rubric.sections:
        gs = by_section.get(sname)
        if not gs:
            continue
        lines.append("[%s]" % sname)
        for g in gs:
            head = "%s: %s (%.1fs) [%s/%s]" % (
                g.entry.name, "OK" if g.passed else "FAIL", g.duration,
                fmt_points(g.score), fmt_points(g.entry.points))
            first = _collapsed_into(groups, g)
            if first is not None:
                lines.append(head + " (same failure as %s)" % first)
                lines += ["      " + l for _, r in g.failures for l in r.reason
                          if isolation.is_finding(l)]
                continue
            lines.append(head)
            for spec, r in g.failures:
                key = (spec.label if spec else None, r.verdict, tuple(r.reason))
                if r.verdict != FAIL and key in seen:
                    tag = "[%s] " % spec.label if (spec is not None and multi_run) else ""
                    lines.append("    %s%s: same as %s" % (tag, r.verdict, seen[key]))
                    continue
                seen[key] = g.entry.name
                lines += _reason_lines(rep, g, spec, r, multi_run)
        got = sum(g.score for g in gs)
        lines.append("%s: %s/%s" % (sname, fmt_points(got),
                                    fmt_points(sum(g.entry.points for g in gs))))
    for run in rep.runs:
        for n in run.notes:
            lines.append("note (%s): %s" % (run.spec.label, n))
    lines += _root_cause(rep, groups)
    boots = sum(run.boots for run in rep.runs)
    lines.append("Time: %.1fs (%d boot%s)" % (rep.elapsed, boots, "" if boots == 1 else "s"))
    lines.append("Score: %s/%s" % (fmt_points(rep.score), fmt_points(rep.max_score)))
    lines += integrity_flags([rep])
    lines += challenge_lines(rep, multi_run)
    lines.append("%s: %d passed, %d failed" % (rep.rubric.lab, rep.n_passed,
                                               len(rep.graded) - rep.n_passed))
    # Student-controlled text (serial and build output) is in here: no line
    # may move the cursor, erase, retitle the terminal or run for megabytes.
    return [safe_text.line(l) for l in lines]


def _failure_key(g):
    """What makes two failed entries fail "the same way": every run's verdict
    and first reason line, source locations left out."""
    return tuple((spec.label if spec else None, r.verdict,
                  LOCATION_RE.sub("", (r.reason or [""])[0]))
                 for spec, r in g.failures)


def _failure_groups(rep):
    """{key: [entry names]} of failed entries, in rubric order."""
    groups = {}
    for g in rep.graded:
        if g.failures:
            groups.setdefault(_failure_key(g), []).append(g.entry.name)
    return groups


def _collapsed_into(groups, g):
    """The first entry of G's group if G's failure is shown there, else None."""
    if not g.failures:
        return None
    names = groups[_failure_key(g)]
    if len(names) < COLLAPSE_MIN or names[0] == g.entry.name:
        return None
    return names[0]


def _root_cause(rep, groups):
    """Closing lines when one cause explains the failures: a failed build
    (its first error line), or most tests failing the same way (the reason,
    and what the kernel said before the tests)."""
    if rep.build_log:
        errors = [l.strip() for l in rep.build_log if re.search(r"\berror\b", l, re.I)]
        return ["root cause: the build failed: %s" % (errors or [rep.build_log[-1].strip()])[0]]
    failed = sum(len(n) for n in groups.values())
    if not groups:
        return []
    key, names = max(groups.items(), key=lambda kv: len(kv[1]))
    if len(names) < COLLAPSE_MIN or 2 * len(names) < failed:
        return []
    why = key[0][2]
    first = next(g for g in rep.graded if g.entry.name == names[0]).failures[0][1]
    if len(first.reason) > 1 and first.reason[1].startswith("KPANIC"):
        why += ": " + first.reason[1]          # "kernel panicked ...": say how
    out = ["root cause: %d of %d failed tests failed the same way: %s"
           % (len(names), failed, why)]
    for run in rep.runs:
        said = [l for l in getattr(run, "preamble", []) if CLUE_RE.search(l)]
        if said:
            out.append("the kernel said before the tests (%s):" % run.spec.label)
            out += ["  | " + l for l in said[-CLUE_LINES:]]
            break
    return out


def challenge_lines(rep, multi_run):
    """The challenge block after the score: each challenge test run, PASS or
    FAIL with its reasons, by section; or how to run them when none was."""
    lab = rep.rubric.lab
    if not rep.challenges:
        if not rep.challenges_not_run:
            return []
        return ["Challenges (not counted): %d challenge test%s not run; run them with "
                "python3 grade/grade.py %s --challenges (or make grade-%s CHALLENGES=1)"
                % (rep.challenges_not_run, "" if rep.challenges_not_run == 1 else "s",
                   lab, lab)]
    lines = ["Challenges (not counted):"]
    base = list(rep.replay_base) + ["--challenges"] if rep.replay_base else []
    for sname, entries, cmdline in rep.rubric.challenges:
        names = {e.name for e in entries}
        gs = [g for g in rep.challenges if g.entry.name in names]
        if not gs:
            continue
        lines.append("  [%s]%s" % (sname, " (booted with %s)" % cmdline if cmdline else ""))
        for g in gs:
            lines.append("  %s: %s (%.1fs)" % (g.entry.name, "PASS" if g.passed else "FAIL",
                                              g.duration))
            for spec, r in g.failures:
                lines += ["  " + l for l in _reason_lines(rep, g, spec, r, multi_run, base)]
    passed = sum(1 for g in rep.challenges if g.passed)
    lines.append("Challenges: %d/%d passed (not counted in the score)"
                 % (passed, len(rep.challenges)))
    for run in rep.challenge_runs:
        for n in run.notes:
            lines.append("note (challenge, %s): %s" % (run.spec.label, n))
    return lines


def _reason_lines(rep, g, spec, r, multi_run, replay_base=None):
    tag = "[%s] " % spec.label if (spec is not None and multi_run) else ""
    body = r.reason[:REASON_LINES] or ["(no details)"]
    out = ["    %s%s: %s" % (tag, r.verdict, body[0])]
    out += ["      " + l for l in body[1:]]
    if len(r.reason) > REASON_LINES:
        out.append("      ... %d more lines (use --keep to see the logs)"
                   % (len(r.reason) - REASON_LINES))
    base = replay_base or rep.replay_base
    if spec is not None and base:
        what = ("seed %d, " % spec.seed if spec.seed is not None
                else "no seed= (the kernel's default), ")
        out.append("    %sreplay: %s" % (what, replay_command(base, spec, g.entry.name)))
    return out


def gradescope(reports, elapsed, notes=()):
    """A Gradescope results.json document for one or more labs; integrity
    findings, then NOTES (warnings such as changed protected files) head its
    top-level output. Every string from the submission is made safe."""
    tests = []
    for rep in reports:
        for g in rep.graded:
            out = []
            for spec, r in g.failures:
                label = "[%s] " % spec.label if spec is not None else ""
                out.append("%s%s: %s" % (label, r.verdict, "\n  ".join(r.reason)))
            if rep.build_log and not g.passed:
                out.append("build output:\n" + "\n".join(rep.build_log))
            name = "%s: %s" % (rep.rubric.lab, g.entry.name) if len(reports) > 1 \
                else g.entry.name
            tests.append({
                "name": safe_text.line(name),
                "score": g.score,
                "max_score": g.entry.points,
                "status": "passed" if g.passed else "failed",
                "output": safe_text.text("\n".join(out)) if out else "OK",
                "tags": [rep.rubric.lab, g.entry.section],
                "extra_data": {"verdict": g.verdict},
                "visibility": getattr(g.entry, "visibility", "visible"),
            })
    tests += _challenge_tests(reports)
    flags = [safe_text.line(f, safe_text.NOTE_MAX) for f in integrity_flags(reports, notes)]
    others = [n for n in notes if not integrity.is_flag(n)]
    done = [r for r in reports if r.challenges]
    return {
        "score": sum(r.score for r in reports),
        "execution_time": round(elapsed, 1),
        "output": "\n".join(flags + safe_text.lines(others, safe_text.NOTE_MAX) + ["%s: %s/%s" % (
            r.rubric.lab, fmt_points(r.score), fmt_points(r.max_score)) for r in reports] + [
            "%s challenges (not counted): %d/%d passed" % (
                r.rubric.lab, sum(g.passed for g in r.challenges), len(r.challenges))
            for r in done]),
        "visibility": "visible",
        # the grader's text output names every test: hide it when some are hidden
        "stdout_visibility": "hidden" if any(getattr(g.entry, "hidden", False)
                                             for r in reports for g in r.graded) else "visible",
        "extra_data": {"max_score": sum(r.max_score for r in reports), "integrity": flags,
                       "challenges": {r.rubric.lab: {"passed": sum(g.passed for g in
                                                                   r.challenges),
                                                     "run": len(r.challenges)}
                                      for r in done}},
        "tests": tests,
    }


def _challenge_tests(reports):
    """Gradescope tests for the challenge tests run: worth 0 of 0 points
    (Gradescope shows them passed or failed, and the total is the top-level
    score, which leaves them out), tagged and marked "challenge"."""
    tests = []
    for rep in reports:
        for g in rep.challenges:
            out = ["%s%s: %s" % ("[%s] " % spec.label if spec is not None else "", r.verdict,
                                 "\n  ".join(r.reason)) for spec, r in g.failures]
            name = "challenge: %s" % g.entry.name
            tests.append({
                "name": safe_text.line("%s: %s" % (rep.rubric.lab, name) if len(reports) > 1
                                       else name),
                "score": 0,
                "max_score": 0,
                "status": "passed" if g.passed else "failed",
                "output": safe_text.text("\n".join(out)) if out else "OK (a challenge: "
                          "not counted)",
                "tags": [rep.rubric.lab, g.entry.section, "challenge"],
                "extra_data": {"verdict": g.verdict, "challenge": True},
                "visibility": g.entry.visibility,
            })
    return tests


def check_writable(path, what):
    """None if a file can be written at PATH (its folder exists and is
    writable, and PATH is not a folder), else a message naming the problem."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    if os.path.isdir(path):
        return "%s %s: is a directory" % (what, path)
    if not os.path.isdir(folder):
        return "%s %s: folder %s does not exist" % (what, path, folder)
    if os.path.exists(path) and not os.access(path, os.W_OK):
        return "%s %s: file is not writable" % (what, path)
    if not os.access(folder, os.W_OK | os.X_OK):
        return "%s %s: folder %s is not writable" % (what, path, folder)
    return None


def write_atomic(path, text):
    """Write TEXT to PATH through a temporary file and a rename, so PATH is
    either the old file or the whole new one."""
    tmp = "%s.tmp-%d" % (path, os.getpid())
    try:
        with open(tmp, "w", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json(path, reports, elapsed, notes=()):
    write_atomic(path, json.dumps(gradescope(reports, elapsed, notes), indent=2) + "\n")
