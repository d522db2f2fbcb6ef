"""rubric.py: load and check a lab's grading rubric (labN-NAME/rubric.toml)."""
import dataclasses
import fnmatch
import os
import re
import tomllib
from dataclasses import dataclass, field
from typing import Optional

import labs

# A lab's rubric, its external checks and an instructor's hidden tests live in
# the lab's own directory of a tree: by default the grader's own tree, with
# --pristine the reference's (never a student's).
RUBRIC_FILE, CHECKS_FILE, HIDDEN_RUBRIC_FILE = "rubric.toml", "checks.py", "hidden_rubric.toml"
_NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")


class RubricError(Exception):
    """The rubric file is malformed (message names the file and the entry)."""


@dataclass
class Entry:
    """One graded item: an in-kernel test, or an external check (check set)."""
    name: str
    points: float
    section: str
    timeout: Optional[float] = None
    check: Optional[str] = None       # function in labN-NAME/checks.py
    cmdline: Optional[str] = None     # a check with its own boot: its command line
    needs: list = field(default_factory=list)   # tests whose output a check reads
    hidden: bool = False              # from hidden_rubric.toml (not in student handouts)
    visibility: str = "visible"       # Gradescope test visibility
    emulators: Optional[list] = None  # graded only on these ("qemu", "bochs"); None: all
    data_disk: Optional[bool] = None  # a check's own boot: attach the data disk or not
    data_errors: Optional[dict] = None  # a check's own boot: {"read": [sector], "write": [..]}
    regression: bool = True           # also graded on the full system (grade.py full)
                                        # failed by the emulator (QEMU blkdebug)
    challenge: bool = False           # in a challenge section: optional, never counted

    def runs_on(self, emulator):
        """True if this entry is graded in runs on EMULATOR."""
        return self.emulators is None or emulator in self.emulators

    @property
    def is_check(self):
        return self.check is not None


@dataclass
class Rubric:
    lab: str                 # "lab1"
    number: int
    title: str
    path: str
    sections: list           # [(section name, [Entry])]: the graded ones
    boot_timeout: float = 10.0
    test_timeout: float = 5.0
    bochs_scale: float = 3.0
    seeds: int = 0           # 0: no seed= key unless asked for
    data_disk: Optional[bool] = None
    cmdline: str = ""
    checks_path: str = ""    # labN-NAME/checks.py beside the rubric (may not exist)
    variant: str = ""        # build/labN<variant>/: "" or "-full" (load_full)
    # Challenge sections (challenge = true): [(name, [Entry], cmdline)]. Their
    # tests run only when asked for (grade.py --challenges) and are never in
    # entries, max_points or select(): nothing that counts sees them.
    challenges: list = field(default_factory=list)

    @property
    def entries(self):
        return [e for _, es in self.sections for e in es]

    @property
    def challenge_entries(self):
        return [e for _, es, _ in self.challenges for e in es]

    def challenge_cmdline(self, section):
        """The extra kernel command line of challenge SECTION's boots."""
        return next(c for n, _, c in self.challenges if n == section)

    @property
    def max_points(self):
        return sum(e.points for e in self.entries)

    def scale_timeouts(self, factor):
        """Multiply every timeout by FACTOR (slow machines, impatient tests)."""
        self.boot_timeout *= factor
        self.test_timeout *= factor
        for e in self.entries + self.challenge_entries:
            if e.timeout is not None:
                e.timeout *= factor

    def select(self, patterns):
        """Entries whose name matches any glob in PATTERNS (all if none)."""
        if not patterns:
            return self.entries
        return _matching(self.entries, patterns)

    def select_challenges(self, patterns):
        """Challenge entries whose name matches any glob in PATTERNS (all if none)."""
        return _matching(self.challenge_entries, patterns)


def _matching(entries, patterns):
    if not patterns:
        return list(entries)
    return [e for e in entries if any(fnmatch.fnmatchcase(e.name, p) for p in patterns)]


def lab_number(spec):
    """1 for '1', 'lab1', 'lab1-boot'; None if SPEC names no lab (grade/labs.py)."""
    return labs.parse(spec)


VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
HIDDEN_DEFAULT_VISIBILITY = "after_published"


def lab_file(number, name, root=None):
    """Path of NAME (rubric.toml, checks.py, ...) in lab NUMBER's directory of
    ROOT (default: the grader's own tree); RubricError if ROOT has no such lab."""
    root = root or labs.ROOT
    d = labs.dirs(root).get(number)
    if d is None:
        raise RubricError("%s: there is no lab %d (no lab%d-NAME/lab.mk)"
                          % (root, number, number))
    return os.path.join(root, d, name)


def available(root=None):
    """Lab numbers of ROOT (default: the grader's tree) that have a rubric."""
    return [n for n in labs.numbers(root or labs.ROOT)
            if os.path.exists(lab_file(n, RUBRIC_FILE, root))]


def _num(value, what, path, positive=True):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RubricError("%s: %s must be a number, not %r" % (path, what, value))
    if positive and value <= 0:
        raise RubricError("%s: %s must be positive" % (path, what))
    return float(value)


def _read(path, number):
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise RubricError("%s: no rubric for lab %d" % (path, number))
    except tomllib.TOMLDecodeError as e:
        raise RubricError("%s: %s" % (path, e))


def load(number, root=None):
    """Read and validate labNUMBER-NAME/rubric.toml of ROOT (default: the
    grader's own tree), plus the instructor's hidden tests in
    hidden_rubric.toml beside it when that file exists."""
    path = lab_file(number, RUBRIC_FILE, root)
    doc = _read(path, number)
    known = {"lab", "title", "seeds", "data_disk", "cmdline", "timeouts", "sections"}
    extra = set(doc) - known
    if extra:
        raise RubricError("%s: unknown keys %s" % (path, ", ".join(sorted(extra))))
    lab = doc.get("lab", "lab%d" % number)
    if lab != "lab%d" % number:
        raise RubricError("%s: lab = %r, expected 'lab%d'" % (path, lab, number))
    tmo = doc.get("timeouts", {})
    bad = set(tmo) - {"boot", "test", "bochs_scale"}
    if bad:
        raise RubricError("%s: unknown [timeouts] keys %s" % (path, ", ".join(sorted(bad))))
    r = Rubric(lab=lab, number=number, title=doc.get("title", lab), path=path, sections=[],
               boot_timeout=_num(tmo.get("boot", 10), "timeouts.boot", path),
               test_timeout=_num(tmo.get("test", 5), "timeouts.test", path),
               bochs_scale=_num(tmo.get("bochs_scale", 3), "timeouts.bochs_scale", path),
               seeds=int(_num(doc.get("seeds", 0), "seeds", path, positive=False)),
               data_disk=doc.get("data_disk"), cmdline=str(doc.get("cmdline", "")),
               checks_path=lab_file(number, CHECKS_FILE, root))
    if r.data_disk is not None and not isinstance(r.data_disk, bool):
        raise RubricError("%s: data_disk must be true or false" % path)
    seen = set()
    for i, sec in enumerate(doc.get("sections", [])):
        sname = sec.get("name")
        if not isinstance(sname, str) or not sname:
            raise RubricError("%s: section %d has no name" % (path, i + 1))
        if set(sec) - SECTION_KEYS:
            raise RubricError("%s: section %r: unknown keys %s" % (
                path, sname, ", ".join(sorted(set(sec) - SECTION_KEYS))))
        if sname in [n for n, _ in r.sections] + [n for n, _, _ in r.challenges]:
            raise RubricError("%s: section %r listed twice" % (path, sname))
        challenge, cmdline = _challenge_keys(sec, "%s: section %r" % (path, sname))
        entries = []
        for t in sec.get("tests", []):
            entries.append(_entry(t, sname, path, seen))
            entries[-1].challenge = challenge
        if challenge:
            if not entries:
                raise RubricError("%s: challenge section %r has no tests" % (path, sname))
            r.challenges.append((sname, entries, cmdline))
        else:
            r.sections.append((sname, entries))
    if not r.entries:
        raise RubricError("%s: no tests" % path)
    hidden = lab_file(number, HIDDEN_RUBRIC_FILE, root)
    if os.path.exists(hidden):
        _add_hidden(r, _read(hidden, number), hidden, seen)
    return r


