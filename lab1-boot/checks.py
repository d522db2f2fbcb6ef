"""lab1.py: external checks of lab 1, judged from the serial output: bad numbers on the kernel command line are reported at boot."""
import re

import disk

NUMBER_KEY = re.compile(r"(?:^|\s)(seed=\S+)")


def bad_numbers_reported(ctx):
    """Booted with malformed seed= values (octal-looking, negative): the
    kernel names each one at boot ('cmdline: seed=010: ...'), keeps the
    default and still runs its tests."""
    words = NUMBER_KEY.findall(disk.read_cmdline(ctx.boot_disk)) if ctx.boot_disk else []
    if not words:
        return False, "the check's command line has no seed= key"
    text = [l.strip() for l in ctx.lines]
    missing = [w for w in words if not any(l.startswith("cmdline: %s: " % w) for l in text)]
    if missing:
        return False, "no 'cmdline: %s: ...' report at boot" % missing[0]
    done = [n for n, r in ctx.results.items() if r.passed]
    if not done:
        return False, "after the reports no test passed: the kernel did not carry on"
    return True, "%d bad values reported, the tests ran" % len(words)
