"""lab4.py: external checks of lab 4, judged from the serial output: ping-pong order, overflow report."""
import re

BURST = re.compile(r"^thread (\d+): (?:burst (\d+)|done after (\d+) bursts)$")
OVERFLOW = re.compile(r"thread: stack overflow in thread (\d+) \((\w+)\): fault at (0x[0-9a-f]{8}), "
                      r"guard page (0x[0-9a-f]{8})-(0x[0-9a-f]{8}), eip 0x[0-9a-f]{8} "
                      r"\(([A-Za-z_][A-Za-z0-9_.]*)\+0x[0-9a-f]+\); thread ended$")


def expected_pingpong(bursts):
    """The lines a FIFO scheduler must produce: threads 1..N start in order;
    each prints a burst and yields (back to the tail of the queue); after its
    last burst it prints 'done' and ends."""
    queue = list(range(1, len(bursts) + 1))
    done = {n: 0 for n in queue}
    out = []
    while queue:
        n = queue.pop(0)
        if done[n] < bursts[n - 1]:
            out.append("thread %d: burst %d" % (n, done[n]))
            done[n] += 1
            queue.append(n)            # yields: to the tail
        else:
            out.append("thread %d: done after %d bursts" % (n, bursts[n - 1]))
    return out


def _compare(ctx, test, bursts):
    got = [l.strip() for l in ctx.output_of(test) if BURST.match(l.strip())]
    want = expected_pingpong(bursts)
    if not got:
        return False, "%s printed no 'thread N: burst B' lines (did it run?)" % test
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return False, "line %d of the ping-pong: expected '%s', got '%s'" % (i + 1, w, g)
    if len(got) != len(want):
        return False, "expected %d ping-pong lines, got %d" % (len(want), len(got))
    return True, "%d lines in FIFO order" % len(got)


def pingpong_order(ctx):
    """Four threads, ten bursts each, passing the CPU round: 1 2 3 4 1 2 3 4 ..."""
    return _compare(ctx, "sched_pingpong", [10, 10, 10, 10])


def pingpong_terminate_order(ctx):
    """Threads 1 and 2 end after 10 bursts, 3 and 4 go on alternating to 20."""
    return _compare(ctx, "sched_pingpong_terminate", [10, 10, 20, 20])


def overflow_report_line(ctx):
    """The overflow is reported on one line naming the thread, a fault address
    inside its 4 KiB guard page, and the recursing function."""
    test = "threads_guard_page_overflow"
    out = ctx.output_of(test)
    if not out:
        return False, "%s printed nothing (did it run?)" % test
    hits = [m for m in map(OVERFLOW.search, out) if m]
    if len(hits) != 1:
        return False, "expected one 'thread: stack overflow in thread N (deep): ...' line, got %d" % len(hits)
    m = hits[0]
    if m.group(2) != "deep":
        return False, "the report names thread '%s', not 'deep'" % m.group(2)
    fault, lo, hi = (int(m.group(k), 16) for k in (3, 4, 5))
    if hi - lo + 1 != 4096 or lo % 4096:
        return False, "guard page %s-%s is not one aligned page" % (m.group(4), m.group(5))
    if not lo <= fault <= hi + 64:
        return False, "fault address %s is not in the guard page" % m.group(3)
    if not m.group(6).startswith("thread_demo_recurse"):
        return False, "EIP is in %s, not in the recursing function" % m.group(6)
    if ctx.results.get(test) is not None and ctx.results[test].verdict != "OK":
        return False, "%s itself did not pass" % test
    return True, m.group(0)[:100]
