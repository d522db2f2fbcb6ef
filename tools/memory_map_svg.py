"""memory_map_svg.py: draw lab 2's frame pools (FMAP dump) and lab 3's address space (VMAP dump) as SVG."""
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

WIDTH = 1000
LEFT = 20
FRAMES_PER_ROW = 128
CELL = 7                 # pitch of a frame cell (6 px and a 1 px gap)
PD_CELL = 10             # pitch of a directory entry cell
PT_CELL = 6              # pitch of a page-table entry cell
PAGE = 4096
ENTRIES = 1024
RECURSIVE_SLOT = 1023

FRAME_COLORS = {"free": "#c8e6c9", "used": "#1565c0", "head": "#c62828",
                "inaccessible": "#424242", "info": "#f9a825"}
_LETTERS = {"f": "free", "u": "used", "H": "head", "X": "inaccessible"}
VM_COLORS = {"absent": "#e3e3e3", "table": "#1565c0", "recursive": "#6a1b9a",
             "pool": "#bbdefb", "allocated": "#90caf9", "free": "#e3e3e3",
             "bookkeeping": "#f9a825", "mapped": "#2e7d32", "present": "#2e7d32"}


class DumpError(ValueError):
    pass


@dataclass
class FramePool:
    name: str
    base: int
    n: int
    info: int
    n_info: int
    runs: list = field(default_factory=list)   # [(state, count)]

    def states(self):
        """State of each frame, in order."""
        out = []
        for s, k in self.runs:
            out += [s] * k
        return out


def parse_fmap(lines):
    """[FramePool] from the FMAP lines of `framedump`."""
    pools, begun, ended = [], False, False
    for line in lines:
        w = line.split()
        if w[:2] == ["FMAP", "BEGIN"]:
            begun, pools = True, []
        elif w[:2] == ["FMAP", "POOL"] and len(w) == 7:
            pools.append(FramePool(w[2], *(int(x) for x in w[3:])))
        elif w[:2] == ["FMAP", "RUNS"] and pools and w[2] == pools[-1].name:
            for item in w[3:]:
                s, _, k = item.partition(":")
                if s not in _LETTERS:
                    raise DumpError("unknown frame state %r in %r" % (s, line))
                pools[-1].runs.append((_LETTERS[s], int(k)))
        elif w[:2] == ["FMAP", "END"]:
            ended = True
    if not (begun and ended):
        raise DumpError("no complete FMAP dump (FMAP BEGIN ... FMAP END)")
    for p in pools:
        if sum(k for _, k in p.runs) != p.n:
            raise DumpError("pool %s: runs cover %d frames of %d"
                            % (p.name, sum(k for _, k in p.runs), p.n))
    return pools


def _attrs(**kw):
    return " ".join("%s=%s" % (k.rstrip("_").replace("_", "-"), quoteattr(str(v)))
                    for k, v in kw.items())


def _rect(x, y, w, h, fill, **kw):
    return "<rect %s/>" % _attrs(x=x, y=y, width=max(w, 1), height=h, fill=fill, **kw)


def _text(x, y, s, **kw):
    return "<text %s>%s</text>" % (_attrs(x=x, y=y, **kw), escape(s))


def _svg(height, title, body):
    return "\n".join(['<svg xmlns="http://www.w3.org/2000/svg" %s>' % _attrs(
        width=WIDTH, height=height, viewBox="0 0 %d %d" % (WIDTH, height),
        font_family="sans-serif", font_size=11, shape_rendering="crispEdges"),
        _rect(0, 0, WIDTH, height, "#ffffff", class_="background"),
        "<title>%s</title>" % escape(title),
        _text(8, 16, title, font_size=13, font_weight="bold")] + body + ["</svg>"]) + "\n"


def _legend(out, y, colors, names):
    x = LEFT
    out.append('<g class="legend">')
    for key in names:
        out.append(_rect(x, y, 12, 12, colors[key], class_="legend-key"))
        out.append(_text(x + 16, y + 10, key))
        x += 30 + 7 * len(key)
    out.append("</g>")


def _cells(out, states, x0, y0, per_row, pitch, colors, size=None):
    """Cells for STATES (one per entry), PER_ROW a row; consecutive equal
    states on one row are one rect carrying data-count."""
    size = size or pitch - 1
    i = 0
    while i < len(states):
        row, col, s = i // per_row, i % per_row, states[i]
        k = 1
        while col + k < per_row and i + k < len(states) and states[i + k] == s:
            k += 1
        out.append(_rect(x0 + col * pitch, y0 + row * pitch, k * pitch - 1 if k > 1 else size,
                         size, colors[s], class_="cell " + s, data_count=k))
        i += k