SECTION_KEYS = {"name", "tests", "challenge", "cmdline"}
_CMDLINE_WORD_RE = re.compile(r"^[a-z][a-z0-9_]*=\S+$")
_GRADER_KEYS = ("test", "ktkey", "seed")     # the grader sets these on every boot


def _challenge_keys(sec, where):
    """(challenge, cmdline) of rubric section SEC: challenge = true marks an
    optional section; its cmdline (key=value words) is added to its boots."""
    challenge = sec.get("challenge", False)
    if not isinstance(challenge, bool):
        raise RubricError("%s: challenge must be true or false" % where)
    if "cmdline" not in sec:
        return challenge, ""
    if not challenge:
        raise RubricError("%s: cmdline belongs to a challenge section (challenge = true); "
                          "a graded section boots with the rubric's cmdline" % where)
    cmdline = sec["cmdline"]
    words = cmdline.split() if isinstance(cmdline, str) else None
    if not words or any(not _CMDLINE_WORD_RE.match(w) for w in words):
        raise RubricError("%s: cmdline must be key=value words, e.g. \"alloc=buddy\", not %r"
                          % (where, cmdline))
    taken = [w for w in words if w.split("=")[0] in _GRADER_KEYS]
    if taken:
        raise RubricError("%s: cmdline may not set %s: the grader sets test=, seed= and "
                          "ktkey= itself" % (where, " ".join(taken)))
    return challenge, " ".join(words)


def _add_hidden(r, doc, path, seen):
    """Append the hidden rubric's sections (same format; a section with an
    existing name gets the entries appended) to R."""
    extra = set(doc) - {"lab", "visibility", "sections"}
    if extra:
        raise RubricError("%s: unknown keys %s" % (path, ", ".join(sorted(extra))))
    if doc.get("lab", r.lab) != r.lab:
        raise RubricError("%s: lab = %r, expected %r" % (path, doc["lab"], r.lab))
    default = doc.get("visibility", HIDDEN_DEFAULT_VISIBILITY)
    if default not in VISIBILITIES:
        raise RubricError("%s: visibility must be one of %s" % (path, ", ".join(VISIBILITIES)))
    sections = dict(r.sections)
    for i, sec in enumerate(doc.get("sections", [])):
        sname = sec.get("name")
        if not isinstance(sname, str) or not sname:
            raise RubricError("%s: section %d has no name" % (path, i + 1))
        if set(sec) - {"name", "tests"}:
            raise RubricError("%s: section %r: unknown keys %s (a hidden rubric has no "
                              "challenge sections)" % (path, sname, ", ".join(
                                  sorted(set(sec) - {"name", "tests"}))))
        if sname in [n for n, _, _ in r.challenges]:
            raise RubricError("%s: section %r is a challenge section: hidden tests count, "
                              "so they go in a graded section" % (path, sname))
        if sname not in sections:
            sections[sname] = []
            r.sections.append((sname, sections[sname]))
        for t in sec.get("tests", []):
            e = _entry(dict(t, visibility=t.get("visibility", default)), sname, path, seen)
            e.hidden = True
            sections[sname].append(e)


