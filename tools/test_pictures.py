#!/usr/bin/env python3
"""test_pictures.py: the timelines and memory maps, checked as SVG (structure against the dump) and as pixels (rendered by headless Chromium)."""
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import linetag       # noqa: E402
from picture_checks import (NS, TIMELINE_LANES, find_chromium, png_problems,  # noqa: E402
                            render, svg_problems)
import memory_map    # noqa: E402
import memory_map_svg as mm  # noqa: E402
import png_read      # noqa: E402
import protocol      # noqa: E402
import timeline as tl  # noqa: E402
import timeline_svg  # noqa: E402

JOBS = 4

# A fabricated trace: main (0) starts two threads, a (2) and b (3); a yields,
# b blocks on the disk, the disk completes (IRQ 14) and wakes b, both exit.
SAMPLE = [
    "BEGIN sample 15 0", "N 0 main", "N 1 idle", "N 2 a", "N 3 b",
    "E 10,0,A,2,0,0 10,50,A,3,0,0 10,50,S,0,2,98 11,400,I,0,3,0 13,100,Y,2,0,0"
    " 13,10,S,2,3,114 13,20,D,3,77,0 14,30,B,3,0,0",
    "E 14,5,S,3,2,98 15,300,I,14,1,0 15,10,C,3,77,0 15,10,W,3,0,0 16,200,X,2,0,1"
    " 16,10,S,2,3,122 17,300,X,3,0,1",
    "END sample 15"]


def _grade_timeline(lab, test, svg_path, tmp):
    """Grade TEST of LAB with --timeline; (trace, grader output)."""
    cmd = [sys.executable, os.path.join(ROOT, "grade", "grade.py"), lab, test, "--seed", "1",
           "--keep", os.path.join(tmp, "keep"), "--timeline", svg_path]
    if os.path.isfile(os.path.join(ROOT, "build", lab, "disk.img")):
        cmd.append("--no-build")        # make test built every lab first
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300).stdout
    logs = []
    for dirpath, _, files in sorted(os.walk(os.path.join(tmp, "keep"))):
        logs += [os.path.join(dirpath, f) for f in files if f == "serial.log"]
    lines = []
    for log in logs:
        with open(log, errors="replace") as f:
            lines += [l[l.index("KTRACE ") + 7:].rsplit(" #", 1)[0].rstrip()
                      for l in f if "KTRACE " in l]
    traces = tl.parse(lines)
    return (traces[0] if traces else None), out


# ---- the checks ------------------------------------------------------------

def check_sample(tmp):
    trace = tl.parse(SAMPLE)[0]
    out = []
    if trace.threads() != [0, 2, 3] or trace.irq_total() != 4 or len(trace.events) != 15:
        out.append("sample parsed wrong: threads %s, %d IRQs, %d events"
                   % (trace.threads(), trace.irq_total(), len(trace.events)))
    segs = tl.segments(trace)
    states = {(s.thread, s.state) for s in segs}
    for want in [(0, "running"), (0, "blocked"), (2, "ready"), (2, "running"),
                 (3, "blocked"), (3, "running"), (2, "zombie")]:
        if want not in states:
            out.append("sample: thread %d never %s (segments %s)" % (want + (segs,)))
    if tl.disk_requests(trace) != [(trace.events[6].x, trace.events[10].x, 77, 3, False)]:
        out.append("sample: disk request not matched: %s" % tl.disk_requests(trace))
    svg = timeline_svg.render(trace)
    out += svg_problems(svg, trace)
    path = os.path.join(tmp, "sample.svg")
    with open(path, "w") as f:
        f.write(svg)
    out += png_problems(render(path, os.path.join(tmp, "sample.png")), path, TIMELINE_LANES)
    return out


def check_checkers_can_fail(tmp):
    """The checks above must see a wrong picture: a missing lane, a lost
    interrupt, a lane painted the wrong colour."""
    trace = tl.parse(SAMPLE)[0]
    svg = timeline_svg.render(trace)
    out = []
    bad = svg.replace('data-thread="3"', 'data-thread="9"', 1)
    if not svg_problems(bad, trace):
        out.append("svg_problems missed a lane for a thread not in the trace")
    bad = svg.replace('class="irq" data-irq="0"', 'class="gone" data-irq="0"', 1)
    if not svg_problems(bad, trace):
        out.append("svg_problems missed a lost timer interrupt")
    path = os.path.join(tmp, "wrong.svg")
    with open(path, "w") as f:      # thread 2's ready segments drawn blocked-blue
        f.write(svg.replace(timeline_svg.COLORS["ready"], timeline_svg.COLORS["blocked"]))
    if not png_problems(render(path, os.path.join(tmp, "wrong.png")), path, TIMELINE_LANES):
        out.append("png_problems missed ready segments painted blue")
    return out


def check_parse_errors(tmp):
    out = []
    for lines, why in ((SAMPLE[:-1], "no END"), (SAMPLE[:-1] + ["END sample 14"], "bad count"),
                       (SAMPLE[:2] + ["E 1,2,Q,0,0,0"] + SAMPLE[-1:], "unknown kind")):
        try:
            tl.parse(lines)
            out.append("a dump with %s was accepted" % why)
        except tl.TraceError:
            pass
    return out


