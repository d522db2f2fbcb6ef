#!/usr/bin/env python3
"""handout.py: write a student tree with the marked lab solutions stripped.

A solution region is
    /* LAB k: TODO what to write */          (the hint; stays)
    /* LAB k: BEGIN SOLUTION */
    ...                                      (removed)
    /* LAB k: END SOLUTION */
in C, or the same with ';' comments in nasm. A depth level may follow
SOLUTION: `BEGIN SOLUTION` (no level, or `core`) is stripped at every depth;
`BEGIN SOLUTION full` only at --depth full (the default: at --depth core the
code is given to the student); `BEGIN SOLUTION challenge` is the reference
solution of an optional challenge, always stripped (in every lab, earlier
ones included). Regions of labs >= N are stripped
(labs before N keep their solutions, so a student who missed lab 2 can still
do lab 3); --keep-solutions K strips labs > K instead, --only strips lab N only.
A region with no TODO line before it gets a generic one. Malformed markers
(unbalanced, nested, a lab number that does not belong in the file) stop the
tool with file:line. Hidden tests (labN-*/hidden_*, hidden_rubric.toml among them)
and instructor-only tools that quote solutions (grade/pristine.py) are left out.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))
import labs  # noqa: E402
from pristine import handed_out  # noqa: E402
MARKER = re.compile(r"LAB\s+(\d+):\s+(BEGIN|END) SOLUTION(?:[ \t]+(\w+))?")
TODO = re.compile(r"LAB\s+(\d+):\s+TODO")
SOURCE_EXT = (".c", ".h", ".asm", ".inc", ".S")
LAB_DIR = re.compile(r"^lab(\d+)-")
LEVELS = ("core", "full", "challenge")
DEPTHS = ("core", "full")


class MarkerError(Exception):
    pass


class Region(tuple):
    """One solution region: lab, index of its BEGIN line, of its END line, level."""
    __slots__ = ()

    def __new__(cls, lab, begin, end, level="core"):
        return tuple.__new__(cls, (lab, begin, end, level))

    lab = property(lambda self: self[0])
    begin = property(lambda self: self[1])
    end = property(lambda self: self[2])
    level = property(lambda self: self[3])


def stripped_at(level, depth):
    """True if a region of LEVEL is removed from a handout of DEPTH."""
    return level != "full" or depth == "full"


def regions(path, lines):
    """[Region(lab, begin_index, end_index, level)] of PATH's solution regions;
    validates."""
    top = path.split(os.sep)[0]
    m = LAB_DIR.match(top)
    own_lab = int(m.group(1)) if m else None
    found, open_ = [], None
    for i, line in enumerate(lines):
        mk = MARKER.search(line)
        if not mk:
            continue
        lab, kind, level = int(mk.group(1)), mk.group(2), mk.group(3) or "core"
        where = "%s:%d" % (path, i + 1)
        if kind == "BEGIN" and level not in LEVELS:
            raise MarkerError("%s: unknown depth level '%s' after BEGIN SOLUTION (use one of: %s)"
                              % (where, level, ", ".join(LEVELS)))
        if lab not in labs.numbers(ROOT):
            raise MarkerError("%s: LAB %d: there is no such lab (labs: %s)"
                              % (where, lab, labs.describe(ROOT)))
        if own_lab is not None and lab != own_lab:
            raise MarkerError("%s: LAB %d marker in a lab-%d file (later labs extend "
                              "earlier ones through hooks, not by editing them)"
                              % (where, lab, own_lab))
        if kind == "BEGIN":
            if open_ is not None:
                raise MarkerError("%s: BEGIN SOLUTION inside the region opened at line %d"
                                  % (where, open_[1] + 1))
            open_ = (lab, i, level)
        else:
            if open_ is None:
                raise MarkerError("%s: END SOLUTION without a BEGIN" % where)
            if open_[0] != lab:
                raise MarkerError("%s: END SOLUTION for LAB %d closes LAB %d's region "
                                  "(line %d)" % (where, lab, open_[0], open_[1] + 1))
            found.append(Region(lab, open_[1], i, open_[2]))
            open_ = None
    if open_ is not None:
        raise MarkerError("%s:%d: LAB %d BEGIN SOLUTION never ends"
                          % (path, open_[1] + 1, open_[0]))
    return found


def strip(path, text, strip_lab, depth="full"):
    """TEXT with the regions of labs for which STRIP_LAB(lab) is true removed
    (those a handout of DEPTH strips)."""
    lines = text.splitlines(keepends=True)
    out, pos = [], 0
    for lab, begin, end, level in regions(path, lines):
        # A challenge's reference solution goes to no student, whatever the
        # lab: the earlier labs' challenges stay open in a later handout.
        if not (strip_lab(lab) or level == "challenge") or not stripped_at(level, depth):
            continue
        out.extend(lines[pos:begin])
        prev = "".join(out[-8:])
        if not TODO.search(prev):
            indent = re.match(r"\s*", lines[begin]).group(0)
            comment = ";" if path.endswith((".asm", ".inc")) else "/*"
            close = "" if comment == ";" else " */"
            out.append("%s%s LAB %d: TODO implement this part%s\n" % (indent, comment, lab, close))
        pos = end + 1
    out.extend(lines[pos:])
    return "".join(out)


def tracked_files():
    """Files of the project that go to students: git's view (tracked +
    untracked, not ignored), without hidden tests and instructor-only tools."""
    return [f for f in _project_files() if handed_out(f)]


def _project_files():
    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
        return sorted(set(f for f in out.splitlines() if os.path.isfile(os.path.join(ROOT, f))))
    except (OSError, subprocess.CalledProcessError):
        files = []
        for d, dirs, names in os.walk(ROOT):
            dirs[:] = [x for x in dirs if x not in (".git", "build", "__pycache__")]
            files += [os.path.relpath(os.path.join(d, n), ROOT) for n in names]
        return sorted(files)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lab", type=int, help="lab to hand out (%s)" % labs.describe(ROOT))
    ap.add_argument("-o", "--out", help="output directory (default build/handout-labN)")
    ap.add_argument("--keep-solutions", type=int, metavar="K",
                    help="keep solutions of labs 1..K, strip the rest (default N-1)")
    ap.add_argument("--only", action="store_true", help="strip lab N's regions only")
    ap.add_argument("--depth", choices=DEPTHS, default="full",
                    help="full (default): strip every region; core: give the "
                         "'BEGIN SOLUTION full' regions to the student")
    ap.add_argument("--check", action="store_true", help="only validate the markers")
    a = ap.parse_args()
    if a.lab not in labs.numbers(ROOT):
        ap.error("there is no lab %d (labs: %s)" % (a.lab, labs.describe(ROOT)))
    keep = a.lab - 1 if a.keep_solutions is None else a.keep_solutions
    strip_lab = (lambda k: k == a.lab) if a.only else (lambda k: k > keep)
    out = a.out or os.path.join(ROOT, "build", "handout-lab%d" % a.lab)
    if os.path.abspath(out) == ROOT:
        ap.error("refusing to write the handout over the source tree")
    stripped = {}
    try:
        for f in tracked_files():
            if f.endswith(SOURCE_EXT):
                with open(os.path.join(ROOT, f), errors="strict") as fh:
                    text = fh.read()
                new = strip(f, text, strip_lab, a.depth)
                if new != text:
                    stripped[f] = new
    except MarkerError as e:
        print("handout: error: %s" % e, file=sys.stderr)
        return 1
    if a.check:
        print("handout: markers OK")
        return 0
    if os.path.exists(out):
        shutil.rmtree(out)
    for f in tracked_files():
        dest = os.path.join(out, f)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if f in stripped:
            with open(dest, "w") as fh:
                fh.write(stripped[f])
            shutil.copymode(os.path.join(ROOT, f), dest)
        else:
            shutil.copy2(os.path.join(ROOT, f), dest)
    print("handout: lab %d, depth %s -> %s (%d files stripped: %s)"
          % (a.lab, a.depth, os.path.relpath(out, os.getcwd()), len(stripped),
             " ".join(sorted(stripped))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
