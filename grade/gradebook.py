"""gradebook.py: a class run's records: unique file-safe submission names, the CSV gradebook, the summary table, safe per-submission logs."""
import csv
import io
import os
import re

import integrity
import report
import safe_text

LOG_LINE_MAX = 1000              # characters per line of a per-submission log
LOG_MAX = 2000000                # characters kept of a per-submission log
INTERRUPTED = "INTERRUPTED"      # verdict of a submission not graded: grading was stopped
PENDING = "PENDING"              # verdict in the gradebook while a submission is not done


def unique_names(names):
    """File-safe names for submission NAMES (in the given order), unique and
    stable: characters other than A-Z a-z 0-9 _ . - become _, a name that is
    file-safe already keeps it, and the others get -2, -3... if taken, in
    sorted order of the originals."""
    out, taken = {}, set()
    base_of = {n: re.sub(r"[^A-Za-z0-9_.-]", "_", n).lstrip(".") or "submission"
               for n in names}
    for name in sorted(names, key=lambda n: (base_of[n] != n, n)):
        base = base_of[name]
        cand, n = base, 1
        while cand.lower() in taken:     # case-insensitive file systems too
            n += 1
            cand = "%s-%d" % (base, n)
        taken.add(cand.lower())
        out[name] = cand
    return [out[n] for n in names]


def safe_log(path):
    """Rewrite the log at PATH with every line made safe (defence in depth: the
    grader's own output is already; a crash message may quote the student)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(LOG_MAX * 2)
            more = f.read(1) != b""
    except OSError:
        return
    out = safe_text.lines(raw.decode("utf-8", "replace").split("\n"), LOG_LINE_MAX, LOG_MAX)
    if more:
        out.append("... [log cut at %d bytes]" % len(raw))
    report.write_atomic(path, "\n".join(out))


def write_csv(path, columns, outs):
    """The gradebook: one row per Outcome of OUTS, a column per rubric entry
    name in COLUMNS, written atomically (temporary file and rename) to PATH."""
    fields = ["submission", "score", "max_score", "verdict", "seconds", "warnings",
              "integrity"]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(fields + [safe_text.csv_cell(c) for c in columns])
    cell = safe_text.csv_cell
    for o in outs:
        notes = [x for x in o.warnings if not integrity.is_flag(x)] + \
            ([o.message] if o.message else [])
        w.writerow([cell(o.name), pts(o.score), pts(o.max_score), cell(o.verdict),
                    "%.1f" % o.seconds, cell(" | ".join(notes)),
                    cell(" | ".join(f.split(": ", 1)[1] if integrity.is_flag(f)
                                    else f for f in o.integrity))]
                   + [pts(o.tests.get(c, 0)) for c in columns])
    report.write_atomic(path, buf.getvalue())


def merge(a, b):
    """A then B, each string once."""
    out = []
    for x in list(a) + list(b):
        if x not in out:
            out.append(x)
    return out


def pts(p):
    """Points as the gradebook shows them: 4, 2.5."""
    return str(int(p)) if float(p).is_integer() else "%.1f" % p


def table(outs):
    """The summary table, one line per submission."""
    names = [safe_text.line(o.name, 60) for o in outs]
    w = max([len("submission")] + [len(n) for n in names])
    lines = ["%-*s  %9s  %-22s %7s  %s" % (w, "submission", "score", "verdict", "time",
                                          "notes")]
    for o, name in zip(outs, names):
        notes = "; ".join(o.integrity + ([o.message] if o.message else []) +
                          (["protected files changed"] if any(
                              x.startswith("WARNING") for x in o.warnings) else []))
        lines.append("%-*s  %9s  %-22s %6.1fs  %s" % (
            w, name, "%s/%s" % (pts(o.score), pts(o.max_score)),
            safe_text.line(o.verdict, 22)[:22], o.seconds, safe_text.line(notes)))
    return lines


def write_final_csv(g, outs):
    """Write class grader G's gradebook of OUTS; if that fails, say so and
    write it into the log folder instead. True if the --csv file was written."""
    try:
        g.write_csv(outs)
        return True
    except OSError as e:
        print("grade.py: could not write the gradebook %s: %s" % (g.csv_path, e))
    fallback = os.path.join(g.log_dir, "grades.csv")
    try:
        g.write_csv(outs, fallback)
        print("grade.py: the gradebook is in %s instead" % fallback)
    except OSError as e:
        print("grade.py: could not write %s either (%s); the table below has the scores"
              % (fallback, e))
    return False