def render_frames(pools):
    """SVG of the frame pools: a grid per pool, a cell per frame, coloured by
    state; the frames that hold a pool's bitmap (info frames) shown as such."""
    info = set()
    for p in pools:
        info.update(range(p.info, p.info + p.n_info))
    out, y = [], 36
    for p in pools:
        states = [("info" if p.base + i in info and s != "free" else s)
                  for i, s in enumerate(p.states())]
        rows = (p.n + FRAMES_PER_ROW - 1) // FRAMES_PER_ROW
        counts = {s: states.count(s) for s in FRAME_COLORS}
        out.append(_text(LEFT, y + 10, "pool %s: frames %d-%d (%d KiB at 0x%08x); info frames "
                         "%d-%d; %s" % (p.name, p.base, p.base + p.n - 1, p.n * 4, p.base * PAGE,
                                        p.info, p.info + p.n_info - 1,
                                        ", ".join("%s %d" % kv for kv in counts.items() if kv[1]))))
        y += 16
        out.append("<g %s>" % _attrs(class_="lane pool", data_pool=p.name, data_frames=p.n))
        out.append(_rect(LEFT, y, FRAMES_PER_ROW * CELL, rows * CELL, "#ffffff",
                         class_="lane-bg"))
        _cells(out, states, LEFT, y, FRAMES_PER_ROW, CELL, FRAME_COLORS)
        out.append("</g>")
        y += rows * CELL + 16
    _legend(out, y, FRAME_COLORS, list(FRAME_COLORS))
    title = "Frame pools: %s (one cell per 4 KiB frame, %d a row)" % (
        ", ".join(p.name for p in pools), FRAMES_PER_ROW)
    return _svg(y + 24, title, out)


@dataclass
class AddressSpace:
    pd: int = 0
    pools: list = field(default_factory=list)     # (name, base, size, frame pool)
    regions: list = field(default_factory=list)   # (pool name, start, size, flags)
    pdes: dict = field(default_factory=dict)      # index -> entry
    tables: dict = field(default_factory=dict)    # index -> [present bool] * 1024


def parse_vmap(lines):
    a, begun, ended = AddressSpace(), False, False
    for line in lines:
        w = line.split()
        if w[:2] == ["VMAP", "BEGIN"]:
            a, begun = AddressSpace(int(w[2], 16)), True
        elif w[:2] == ["VMAP", "POOL"]:
            a.pools.append((w[2], int(w[3], 16), int(w[4], 16), w[5]))
        elif w[:2] == ["VMAP", "REGION"]:
            a.regions.append((w[2], int(w[3], 16), int(w[4], 16), int(w[5])))
        elif w[:2] == ["VMAP", "PDE"]:
            a.pdes[int(w[2])] = int(w[3], 16)
        elif w[:2] == ["VMAP", "PTES"]:
            t = a.tables.setdefault(int(w[2]), [])
            for item in w[3:]:
                s, _, k = item.partition(":")
                t += [s == "p"] * int(k)
        elif w[:2] == ["VMAP", "END"]:
            ended = True
    if not (begun and ended):
        raise DumpError("no complete VMAP dump (VMAP BEGIN ... VMAP END)")
    for i, t in a.tables.items():
        if len(t) != ENTRIES:
            raise DumpError("table %d: %d entries described, not %d" % (i, len(t), ENTRIES))
    return a


def _pd_states(a):
    out = []
    for i in range(ENTRIES):
        va = i << 22
        if i == RECURSIVE_SLOT and i in a.pdes:
            out.append("recursive")
        elif i in a.pdes:
            out.append("table")
        elif any(b <= va < b + s or va <= b < va + (1 << 22) for _, b, s, _ in a.pools):
            out.append("pool")
        else:
            out.append("absent")
    return out