def check_terminated_not_running(tmp):
    """A thread whose first event is being terminated by another thread was
    not running before it (one CPU: the thread that terminates it was)."""
    ev = [tl.Event(0, 0, "S", 0, 1, ord("R")), tl.Event(5, 50, "X", 2, 0, tl.THREAD_END_TERMINATED)]
    trace = tl.Trace("t", events=ev)
    for i, e in enumerate(ev):
        e.x = i * tl.X_PER_TICK
    segs = tl.segments(trace)
    bad = [sg for sg in segs if sg.thread == 2 and sg.state == tl.RUNNING]
    return ["thread 2, terminated by another, drawn running before it"] if bad else []


def check_forged_lines_ignored(tmp):
    """With a key, only tagged KTRACE lines count; an untagged one is an
    integrity finding and never reaches the picture."""
    key = linetag.new_key()
    p = protocol.BootParser(key=key)
    p.feed(linetag.tag(key, 0, "KTRACE " + SAMPLE[0]))
    p.feed("KTRACE N 7 forged")
    out = []
    if p.traces != [SAMPLE[0]]:
        out.append("keyed parser kept %r" % p.traces)
    if not p.integrity:
        out.append("an untagged KTRACE line raised no integrity finding")
    return out


def _runs(trace, name, state):
    """Segments in STATE of the threads named NAME."""
    ids = {i for i, n in trace.names.items() if n == name}
    return [x for x in tl.segments(trace) if x.thread in ids and x.state == state]


def rr_invariants(trace):
    """Round robin: every spinner runs several times, the timer preempts, and
    each preemption leaves its thread ready."""
    out = ["%s ran %d times, not several" % (n, len(_runs(trace, n, tl.RUNNING)))
           for n in ("spin0", "spin1", "spin2", "spin3") if len(_runs(trace, n, tl.RUNNING)) < 2]
    if trace.count("P") < 4:
        out.append("only %d preemptions recorded in rr_fairness" % trace.count("P"))
    if trace.irq_total(tl.TIMER_IRQ) < 20:
        out.append("only %d timer ticks recorded" % trace.irq_total(tl.TIMER_IRQ))
    return out


def disk_invariants(trace):
    """Disk: requests complete, IRQ 14 comes, and the I/O threads sleep."""
    out = []
    if not [r for r in tl.disk_requests(trace) if r[1] is not None]:
        out.append("no disk request completed in the trace")
    if trace.count("D") == 0:
        out.append("no disk transfer began in the trace")
    if trace.irq_total(14) == 0:
        out.append("no IRQ 14 in the trace")
    if not _runs(trace, "disk-io", tl.BLOCKED):
        out.append("the disk-io threads never blocked")
    return out


def check_real_timeline(lab, test, lanes_needed, tmp, invariants):
    svg_path = os.path.join(tmp, "%s.svg" % lab)
    trace, out = _grade_timeline(lab, test, svg_path, tmp)
    if trace is None or not os.path.isfile(svg_path):
        return ["%s %s --timeline wrote no trace or no SVG; grader said:\n%s"
                % (lab, test, out[-1500:])]
    with open(svg_path) as f:
        svg = f.read()
    problems = svg_problems(svg, trace)
    names = set(trace.names.values())
    problems += ["%s: no lane named %s (lanes: %s)" % (lab, n, sorted(names))
                 for n in lanes_needed if n not in names]
    problems += ["%s %s: %s" % (lab, test, p) for p in invariants(trace)]
    png = render(svg_path, os.path.join(tmp, "%s.png" % lab))
    return problems + png_problems(png, svg_path, TIMELINE_LANES)


def _count(root, cls, group=None):
    """Sum of data-count over the rects of class CLS (in GROUP or ROOT)."""
    return sum(int(r.get("data-count", 1)) for r in (group or root).iter(NS + "rect")
               if cls in r.get("class", "").split())


MAP_LANES = {"pool": mm.FRAME_COLORS,
             "pd": {k: mm.VM_COLORS[k] for k in ("table", "recursive", "pool", "absent")},
             "pt": {k: mm.VM_COLORS[k] for k in ("present", "absent")},
             "vmpool": {k: mm.VM_COLORS[k] for k in ("allocated", "bookkeeping", "mapped")}}


