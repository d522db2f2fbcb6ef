"""integrity_scan.py: flag student-editable files that newly mention the test protocol, ktest, its key or the symbol table."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import integrity  # noqa: E402
import pristine   # noqa: E402

# What an honest lab solution has no reason to name. Each: (regex, what it is).
PATTERNS = [
    (r"KTEST|KMETRIC", "the test protocol or the test registry"),
    (r"\bktest_\w*|__ktest_\w*|__kbench_\w*|\.ktest\b|\.kbench\b|(?i:ktable\w*\W+k(?:test|bench)\b)",
     "the test runner's internals"),
    (r"ktkey|siphash", "the per-boot result key"),
    (r"\bksyms_\w+|ksyms\.h", "the kernel symbol table"),
    (r"\b(?:BOOT_)?CMDLINE_LBA\b|\bBI_CMDLINE\b|->\s*cmdline\b|\bcmdline_text\b",
     "the command line or its disk sector"),
]
_RE = [(re.compile(p), what) for p, what in PATTERNS]
# Code that runs before the test runner takes the key (the loader, the kernel
# entry) is a protected file (pristine.PRISTINE_PATTERNS): restored, and a
# change flagged by pristine.protect, so the scan does not look at it.
TEXT_EXT = (".c", ".h", ".asm", ".inc", ".S", ".s", ".ld", ".py", ".mk", ".sh")
MAX_BYTES = 1 << 20          # larger files are not scanned (and said so)
MAX_PER_FILE = 5
MAX_FINDINGS = 40


def _lines(path):
    try:
        if os.path.getsize(path) > MAX_BYTES:
            return None
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return []


def scan(tree, ref, ref_files=None):
    """INTEGRITY findings for TREE (a submission after pristine.overlay) against
    the reference REF: each line of a student-editable file that mentions one of
    PATTERNS and is not in REF's version of the file. Reads files only;
    changes no score. Returns a list of strings (integrity.flag). A reference
    without student files (the Gradescope bundle: protected files only) gives
    nothing to compare with: then the scan finds nothing."""
    ref_files = set(pristine.reference_files(ref) if ref_files is None else ref_files)
    if not any(n not in ref_files and n.endswith(pristine.SOURCE_EXT)
               for n in pristine.walk_files(ref)):
        return []
    out = []
    for name in pristine.walk_files(tree):
        if name in ref_files or not name.endswith(TEXT_EXT):
            continue
        mine = _lines(os.path.join(tree, name))
        theirs = _lines(os.path.join(ref, name)) if os.path.isfile(
            os.path.join(ref, name)) else []
        if mine is None:
            out.append(integrity.flag("%s: larger than %d bytes, not scanned"
                                      % (name, MAX_BYTES)))
            continue
        known = {l.strip() for l in (theirs or [])}
        hits = 0
        for i, line in enumerate(mine, 1):
            if line.strip() in known:
                continue
            for rx, what in _RE:
                m = rx.search(line)
                if m:
                    hits += 1
                    if hits <= MAX_PER_FILE:
                        out.append(integrity.flag("%s:%d mentions %s (%s): %s" % (
                            name, i, m.group(0), what, line.strip()[:120])))
                    break
        if hits > MAX_PER_FILE:
            out.append(integrity.flag("%s: %d more such lines" % (name, hits - MAX_PER_FILE)))
    if len(out) > MAX_FINDINGS:
        out = out[:MAX_FINDINGS] + [integrity.flag("%d more findings not shown"
                                                   % (len(out) - MAX_FINDINGS))]
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: integrity_scan.py TREE REFERENCE", file=sys.stderr)
        sys.exit(2)
    for f in scan(sys.argv[1], sys.argv[2]):
        print(f)
