"""isolation.py: rerun a test that failed after others in a shared boot alone, to tell its own bug from damage left by an earlier test."""
import integrity
import session
from protocol import OK

MAX_RERUNS = 4        # boots spent on reruns per run (emulator x seed)
MAX_FAILED = 3        # more failures than this: the cause is elsewhere; no reruns
# Every line this module adds to a reason starts with one of these
# (report.py shows them even where it folds a repeated failure).
PREFIXES = ("rerun alone", "most likely ")
SKIP_NOTE = ("rerun alone: skipped, %d tests failed in the shared run (more than %d: "
             "look for a common cause first)")


def is_finding(line):
    """True for a reason line added by rerun()."""
    return line.startswith(PREFIXES) or " in the shared run, PASS alone: " in line


def _add(result, lines):
    """Put LINES right after RESULT's first reason line (the one failures are
    grouped by), so a long panic report cannot push them out of view."""
    result.reason[1:1] = [l for l in lines if l not in result.reason]


def _judging_boot(sess, name):
    """(outcome, index) of the last boot that judged NAME: its RUN order and
    NAME's place in it."""
    for outcome in reversed(sess.boots):
        if name in outcome.results and name in outcome.ran:
            return outcome, outcome.ran.index(name)
    return None, 0


def candidates(sess):
    """Failed tests that ran after other tests in their boot, in run order
    (the first failure of a boot comes first: every test before it passed, so
    its culprit is the easiest to find): [(name, [tests run before it in that
    boot], outcome)]."""
    found = []
    for name, r in sess.results.items():
        if r.passed:
            continue
        outcome, i = _judging_boot(sess, name)
        if outcome is not None and i > 0:
            found.append(((sess.boots.index(outcome), i), name, outcome.ran[:i], outcome))
    return [c[1:] for c in sorted(found, key=lambda c: c[0])]


def _guess(before, outcome):
    """The earlier test to suspect when no boot is left to look: the last of
    them that did not pass (it may not have cleaned up), else the one just
    before."""
    failed = [t for t in before if t in outcome.results and not outcome.results[t].passed]
    if failed:
        return failed[-1], "it failed too and may not have cleaned up"
    return before[-1], "it ran just before"


class _Budget:
    def __init__(self, boot, extra, limit, findings):
        self.boot, self.extra, self.left, self.used = boot, extra, limit, 0
        self.findings = findings

    def fails(self, tests, name):
        """Verdict of NAME when TESTS (ending with NAME) run in one boot, or
        None if no boot is left or NAME got no verdict of its own."""
        if self.left <= 0:
            return None
        self.left -= 1
        self.used += 1
        got = session.run_tests(tests, self.boot, self.extra, max_boots=1)
        self.findings += [integrity.flag("rerun (test=%s): %s" % (
            ",".join(tests), f[len(integrity.PREFIX):])) for f in got.integrity]
        r = got.boots[0].results.get(name) if got.boots else None
        return None if r is None else r


def _bisect(before, name, budget):
    """Narrow down which earlier test does the damage: the largest K such
    that BEFORE[K:] + [NAME] still fails (BEFORE[0:] failed in the shared
    run, [] passed alone). Returns (lo, hi): the culprit is in BEFORE[lo:hi]."""
    lo, hi = 0, len(before)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        r = budget.fails(before[mid:] + [name], name)
        if r is None:
            break
        if r.passed:
            hi = mid
        else:
            lo = mid
    return lo, hi


def _pass_alone_lines(shared, name, before, outcome, budget):
    shown = before if len(before) <= 12 else ["..."] + before[-12:]
    out = ["%s in the shared run, PASS alone: an earlier test left the kernel damaged; "
           "tests run before it: %s" % (shared.verdict, ", ".join(shown))]
    lo, hi = _bisect(before, name, budget)
    if hi - lo == 1:
        out.append("most likely %s: the test fails when run after %s and the tests "
                   "that followed it, and passes without %s (replay: test=%s)"
                   % (before[lo], before[lo], before[lo], ",".join(before[lo:] + [name])))
    elif hi - lo < len(before):
        out.append("most likely one of %s (narrowed down until the rerun budget ran out; "
                   "replay: test=%s)" % (", ".join(before[lo:hi]),
                                          ",".join(before[lo:] + [name])))
    else:
        suspect, why = _guess(before, outcome)
        out.append("most likely %s (%s; a guess: no rerun left to check it); replay the "
                   "pair: test=%s,%s" % (suspect, why, suspect, name))
    return out


def rerun(sess, boot, extra, max_reruns=MAX_RERUNS, max_failed=MAX_FAILED, findings=None):
    """Rerun the failed tests of SESS (session.SessionResult) that ran after
    others, each alone in a fresh boot (BOOT and EXTRA as for
    session.run_tests); for one that passes alone, look for the earlier test
    that damaged the kernel by bisection, with what is left of MAX_RERUNS
    boots (in all). Nothing is rerun if more than MAX_FAILED tests failed.
    Adds the finding to each test's reason (the verdict and points never
    change). The reruns' INTEGRITY findings (a forged line) go to FINDINGS.
    Returns notes for the report and the number of boots spent."""
    cands = candidates(sess)
    failed = sum(1 for r in sess.results.values() if not r.passed)
    if not cands:
        return [], 0
    if failed > max_failed:
        return [SKIP_NOTE % (failed, max_failed)], 0
    notes = []
    budget = _Budget(boot, extra, max_reruns, findings if findings is not None else [])
    for name, before, outcome in cands:
        shared = sess.results[name]
        got = budget.fails([name], name)
        if got is None:
            notes.append("rerun alone: budget of %d boots spent; not rerun: %s"
                         % (max_reruns, name))
            continue
        if not got.passed:
            _add(shared, ["rerun alone (test=%s): %s as well: not caused by an "
                          "earlier test" % (name, got.verdict)])
            continue
        _add(shared, _pass_alone_lines(shared, name, before, outcome, budget))
    return notes, budget.used
