"""picture_checks.py: check a picture twice: its SVG against the dump it draws, and its pixels as headless Chromium renders them."""
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))

import png_read      # noqa: E402
import timeline as tl  # noqa: E402
import timeline_svg  # noqa: E402

NS = "{http://www.w3.org/2000/svg}"
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
RENDER_TIMEOUT = 60


def svg_problems(svg, trace):
    """What is wrong with SVG (text) as a drawing of TRACE: lanes, marks,
    switches, interrupts and disk requests must match the trace's counts,
    and no two threads may run at the same time."""
    root = ET.fromstring(svg)
    out = []
    groups = list(root.iter(NS + "g"))
    lanes = [g for g in groups if "thread" in g.get("class", "").split()]
    got = sorted(int(g.get("data-thread")) for g in lanes)
    if got != trace.threads():
        out.append("thread lanes %s, the trace has threads %s" % (got, trace.threads()))
    for letter, kind in timeline_svg.MARK_KINDS.items():
        n = sum(1 for p in root.iter(NS + "path") if p.get("class") == "mark " + kind)
        if n != trace.count(letter):
            out.append("%d %s marks for %d %s events" % (n, kind, trace.count(letter), kind))
    n = sum(1 for l in root.iter(NS + "line") if l.get("class") == "switch")
    if n != trace.count("S"):
        out.append("%d switch lines for %d switches" % (n, trace.count("S")))
    irqs = sum(int(e.get("data-count")) for e in root.iter()
               if e.get("class") in ("irq", "irq-run"))
    if irqs != trace.irq_total():
        out.append("IRQ lane shows %d interrupts, the trace has %d" % (irqs, trace.irq_total()))
    reqs = sum(1 for r in root.iter(NS + "rect") if "disk-req" in r.get("class", ""))
    if reqs != len(tl.disk_requests(trace)):
        out.append("%d disk requests drawn, %d in the trace" % (reqs, len(tl.disk_requests(trace))))
    running = sorted((float(r.get("x")), float(r.get("x")) + float(r.get("width")))
                     for g in lanes for r in g.iter(NS + "rect")
                     if r.get("class") == "seg running")
    for (a0, a1), (b0, b1) in zip(running, running[1:]):
        if b0 < a1 - 1.0 and a1 - a0 > 1.0 and b1 - b0 > 1.0:
            out.append("two threads drawn running at once around x=%.0f (one CPU)" % b0)
            break
    return out


def find_chromium():
    return next((shutil.which(c) for c in CHROMIUM if shutil.which(c)), None)


def render(svg_path, png_path):
    """Render SVG_PATH to PNG_PATH at its own size with headless Chromium."""
    root = ET.parse(svg_path).getroot()
    w, h = int(float(root.get("width"))), int(float(root.get("height")))
    exe = find_chromium()
    if exe is None:
        raise RuntimeError("chromium is not installed: run tools/setup.sh (Debian package "
                           "chromium)")
    with tempfile.TemporaryDirectory(prefix="stepos-chromium-") as profile:
        cmd = [exe, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
               "--force-device-scale-factor=1", "--user-data-dir=" + profile,
               "--screenshot=" + png_path, "--window-size=%d,%d" % (w, h),
               "file://" + os.path.abspath(svg_path)]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=RENDER_TIMEOUT, check=False)
    if not os.path.isfile(png_path):
        raise RuntimeError("chromium wrote no screenshot: %s" % " ".join(cmd))
    return png_read.read(png_path)


def _colours_in_band(rows, y0, y1, x0, x1, step=1):
    seen = set()
    for y in range(max(0, y0), min(len(rows), y1)):
        for x in range(x0, x1, step):
            seen.add(png_read.pixel(rows, x, y))
    return seen


def _has(seen, colour):
    want = png_read.hex_rgb(colour)
    return any(png_read.near(c, want) for c in seen)


def png_problems(png, svg_path, classes):
    """What is wrong with the rendered PNG: blank, or a lane (a <g> whose
    class holds one of CLASSES) missing the colour of a segment class it
    draws at least 3 pixels wide, or showing the colour of one it does not
    draw at all (narrower slivers blend with their neighbours)."""
    width, height, rows = png
    out = []
    white = sum(1 for y in range(0, height, 4) for x in range(0, width, 4)
                if png_read.pixel(rows, x, y) == (255, 255, 255))
    total = len(range(0, height, 4)) * len(range(0, width, 4))
    if white > 0.97 * total:
        out.append("the rendered picture is blank (%d of %d sampled pixels white)"
                   % (white, total))
    root = ET.parse(svg_path).getroot()
    for g in root.iter(NS + "g"):
        if not set(g.get("class", "").split()) & set(classes):
            continue
        bg = next(r for r in g.iter(NS + "rect") if r.get("class") == "lane-bg")
        y0, h = int(float(bg.get("y"))), int(float(bg.get("height")))
        x0, x1 = int(float(bg.get("x"))), int(float(bg.get("x")) + float(bg.get("width")))
        seen = _colours_in_band(rows, y0 + 4, y0 + h - 4, x0, x1)
        drawn = {}
        for r in g.iter(NS + "rect"):
            if "pending" in r.get("class", "").split():
                continue      # drawn lighter: not the colour looked for
            for c in r.get("class", "").split():
                if c in classes[g.get("class").split()[1]]:
                    drawn[c] = max(drawn.get(c, 0), float(r.get("width")))
        label = g.get("data-name") or g.get("class")
        for state, colour in classes[g.get("class").split()[1]].items():
            if drawn.get(state, 0) >= 3 and not _has(seen, colour):
                out.append("lane %s: %s (%s) drawn in the SVG but not seen in the PNG"
                           % (label, state, colour))
            if state not in drawn and _has(seen, colour):
                out.append("lane %s: colour of %s (%s) in the PNG, but the lane has none"
                           % (label, state, colour))
    return out


THREAD_COLOURS = {s: timeline_svg.COLORS[s] for s in tl.STATES}
TIMELINE_LANES = {"thread": THREAD_COLOURS, "disk": {"disk-req": timeline_svg.COLORS["disk"]}}