def _pool_bar(out, a, name, base, span, x0, y, width, zoom=False):
    """Pool NAME from BASE to BASE+SPAN as a bar: its regions, bookkeeping
    page, and mapped pages (parts past SPAN are cut)."""
    scale = width / span

    def bar_rect(start, size, dy, h, kind, **kw):
        lo, hi = max(start, base), min(start + size, base + span)
        if hi > lo:
            out.append(_rect(round(x0 + (lo - base) * scale, 1), y + dy,
                             round(max(1.0, (hi - lo) * scale), 1), h, VM_COLORS[kind],
                             class_=kind, **kw))

    out.append("<g %s>" % _attrs(class_="lane vmpool" + (" zoom" if zoom else ""),
                                 data_pool=name,
                                 data_regions=sum(1 for r in a.regions if r[0] == name)))
    out.append(_rect(x0, y, width, 18, "#ffffff", class_="lane-bg"))
    for pname, start, rsize, flags in a.regions:
        if pname == name:
            kind = "allocated" if flags & 1 else "free"
            bar_rect(start, rsize, 2, 14, kind, data_start="0x%08x" % start, data_size=rsize,
                     stroke="#ffffff", stroke_width=1)
    bar_rect(base, PAGE, 2, 14, "bookkeeping")
    for pdi, present in a.tables.items():
        page = 0
        while page < ENTRIES:
            k = 1
            while page + k < ENTRIES and present[page + k] == present[page]:
                k += 1
            if present[page]:
                bar_rect((pdi << 22) + page * PAGE, k * PAGE, 6, 6, "mapped", data_pages=k)
            page += k
    out.append("</g>")


def _zoom_span(a, name, base, size):
    """How much of the pool the zoomed bar shows: past its last allocated
    region by a quarter, at least 64 pages."""
    end = max([s + n for p, s, n, f in a.regions if p == name and f & 1] + [base])
    return min(size, max(64 * PAGE, (end - base) * 5 // 4))


def render_vm(a):
    """SVG of an address space: the page directory (a cell per 4 MiB), each
    VM pool as a bar (regions, bookkeeping page, mapped pages), and each page
    table (a cell per page)."""
    out = [_text(LEFT, 40, "page directory at 0x%08x: one cell per entry (4 MiB), 32 a row"
                 % a.pd)]
    y = 48
    out.append('<g class="lane pd">')
    out.append(_rect(LEFT, y, 32 * PD_CELL, 32 * PD_CELL, "#ffffff", class_="lane-bg"))
    _cells(out, _pd_states(a), LEFT, y, 32, PD_CELL, VM_COLORS)
    out.append("</g>")
    x_right, yp = LEFT + 32 * PD_CELL + 30, 40
    bar = WIDTH - x_right - 20
    for name, base, size, fpool in a.pools:
        out.append(_text(x_right, yp, "pool %s: 0x%08x-0x%08x (%d KiB), frames from %s"
                         % (name, base, base + size - 1, size // 1024, fpool)))
        _pool_bar(out, a, name, base, size, x_right, yp + 6, bar)
        zoom = _zoom_span(a, name, base, size)
        if zoom < size:
            out.append(_text(x_right, yp + 40, "zoom: its first %d KiB (0x%08x-0x%08x)"
                             % (zoom // 1024, base, base + zoom - 1)))
            _pool_bar(out, a, name, base, zoom, x_right, yp + 46, bar, zoom=True)
            yp += 40
        yp += 40
    y = max(y + 32 * PD_CELL, yp) + 24
    per_row = max(1, (WIDTH - 2 * LEFT) // (32 * PT_CELL + 24))
    for k, pdi in enumerate(sorted(a.tables)):
        x = LEFT + (k % per_row) * (32 * PT_CELL + 24)
        if k and k % per_row == 0:
            y += 32 * PT_CELL + 30
        out.append(_text(x, y, "table %d: 0x%08x-0x%08x" % (pdi, pdi << 22,
                                                             ((pdi + 1) << 22) - 1)))
        out.append("<g %s>" % _attrs(class_="lane pt", data_pde=pdi,
                                     data_present=sum(a.tables[pdi])))
        out.append(_rect(x, y + 6, 32 * PT_CELL, 32 * PT_CELL, "#ffffff", class_="lane-bg"))
        _cells(out, ["present" if p else "absent" for p in a.tables[pdi]], x, y + 6, 32,
               PT_CELL, VM_COLORS)
        out.append("</g>")
    y += 32 * PT_CELL + 24 if a.tables else 0
    _legend(out, y, VM_COLORS, ["table", "recursive", "pool", "absent", "allocated",
                                "bookkeeping", "mapped"])
    return _svg(y + 24, "Address space: page directory, VM pools, page tables", out)
