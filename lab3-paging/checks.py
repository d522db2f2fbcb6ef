"""lab3.py: external checks of lab 3, judged from the serial output."""
import re

import disk

TEST = "paging_fault_report_random"
PROBE_LINE = re.compile(r"paging: probe address (0x[0-9a-fA-F]{8})")
PROBE_KEY = re.compile(r"(?:^|\s)probe=(0x[0-9a-fA-F]+|\d+)(?:\s|$)")
REPORT = re.compile(r"paging: bad page fault at (0x[0-9a-fA-F]{8}): (read|write), "
                    r"page not present, kernel mode, eip 0x[0-9a-fA-F]{8} "
                    r"\(([A-Za-z_][A-Za-z0-9_]*)\+0x[0-9a-fA-F]+\)(.*)$")


def _chosen_probe(ctx):
    """The address the grader put on the command line (probe=), or None."""
    if not ctx.boot_disk:
        return None
    m = PROBE_KEY.search(disk.read_cmdline(ctx.boot_disk))
    return "0x%08x" % int(m.group(1), 0) if m else None


def fault_report_line(ctx):
    """The fault at the probe address (the grader's probe= if it chose one,
    else the one the kernel drew at random this run, so no canned line can
    match) is reported on one line with that address, the access type, EIP
    with its symbol, and the test that was running."""
    out = ctx.output_of(TEST)
    if not out:
        return False, "%s printed nothing (did it run?)" % TEST
    probes = [m.group(1).lower() for m in map(PROBE_LINE.search, out) if m]
    if len(probes) != 1:
        return False, "expected one 'paging: probe address 0x...' line, got %d" % len(probes)
    probe = probes[0]
    chosen = _chosen_probe(ctx)
    if chosen is not None and chosen != probe:
        return False, "the grader chose probe=%s but the kernel probed %s" % (chosen, probe)
    reports = [m for m in map(REPORT.search, out) if m]
    if not reports:
        return False, ("no 'paging: bad page fault at 0x...: read, page not present, "
                       "kernel mode, eip 0x... (symbol+0x...)' line for probe %s" % probe)
    r = reports[-1]
    if r.group(1).lower() != probe:
        return False, "report names %s, probe was %s" % (r.group(1), probe)
    if r.group(2) != "read":
        return False, "the probe was a read, the report says %s" % r.group(2)
    if TEST not in r.group(3):
        return False, "EIP symbol %s is not the test function" % r.group(3)
    if ("test " + TEST) not in r.group(4):
        return False, "report does not name the running test: %r" % r.group(4)
    if ctx.results.get(TEST) is not None and ctx.results[TEST].verdict != "OK":
        return False, "%s itself did not pass" % TEST
    return True, "report for %s: %s" % (probe, r.group(0)[:120])
