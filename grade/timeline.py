"""timeline.py: read the kernel's KTRACE dump (common/sched_trace.c) into per-thread state segments."""
from dataclasses import dataclass, field

RUNNING, READY, BLOCKED, ZOMBIE = "running", "ready", "blocked", "zombie"
STATES = (RUNNING, READY, BLOCKED, ZOMBIE)
_SWITCH_STATE = {"r": READY, "b": BLOCKED, "z": ZOMBIE, "R": RUNNING}
KINDS = {"S": "switch", "Y": "yield", "P": "preempt", "B": "block", "W": "wake",
         "A": "add", "X": "exit", "I": "irq", "D": "disk-issue", "C": "disk-done"}
THREAD_END_TERMINATED = 3   # lab4-threads/thread.h enum thread_end
TIMER_IRQ = 0


class TraceError(ValueError):
    """A KTRACE dump that does not follow the format."""


@dataclass
class Event:
    """One event; x (set by parse) is its place on the time axis."""
    tick: int      # PIT ticks
    tsc: int       # time-stamp counter since the first event (Bochs: instructions)
    kind: str      # one letter of KINDS
    a: int
    b: int
    c: int
    x: int = 0


@dataclass
class Trace:
    """One test's trace: events (oldest first), thread names, and what the
    kernel said it held."""
    test: str
    events: list = field(default_factory=list)
    names: dict = field(default_factory=dict)      # thread id -> name
    dropped: int = 0

    def threads(self):
        """Thread ids the events mention, ascending."""
        ids = set()
        for e in self.events:
            if e.kind == "S":
                ids.update((e.a, e.b))
            elif e.kind in "YPBWAX":
                ids.add(e.a)
        return sorted(ids)

    def count(self, kind):
        return sum(1 for e in self.events if e.kind == kind)

    def irq_total(self, irq=None):
        """Interrupts the trace records (a merged timer run counts each tick)."""
        return sum(e.b for e in self.events if e.kind == "I" and (irq is None or e.a == irq))

    def span(self):
        return (self.events[0].x, self.events[-1].x) if self.events else (0, 0)

    def label(self, tid):
        name = self.names.get(tid)
        return "%d %s" % (tid, name) if name else str(tid)


def parse(lines):
    """The traces in LINES (KTRACE lines without the prefix, as
    protocol.BootParser.traces holds them), in order. Raises TraceError."""
    out, cur, x = [], None, 0
    for n, line in enumerate(lines, 1):
        word, _, rest = line.partition(" ")
        if word == "BEGIN":
            parts = rest.split()
            if len(parts) != 3 or cur is not None:
                raise TraceError("line %d: BEGIN out of place: %r" % (n, line))
            cur, x = Trace(parts[0], dropped=int(parts[2])), 0
            cur.declared = int(parts[1])
        elif cur is None:
            raise TraceError("line %d: %r outside BEGIN/END" % (n, line))
        elif word == "N":
            tid, _, name = rest.partition(" ")
            cur.names[int(tid)] = name
        elif word == "E":
            for item in rest.split():
                f = item.split(",")
                if len(f) != 6 or f[2] not in KINDS:
                    raise TraceError("line %d: bad event %r" % (n, item))
                if cur.events:
                    x += int(f[1])
                cur.events.append(Event(int(f[0]), x, f[2], int(f[3]), int(f[4]), int(f[5])))
        elif word == "END":
            parts = rest.split()
            if len(parts) != 2 or parts[0] != cur.test or int(parts[1]) != len(cur.events):
                raise TraceError("line %d: END does not match BEGIN %s with %d events: %r"
                                 % (n, cur.test, len(cur.events), line))
            if cur.declared != len(cur.events):
                raise TraceError("trace of %s: BEGIN said %d events, got %d"
                                 % (cur.test, cur.declared, len(cur.events)))
            _place(cur.events)
            out.append(cur)
            cur = None
        else:
            raise TraceError("line %d: unknown trace line %r" % (n, line))
    if cur is not None:
        raise TraceError("trace of %s has no END line (cut off?)" % cur.test)
    return out


