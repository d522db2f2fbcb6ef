"""safe_text.py: neutralise student-controlled text (serial output, build output, file and submission names) before it reaches a terminal, log, CSV or JSON."""
import re

LINE_MAX = 400           # characters kept of one line
BLOCK_MAX = 16000        # characters kept of one block (a test's output, a build log)
NOTE_MAX = 2000          # characters kept of one warning (it may list many file names)

# C0 controls (ESC, CR, BEL, backspace...), DEL, C1 controls (the 8-bit CSI
# 0x9b...), and Unicode format characters that reorder or hide text (bidi
# overrides and isolates, zero-width characters, BOM). Tab stays: it is
# harmless and common in compiler output.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e"
                     "\u2060-\u206f\ufeff\ufff9-\ufffb]")
_CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _escape(m):
    c = ord(m.group(0))
    return "\\x%02x" % c if c < 0x100 else "\\u%04x" % c


def line(s, limit=LINE_MAX):
    """S as one printable line: control and format characters (newlines too)
    shown as \\xNN / \\uNNNN, cut to LIMIT characters with a note saying so."""
    if not isinstance(s, str):
        s = str(s)
    out = _UNSAFE.sub(_escape, s[:limit])        # escaping only lengthens
    if len(out) > limit or len(s) > limit:
        out = out[:limit] + " ... [line cut: %d characters in all]" % len(s)
    return out


def lines(seq, limit=LINE_MAX, total=BLOCK_MAX):
    """The strings of SEQ, each made safe by line() (a string holding
    newlines becomes several lines), at most TOTAL characters in all; a
    final note says how many lines were left out."""
    out, used, flat = [], 0, []
    for item in seq:
        flat += str(item).split("\n") if "\n" in str(item) else [item]
    for i, s in enumerate(flat):
        t = line(s, limit)
        if used + len(t) > total and out:
            out.append("... [output cut: %d more lines]" % (len(flat) - i))
            break
        out.append(t)
        used += len(t) + 1
    return out


def text(s, limit=LINE_MAX, total=BLOCK_MAX):
    """Multi-line S made safe line by line (see lines()), joined by newlines."""
    return "\n".join(lines(str(s).split("\n"), limit, total))


def csv_cell(s, limit=LINE_MAX * 4):
    """S for a spreadsheet cell: one safe line, and a leading = + - @ (which a
    spreadsheet would run as a formula) made inert with a quote."""
    t = line(s, limit)
    return "'" + t if t.startswith(_CSV_FORMULA) else t
