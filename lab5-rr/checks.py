"""lab5.py: external checks of lab 5, judged from the serial output: preemption evidence, the quantum= key."""
import re

import disk

RUN = re.compile(r"^spin (\d+): run (\d+) at tick (\d+)$")
QUANTUM_KEY = re.compile(r"(?:^|\s)quantum=(\d+)(?:\s|$)")
QUANTUM_LINE = re.compile(r"^rr: quantum (\d+) ticks, jitter 0\.\.(\d+)$")
SLICES_LINE = re.compile(r"^rr: slices:((?: \d+)*)$")


def _quantum(ctx, default=5):
    """The quantum the run's command line asked for (ms = ticks at 1000 Hz)."""
    if ctx.boot_disk:
        m = QUANTUM_KEY.search(disk.read_cmdline(ctx.boot_disk))
        if m:
            return int(m.group(1))
    return default


def preemption_interleaving(ctx):
    """Three threads that never yield all ran, several times each, taking
    turns in a fixed round-robin order, each turn at least a quantum long:
    only the timer can have switched them."""
    test = "rr_cpu_bound_progress"
    runs = [tuple(int(g) for g in m.groups())
            for m in (RUN.match(l.strip()) for l in ctx.output_of(test)) if m]
    if not runs:
        return False, "%s printed no 'spin K: run R at tick T' lines (did it run?)" % test
    who = [k for k, _, _ in runs]
    n = len(set(who))
    if n != 3:
        return False, "expected runs of 3 spinners, saw %d" % n
    counts = {k: who.count(k) for k in set(who)}
    if min(counts.values()) < 6:
        return False, "some spinner ran fewer than 6 times: %s" % counts
    for i in range(n, len(who)):
        if who[i] != who[i - n]:
            return False, "run %d: spinner %d, but round robin says %d (order %s...)" % (
                i + 1, who[i], who[i - n], who[:2 * n])
    seen = {}
    for k, r, _ in runs:
        if r != seen.get(k, 0) + 1:
            return False, "spinner %d: run %d follows run %d" % (k, r, seen.get(k, 0))
        seen[k] = r
    q = _quantum(ctx)
    ticks = [t for _, _, t in runs]
    short = [b - a for a, b in zip(ticks[1:-1], ticks[2:-1]) if b - a + 1 < q]
    if short:
        return False, "turns shorter than the %d-tick quantum: %s" % (q, short[:8])
    return True, "%d runs in round-robin order, turns >= %d ticks" % (len(runs), q)


def quantum_from_cmdline(ctx):
    """Booted with quantum=12: the kernel reports a 12-tick quantum and the
    spinners' turns last 12 ticks (plus the seed's jitter)."""
    test = "rr_slices_follow_quantum"
    want = _quantum(ctx, None)
    if want is None:
        return False, "the check's command line has no quantum= key"
    out = [l.strip() for l in ctx.output_of(test)]
    q = [m for m in map(QUANTUM_LINE.match, out) if m]
    if not q:
        return False, "no 'rr: quantum N ticks, jitter 0..J' line from %s" % test
    got, jitter = int(q[0].group(1)), int(q[0].group(2))
    if got != want:
        return False, "booted with quantum=%d, the kernel uses %d ticks" % (want, got)
    s = [m for m in map(SLICES_LINE.match, out) if m]
    if not s:
        return False, "no 'rr: slices: ...' line from %s" % test
    slices = [int(x) for x in s[0].group(1).split()][1:-1]
    if len(slices) < 4:
        return False, "only %d slices measured" % len(slices)
    bad = [d for d in slices if d + 1 < want or d > want + jitter + 2]
    if bad:
        return False, "slices %s outside %d..%d ticks" % (bad[:8], want - 1, want + jitter + 2)
    if ctx.results.get(test) is not None and ctx.results[test].verdict != "OK":
        return False, "%s itself did not pass" % test
    return True, "quantum %d: slices %s" % (got, slices[:10])