X_PER_TICK = 1000


def _place(events):
    """Set each event's x: its PIT tick times X_PER_TICK, plus its share of
    the tick by time-stamp counter (between the first event of its tick and
    the first of the next tick seen). Guest ticks are evenly spaced whatever
    the host did; the counter only orders events within a tick."""
    starts = {}
    for e in events:
        starts.setdefault(e.tick, e.tsc)
    ticks = sorted(starts)
    nxt = {t: (ticks[i + 1], starts[ticks[i + 1]]) for i, t in enumerate(ticks[:-1])}
    last_tsc = events[-1].tsc if events else 0
    for e in events:
        t1, end = nxt.get(e.tick, (e.tick + 1, last_tsc + 1))
        frac = (e.tsc - starts[e.tick]) / max(1, end - starts[e.tick])
        e.x = int((e.tick + min(frac, 0.999) * (t1 - e.tick)) * X_PER_TICK)


@dataclass
class Segment:
    thread: int
    state: str
    x0: int
    x1: int


def segments(trace):
    """Each thread's states over time: a list of Segment. A thread's state
    before its first event is inferred from it (it was running if it leaves
    the CPU, ready if it is switched to or terminated by another thread); a
    zombie lasts until the next event
    (the thread that runs next frees it)."""
    evs = trace.events
    if not evs:
        return []
    x0, xend = trace.span()
    state, since, out = {}, {}, []

    def set_state(t, s, x):
        if state.get(t) is not None and x >= since[t]:
            out.append(Segment(t, state[t], since[t], x))
        state[t], since[t] = s, x

    def first_seen(t, before):
        if t not in state:
            state[t], since[t] = before, x0

    for i, e in enumerate(evs):
        nxt = evs[i + 1].x if i + 1 < len(evs) else xend
        if e.kind == "S":
            first_seen(e.a, RUNNING)
            first_seen(e.b, READY)
            set_state(e.a, _SWITCH_STATE.get(chr(e.c), BLOCKED), e.x)
            set_state(e.b, RUNNING, e.x)
            if state[e.a] == ZOMBIE:
                set_state(e.a, None, max(nxt, e.x))
        elif e.kind in "YPBX":
            # A thread ends itself while running, but one terminated by
            # another thread (one CPU: the terminator runs) was not running.
            killed = e.kind == "X" and e.c == THREAD_END_TERMINATED
            first_seen(e.a, READY if killed else RUNNING)
            if e.kind == "X" and e.c == THREAD_END_TERMINATED and state[e.a] != RUNNING:
                set_state(e.a, ZOMBIE, e.x)
                set_state(e.a, None, max(nxt, e.x))
        elif e.kind in "WA":
            first_seen(e.a, None)
            if state[e.a] != RUNNING:
                set_state(e.a, READY, e.x)
    for t in list(state):
        set_state(t, None, xend)
    return out


def irq_marks(trace):
    """(x, irq) for every interrupt: a merged timer run is spread evenly up
    to the next event."""
    evs, out = trace.events, []
    for i, e in enumerate(evs):
        if e.kind != "I":
            continue
        nxt = evs[i + 1].x if i + 1 < len(evs) else e.x
        for k in range(e.b):
            out.append((e.x + (nxt - e.x) * k // max(1, e.b), e.a))
    return out


def disk_requests(trace):
    """(x_issue, x_done or None, block, thread, write) for each disk request,
    a completion matched to the oldest issue of the same thread and block; a
    completion without an issue in the trace starts at the trace's start."""
    pending, out = {}, []
    for e in trace.events:
        if e.kind == "D":
            pending.setdefault((e.a, e.b), []).append(len(out))
            out.append([e.x, None, e.b, e.a, bool(e.c)])
        elif e.kind == "C":
            q = pending.get((e.a, e.b))
            if q:
                out[q.pop(0)][1] = e.x
            else:
                out.append([trace.span()[0], e.x, e.b, e.a, False])
    return [tuple(r) for r in out]
