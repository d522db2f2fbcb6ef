#!/usr/bin/env python3
"""timeline_svg.py: draw a scheduling trace (timeline.Trace) as an SVG: a lane per thread, disk and IRQ lanes."""
import os
import sys
from xml.sax.saxutils import escape, quoteattr

import timeline as tl

WIDTH = 1000
LEFT = 130          # lane labels
RIGHT = 16
TOP = 46            # title and tick axis
LANE_H = 22
LANE_GAP = 6
LEGEND_H = 34
MAX_IRQ_LINES = 3000  # beyond this, runs of timer ticks are drawn as one band each

# Fills, also what tools/test_pictures.py looks for in the rendered PNG.
COLORS = {tl.RUNNING: "#2e7d32", tl.READY: "#f9a825", tl.BLOCKED: "#1565c0",
          tl.ZOMBIE: "#c62828", "irq": "#6a1b9a", "timer": "#757575", "disk": "#00838f",
          "disk-pending": "#80cbc4", "lane": "#f2f2f2", "mark": "#212121"}
MARK_KINDS = {"Y": "yield", "P": "preempt", "B": "block", "W": "wake", "A": "add", "X": "exit"}


class _Scale:
    def __init__(self, x0, x1):
        self.x0, self.span = x0, max(1, x1 - x0)

    def __call__(self, x):
        return LEFT + (WIDTH - LEFT - RIGHT) * (x - self.x0) / self.span


def _attrs(**kw):
    return " ".join("%s=%s" % (k.rstrip("_").replace("_", "-"), quoteattr(str(v)))
                    for k, v in kw.items())


def _rect(x, y, w, h, fill, **kw):
    return "<rect %s/>" % _attrs(x="%.1f" % x, y="%.1f" % y, width="%.1f" % max(w, 1.0),
                                 height=h, fill=fill, **kw)


def _lane(out, y, label, cls, **data):
    out.append("<g %s>" % _attrs(class_="lane " + cls, **data))
    out.append(_rect(LEFT, y, WIDTH - LEFT - RIGHT, LANE_H, COLORS["lane"], class_="lane-bg"))
    out.append("<text %s>%s</text>" % (_attrs(x=LEFT - 6, y=y + LANE_H - 7, text_anchor="end"),
                                        escape(label)))


def _thread_lanes(out, trace, sx, ys):
    segs = tl.segments(trace)
    for tid in trace.threads():
        y = ys[tid]
        _lane(out, y, trace.label(tid), "thread", data_thread=tid,
              data_name=trace.names.get(tid, ""))
        for s in (s for s in segs if s.thread == tid):
            out.append(_rect(sx(s.x0), y + 2, sx(s.x1) - sx(s.x0), LANE_H - 4,
                             COLORS[s.state], class_="seg " + s.state))
        for e in (e for e in trace.events if e.kind in MARK_KINDS and e.a == tid):
            x = sx(e.x)
            out.append("<path %s/>" % _attrs(
                class_="mark " + MARK_KINDS[e.kind], data_kind=e.kind, fill=COLORS["mark"],
                d="M%.1f %d l-3 -5 h6 z" % (x, y + 5)))
        out.append("</g>")
    for e in (e for e in trace.events if e.kind == "S"):
        x, ya, yb = sx(e.x), ys[e.a] + LANE_H // 2, ys[e.b] + LANE_H // 2
        out.append("<line %s/>" % _attrs(class_="switch", x1="%.1f" % x, x2="%.1f" % x,
                                         y1=ya, y2=yb, stroke="#9e9e9e",
                                         stroke_width="0.6", stroke_dasharray="2,2"))


def _disk_lane(out, trace, sx, y, xend):
    _lane(out, y, "disk", "disk")
    for x0, x1, block, tid, write in tl.disk_requests(trace):
        done = x1 is not None
        out.append(_rect(sx(x0), y + 3, sx(x1 if done else xend) - sx(x0), LANE_H - 6,
                         COLORS["disk" if done else "disk-pending"],
                         class_="disk-req" + ("" if done else " pending"),
                         stroke="#ffffff", stroke_width="0.5",
                         data_block=block, data_thread=tid, data_op="write" if write else "read"))
    out.append("</g>")


