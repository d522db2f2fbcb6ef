"""checks: external checks, judged by the grader from a run's serial output and disk images.

A rubric entry with `check = "fn"` calls fn(ctx) in the checks.py beside the
rubric (labN-NAME/checks.py of the grader's tree, or of the reference with
--pristine). It returns True/False, or (ok, message). Raising an exception
fails the check with the exception as its message.
"""
import importlib.util
import os
import threading
from dataclasses import dataclass, field
from typing import Optional


@dataclass
class CheckContext:
    """What a check can look at."""
    lab: str
    emulator: str                  # "qemu" or "bochs"
    seed: Optional[int]
    lines: list                    # serial lines (all boots of the run, or the check's own boot)
    results: dict = field(default_factory=dict)   # test name -> protocol.Result
    test_lines: dict = field(default_factory=dict)  # test name -> lines printed while it ran
    boot_disk: Optional[str] = None   # copy of the boot disk after the (last) boot
    data_disk: Optional[str] = None   # copy of the data disk after the (last) boot
    data_errors: Optional[dict] = None  # errors the emulator injected on it (rubric)

    def output_of(self, test):
        """Lines a test printed between its KTEST RUN and PASS/FAIL lines."""
        return list(self.test_lines.get(test, []))

    def matching(self, prefix):
        """Serial lines starting with PREFIX (leading whitespace ignored)."""
        return [l.strip() for l in self.lines if l.strip().startswith(prefix)]


_modules = {}                      # path -> loaded module
_lock = threading.Lock()


def _module(path):
    with _lock:
        if path not in _modules:
            spec = importlib.util.spec_from_file_location(
                "stepos_checks_%d" % len(_modules), path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            _modules[path] = mod
        return _modules[path]


def find(path, name):
    """The check function NAME of the checks file PATH, or raise LookupError."""
    if not os.path.isfile(path):
        raise LookupError("no %s (a rubric entry names check %s)" % (path, name))
    fn = getattr(_module(path), name, None)
    if not callable(fn):
        raise LookupError("%s has no function %s" % (path, name))
    return fn


def run(fn, ctx):
    """Call check FN; returns (ok, message)."""
    try:
        r = fn(ctx)
    except Exception as e:          # a broken check is a failed check, reported
        return False, "check raised %s: %s" % (type(e).__name__, e)
    if isinstance(r, tuple):
        ok, msg = r[0], (r[1] if len(r) > 1 else "")
    else:
        ok, msg = r, ""
    return bool(ok), str(msg or "")
