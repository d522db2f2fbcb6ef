"""session.py: run a set of tests over as few boots as possible, rebooting past crashes."""
from dataclasses import dataclass, field

import integrity
import linetag
from protocol import FAIL, Result

CMDLINE_MAX = 511        # bytes before the NUL in sector 1
# The reason of a test --fail-fast did not run: grading had lost a point already.
NOT_RUN_FAIL_FAST = "not run: grading stopped at the first lost point (--fail-fast)"


def build_cmdline(tests, extra=()):
    """The kernel command line that runs exactly TESTS, plus EXTRA keys."""
    parts = ["test=" + ",".join(tests)] if tests else []
    parts += [e for e in extra if e]
    return " ".join(parts)


def pack(tests, extra=(), limit=CMDLINE_MAX):
    """The longest prefix of TESTS (at least one) whose command line fits."""
    chunk = []
    for t in tests:
        if chunk and len(build_cmdline(chunk + [t], extra).encode()) > limit:
            break
        chunk.append(t)
    if len(build_cmdline(chunk[:1], extra).encode()) > limit:
        raise ValueError("command line too long even for one test: %r"
                         % build_cmdline(chunk[:1], extra))
    return chunk


@dataclass
class SessionResult:
    """Results of all boots of one run (one emulator, one seed)."""
    results: dict = field(default_factory=dict)     # name -> Result
    boots: list = field(default_factory=list)       # BootOutcome per boot
    notes: list = field(default_factory=list)       # warnings worth printing
    lines: list = field(default_factory=list)       # serial lines of all boots
    integrity: list = field(default_factory=list)   # INTEGRITY findings, "boot N: ..."


def keyed(extra):
    """EXTRA plus a fresh ktkey= word: the keys of one boot whose KTEST and
    KMETRIC lines must carry tags (linetag.py). Call once per boot."""
    return list(extra) + [linetag.key_word(linetag.new_key())]


def failed_any(results, counted):
    """True if a test of COUNTED has a result in RESULTS {name: Result} that is not OK."""
    return any(name in counted and not r.passed for name, r in results.items())


def run_tests(tests, boot, extra=(), limit=CMDLINE_MAX, max_boots=None, key=True,
              stop=None):
    """Run TESTS (names) with BOOT(cmdline, chunk) -> BootOutcome.

    One boot runs as many tests as fit on a command line; when a boot ends
    early (panic, hang, triple fault), the tests it did not reach are run
    again in a fresh boot, so one crash costs one test. A boot that makes no
    progress gives its failure to every test it was asked to run, so the loop
    always ends. With KEY every boot's command line ends with its own fresh
    ktkey=; BOOT must then parse with linetag.key_of(cmdline).

    STOP(results) (--fail-fast), asked before every boot with the results so
    far: True (a test worth points failed, here or in another run of the
    same grading) makes no further boot, and the tests not yet run fail as
    NOT_RUN_FAIL_FAST. A test's result never changes once known (a
    FAIL line is final; the crash, hang or reset that ends a boot is judged
    for the test that was running), so a failure found this way is the one
    the whole session would report."""
    res = SessionResult()
    remaining = list(tests)
    max_boots = max_boots or (2 * len(tests) + 2)
    while remaining:
        if stop is not None and stop(res.results):
            for t in remaining:
                res.results[t] = Result(FAIL, 0.0, [NOT_RUN_FAIL_FAST])
            break
        if len(res.boots) >= max_boots:
            for t in remaining:
                res.results[t] = Result(FAIL, 0.0, ["not run: too many reboots"])
            break
        ext = keyed(extra) if key else list(extra)
        chunk = pack(remaining, ext, limit)
        outcome = boot(build_cmdline(chunk, ext), chunk)
        res.boots.append(outcome)
        res.lines.extend(outcome.parser.lines)
        res.integrity += [integrity.flag("boot %d: %s" % (len(res.boots),
                                                          f[len(integrity.PREFIX):]))
                          for f in getattr(outcome.parser, "integrity", [])]
        progress = False
        for name in chunk:
            r = outcome.results.get(name)
            if r is not None:
                res.results[name] = r
                progress = True
        if outcome.finished:
            for name in chunk:
                if name not in res.results:
                    res.results[name] = Result(
                        FAIL, 0.0, ["not run: the kernel has no test by this name "
                                    "(KTEST DONE without KTEST RUN %s)" % name])
        elif not progress:
            fail = outcome.failure or Result(FAIL, 0.0, ["boot ended without results"])
            for name in chunk:
                if name not in res.results:
                    res.results[name] = Result(fail.verdict, fail.duration,
                                               list(fail.reason))
        elif outcome.failure is not None:
            res.notes.append("boot %d: %s" % (len(res.boots), outcome.failure.reason[0]))
        remaining = [t for t in remaining if t not in res.results]
    return res