def _irq_lane(out, trace, sx, y):
    _lane(out, y, "IRQ", "irq")
    marks = tl.irq_marks(trace)
    if len(marks) <= MAX_IRQ_LINES:
        for x, irq in marks:
            timer = irq == tl.TIMER_IRQ
            out.append("<line %s/>" % _attrs(
                class_="irq", data_irq=irq, data_count=1, x1="%.1f" % sx(x),
                x2="%.1f" % sx(x), y1=y + (LANE_H // 2 if timer else 2), y2=y + LANE_H - 2,
                stroke=COLORS["timer" if timer else "irq"], stroke_width=1 if timer else 2))
    else:
        evs = trace.events
        for i, e in enumerate(evs):
            if e.kind != "I":
                continue
            nxt = evs[i + 1].x if i + 1 < len(evs) else e.x
            out.append(_rect(sx(e.x), y + (LANE_H // 2 if e.a == tl.TIMER_IRQ else 2),
                             sx(nxt) - sx(e.x), LANE_H // 2 - 2,
                             COLORS["timer" if e.a == tl.TIMER_IRQ else "irq"],
                             class_="irq-run", data_irq=e.a, data_count=e.b))
    out.append("</g>")


def _axis(out, trace, sx, bottom):
    """Labels in PIT ticks along the top, at about ten events."""
    evs = trace.events
    step = max(1, len(evs) // 10)
    last = None
    for e in evs[::step]:
        x = sx(e.x)
        if last is not None and x - last < 60:
            continue
        last = x
        out.append("<line %s/>" % _attrs(x1="%.1f" % x, x2="%.1f" % x, y1=TOP - 8, y2=bottom,
                                         stroke="#e0e0e0", stroke_width="0.5"))
        out.append("<text %s>%d</text>" % (_attrs(x="%.1f" % x, y=TOP - 11, text_anchor="middle",
                                                  class_="axis"), e.tick))


def _legend(out, y, disk):
    items = [(tl.RUNNING, "running"), (tl.READY, "ready"), (tl.BLOCKED, "blocked"),
             (tl.ZOMBIE, "zombie"), ("timer", "timer tick"), ("irq", "other IRQ")]
    if disk:
        items.append(("disk", "disk request"))
    x = LEFT
    out.append('<g class="legend">')
    for key, text in items:
        out.append(_rect(x, y, 12, 12, COLORS[key], class_="legend-key"))
        out.append("<text %s>%s</text>" % (_attrs(x=x + 16, y=y + 10), escape(text)))
        x += 24 + 7 * len(text)
    out.append(_rect(x, y, 12, 12, "#ffffff", class_="legend-key", stroke="#000"))
    out.append("<path %s/>" % _attrs(d="M%d %d l-3 -5 h6 z" % (x + 6, y + 9),
                                     fill=COLORS["mark"]))
    out.append("<text %s>yield, preempt, block, wake, add, exit</text>" % _attrs(
        x=x + 16, y=y + 10))
    out.append("</g>")


def render(trace, title=None):
    """The SVG text of TRACE."""
    threads = trace.threads()
    disk = any(e.kind in "DC" for e in trace.events)
    ys, y = {}, TOP
    for tid in threads:
        ys[tid] = y
        y += LANE_H + LANE_GAP
    y_disk = y
    if disk:
        y += LANE_H + LANE_GAP
    y_irq = y
    y += LANE_H + LANE_GAP
    height = y + LEGEND_H
    x0, x1 = trace.span()
    sx = _Scale(x0, x1)
    ticks = (trace.events[0].tick, trace.events[-1].tick) if trace.events else (0, 0)
    head = title or "%s: %d events%s, PIT ticks %d-%d" % (
        trace.test, len(trace.events),
        " (%d older ones dropped)" % trace.dropped if trace.dropped else "", *ticks)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" %s>' % _attrs(
        width=WIDTH, height=height, viewBox="0 0 %d %d" % (WIDTH, height),
        font_family="sans-serif", font_size=11, data_test=trace.test,
        data_events=len(trace.events)),
        _rect(0, 0, WIDTH, height, "#ffffff", class_="background"),
        "<title>%s</title>" % escape(head),
        "<text %s>%s</text>" % (_attrs(x=8, y=16, font_size=13, font_weight="bold"), escape(head))]
    _axis(out, trace, sx, y - LANE_GAP)
    _thread_lanes(out, trace, sx, ys)
    if disk:
        _disk_lane(out, trace, sx, y_disk, x1)
    _irq_lane(out, trace, sx, y_irq)
    _legend(out, height - LEGEND_H + 12, disk)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _named(path, parts):
    """PATH with PARTS (file-safe) before its extension: t.svg -> t-qemu-rr_fair.svg."""
    if not parts:
        return path
    base, ext = os.path.splitext(path)
    safe = ["".join(c if c.isalnum() or c in "._" else "_" for c in p) for p in parts]
    return "%s-%s%s" % (base, "-".join(safe), ext or ".svg")


def write_runs(path, runs):
    """Write the traces of RUNS (labrun.RunResult, graded with trace=True) to
    PATH, or to PATH with the run and test in the name when there are
    several. Returns the lines to print (what was written, or why not)."""
    found = []
    for run in runs:
        try:
            found += [(run.spec.dirname, t) for t in tl.parse(run.traces)]
        except tl.TraceError as e:
            return ["timeline: the kernel's trace of %s could not be read: %s"
                    % (run.spec.label, e)]
    if not found:
        return ["timeline: no trace: no test finished (a test that panics or hangs "
                "dumps nothing)"]
    many_runs = len(runs) > 1
    many_tests = len({t.test for _, t in found}) > 1
    out = []
    for label, t in found:
        name = _named(path, ([label] if many_runs else []) + ([t.test] if many_tests else []))
        with open(name, "w") as f:
            f.write(render(t))
        out.append("timeline: %s (%s, %d threads, %d events)"
                   % (name, t.test, len(t.threads()), len(t.events)))
    return out


def main(argv):
    """timeline_svg.py DUMP OUT.svg: draw the first trace of a file of KTRACE
    lines (a serial log, e.g. grade.py --keep's serial.log; tags are not
    checked here)."""
    if len(argv) != 2:
        print("usage: timeline_svg.py SERIAL_LOG OUT.svg", file=sys.stderr)
        return 2
    with open(argv[0], errors="replace") as f:
        lines = [l[l.index("KTRACE ") + 7:].split(" #")[0].rstrip()
                 for l in f if "KTRACE " in l]
    traces = tl.parse(lines)
    if not traces:
        print("timeline_svg.py: no KTRACE dump in %s (boot with ktrace)" % argv[0],
              file=sys.stderr)
        return 1
    with open(argv[1], "w") as f:
        f.write(render(traces[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