def check_frame_map(tmp):
    """Lab 2: allocate in both pools, free one run, draw the frame pools: every
    frame is one cell of its state, the info frames are marked, and the
    rendering shows each state's colour in its pool."""
    lines = memory_map.dump_lines(2, ["alloc 5", "alloc 40 kernel", "alloc 300", "free 1029"])
    pools = mm.parse_fmap(lines)
    path = os.path.join(tmp, "frames.svg")
    with open(path, "w") as f:
        f.write(mm.render_frames(pools))
    root = ET.parse(path).getroot()
    out = []
    groups = {g.get("data-pool"): g for g in root.iter(NS + "g") if g.get("data-pool")}
    if sorted(groups) != sorted(p.name for p in pools):
        out.append("pools drawn %s, dumped %s" % (sorted(groups), [p.name for p in pools]))
    info = {f for p in pools for f in range(p.info, p.info + p.n_info)}
    for p in pools:
        g = groups.get(p.name)
        if g is None:
            continue
        if _count(root, "cell", g) != p.n:
            out.append("pool %s: %d cells for %d frames" % (p.name, _count(root, "cell", g), p.n))
        states = p.states()
        for s in ("free", "head"):
            want = sum(1 for i, x in enumerate(states) if x == s and
                       (s == "free" or p.base + i not in info))
            if _count(root, s, g) != want:
                out.append("pool %s: %d %s cells, the dump has %d" % (p.name, _count(root, s, g),
                                                                     s, want))
    if not any(_count(root, "info", g) for g in groups.values()):
        out.append("no info frame drawn")
    kernel = next((p for p in pools if p.name == "kernel"), None)
    if kernel is None or kernel.states()[2:3] != ["head"] or kernel.states()[3:42].count("used") != 39:
        out.append("the kernel pool's 40-frame run is not in the dump: %s"
                   % (kernel.runs[:6] if kernel else None))
    return out + png_problems(render(path, os.path.join(tmp, "frames.png")), path, MAP_LANES)


def check_address_space(tmp):
    """Lab 3: allocate a region, touch pages, draw the address space: the
    directory's present entries, each table's present pages and the pool's
    regions match the dump, and the rendering shows their colours."""
    lines = memory_map.dump_lines(3, ["valloc 40000", "touch 0xc0005000", "touch 0xc0012000"])
    a = mm.parse_vmap(lines)
    path = os.path.join(tmp, "vm.svg")
    with open(path, "w") as f:
        f.write(mm.render_vm(a))
    root = ET.parse(path).getroot()
    out = []
    pd = next(g for g in root.iter(NS + "g") if g.get("class") == "lane pd")
    if _count(root, "cell", pd) != mm.ENTRIES:
        out.append("directory: %d cells, not %d" % (_count(root, "cell", pd), mm.ENTRIES))
    tables = len([i for i in a.pdes if i != mm.RECURSIVE_SLOT])
    if (_count(root, "table", pd), _count(root, "recursive", pd)) != (tables, 1):
        out.append("directory: %d table and %d recursive cells, the dump has %d and 1"
                   % (_count(root, "table", pd), _count(root, "recursive", pd), tables))
    for g in (g for g in root.iter(NS + "g") if g.get("class") == "lane pt"):
        pdi = int(g.get("data-pde"))
        if _count(root, "present", g) != sum(a.tables[pdi]):
            out.append("table %d: %d present cells, the dump has %d"
                       % (pdi, _count(root, "present", g), sum(a.tables[pdi])))
    if 768 not in a.tables or not (a.tables[768][5] and a.tables[768][0x12]):
        out.append("the touched heap pages 0xc0005000 and 0xc0012000 are not mapped in the dump")
    return out + png_problems(render(path, os.path.join(tmp, "vm.png")), path, MAP_LANES)


CHECKS = [
    ("sample trace: SVG structure and rendering", check_sample),
    ("the checks fail on wrong pictures", check_checkers_can_fail),
    ("malformed dumps refused", check_parse_errors),
    ("a terminated thread was not running", check_terminated_not_running),
    ("untagged KTRACE lines ignored", check_forged_lines_ignored),
    ("lab5 rr_fairness --timeline", lambda t: check_real_timeline(
        "lab5", "rr_fairness", ["main", "spin0", "spin3"], t, rr_invariants)),
    ("lab6 disk_compute_progress_during_io --timeline", lambda t: check_real_timeline(
        "lab6", "disk_compute_progress_during_io", ["main", "compute", "disk-io"], t,
        disk_invariants)),
    ("lab2 frame map", check_frame_map),
    ("lab3 address space", check_address_space),
]


def main():
    passed = failed = 0
    if find_chromium() is None:
        print("pictures: FAIL: chromium is not installed (run tools/setup.sh, which "
              "installs Debian's chromium); the pictures cannot be checked")
        print("pictures: 0 passed, 1 failed")
        return 1
    def one(check):
        title, fn = check
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="stepos-pictures-") as tmp:
            try:
                problems = fn(tmp)
            except (RuntimeError, OSError, subprocess.TimeoutExpired, tl.TraceError,
                    png_read.PngError, mm.DumpError, EOFError) as e:
                problems = ["%s: %s" % (type(e).__name__, e)]
        return title, problems, time.monotonic() - t0

    with ThreadPoolExecutor(max_workers=JOBS) as pool:   # the boots and renders overlap
        for title, problems, secs in pool.map(one, CHECKS):
            if problems:
                failed += 1
                print("%s: FAIL (%.1fs)" % (title, secs))
                for p in problems:
                    print("    " + p)
            else:
                passed += 1
                print("%s: OK (%.1fs)" % (title, secs))
    print("pictures: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