def _entry(t, section, path, seen):
    keys = {"name", "points", "timeout", "check", "cmdline", "needs", "visibility",
            "emulators", "data_disk", "data_errors", "regression"}
    name = t.get("name")
    where = "%s: section %r, test %r" % (path, section, name)
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise RubricError("%s: bad test name" % where)
    if name in seen:
        raise RubricError("%s: listed twice" % where)
    seen.add(name)
    if set(t) - keys:
        raise RubricError("%s: unknown keys %s" % (where, ", ".join(sorted(set(t) - keys))))
    e = Entry(name=name, points=_num(t.get("points"), "points of " + name, path,
                                     positive=False), section=section)
    e.visibility = t.get("visibility", "visible")
    if e.visibility not in VISIBILITIES:
        raise RubricError("%s: visibility must be one of %s" % (where, ", ".join(VISIBILITIES)))
    if "timeout" in t:
        e.timeout = _num(t["timeout"], "timeout of " + name, path)
    if "regression" in t:
        if not isinstance(t["regression"], bool):
            raise RubricError("%s: regression must be true or false" % where)
        e.regression = t["regression"]
    if "check" in t:
        e.check = str(t["check"]) or name
    if "cmdline" in t or "needs" in t:
        if e.check is None:
            raise RubricError("%s: cmdline/needs only make sense for a check" % where)
        e.cmdline = t.get("cmdline")
        e.needs = list(t.get("needs", []))
    _boot_keys(e, t, where)
    return e


def _boot_keys(e, t, where):
    """The keys that change how an entry boots: emulators (any entry),
    data_disk and data_errors (a check with its own boot only)."""
    if "emulators" in t:
        em = t["emulators"]
        if (not isinstance(em, list) or not em or
                any(x not in ("qemu", "bochs") for x in em)):
            raise RubricError("%s: emulators must be a non-empty list of \"qemu\" and "
                              "\"bochs\"" % where)
        e.emulators = list(em)
    if ("data_disk" in t or "data_errors" in t) and not (e.is_check and e.cmdline):
        raise RubricError("%s: data_disk/data_errors need a check with its own boot "
                          "(check and cmdline)" % where)
    if "data_disk" in t:
        if not isinstance(t["data_disk"], bool):
            raise RubricError("%s: data_disk must be true or false" % where)
        e.data_disk = t["data_disk"]
    if "data_errors" in t:
        de = t["data_errors"]
        if (not isinstance(de, dict) or not de or set(de) - {"read", "write"} or
                any(not isinstance(v, list) or
                    any(isinstance(x, bool) or not isinstance(x, int) or x < 0 for x in v)
                    for v in de.values())):
            raise RubricError("%s: data_errors must be {read = [sector, ...], write = "
                              "[sector, ...]}" % where)
        if e.emulators != ["qemu"]:
            raise RubricError("%s: data_errors needs emulators = [\"qemu\"] (QEMU's "
                              "blkdebug injects them; Bochs cannot)" % where)
        if e.data_disk is False:
            raise RubricError("%s: data_errors needs the data disk" % where)
        e.data_errors = {k: list(v) for k, v in de.items()}


FULL = "full"


def load_full(root=None):
    """The full system (grade.py full, make grade-full): the last lab's kernel
    with every lab's tests linked in (make build-full: build/labN-full/),
    graded on every lab's in-kernel tests. Left out: external checks (their
    own boots and judges belong to their lab's kernel), challenges, and
    entries marked `regression = false` (each says why in its rubric)."""
    numbers = [n for n in labs.numbers(root or labs.ROOT)
               if os.path.exists(lab_file(n, RUBRIC_FILE, root))]
    if not numbers:
        raise RubricError("no lab has a rubric")
    last = load(numbers[-1], root)
    full = Rubric(lab=FULL, number=last.number, path=last.path, sections=[],
                  title="The full system: every lab's tests on lab %d's kernel" % last.number,
                  boot_timeout=last.boot_timeout, test_timeout=last.test_timeout,
                  bochs_scale=last.bochs_scale, seeds=last.seeds, data_disk=last.data_disk,
                  cmdline=last.cmdline, checks_path=last.checks_path, variant="-full")
    for n in numbers:
        r = last if n == last.number else load(n, root)
        for sname, entries in r.sections:
            name = "%s: %s" % (r.lab, sname)
            keep = [dataclasses.replace(e, section=name) for e in entries
                    if e.regression and not e.is_check]
            if keep:
                full.sections.append((name, keep))
        full.boot_timeout = max(full.boot_timeout, r.boot_timeout)
        full.test_timeout = max(full.test_timeout, r.test_timeout)
    return full
