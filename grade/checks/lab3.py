"""lab3.py: external checks of lab 3, judged from the serial output."""
import re

PROBE = re.compile(r"paging: probe address (0x[0-9a-fA-F]{8})")
REPORT = re.compile(r"paging: bad page fault at (0x[0-9a-fA-F]{8}): (read|write), "
                    r"page not present, kernel mode, eip 0x[0-9a-fA-F]{8} "
                    r"\(([A-Za-z_][A-Za-z0-9_]*)\+0x[0-9a-fA-F]+\)(.*)$")


def fault_report_line(ctx):
    """The fault at the address the kernel picked at random this run (so no
    canned line can match) is reported on one line with that address, the
    access type, EIP with its symbol, and the test that was running."""
    test = "paging_fault_report_random"
    out = ctx.output_of(test)
    if not out:
        return False, "%s printed nothing (did it run?)" % test
    probes = [m.group(1).lower() for m in map(PROBE.search, out) if m]
    if len(probes) != 1:
        return False, "expected one 'paging: probe address 0x...' line, got %d" % len(probes)
    probe = probes[0]
    reports = [m for m in map(REPORT.search, out) if m]
    if not reports:
        return False, ("no 'paging: bad page fault at 0x...: read, page not present, "
                       "kernel mode, eip 0x... (symbol+0x...)' line for probe %s" % probe)
    r = reports[-1]
    if r.group(1).lower() != probe:
        return False, "report names %s, probe was %s" % (r.group(1), probe)
    if r.group(2) != "read":
        return False, "the probe was a read, the report says %s" % r.group(2)
    if test not in r.group(3):
        return False, "EIP symbol %s is not the test function" % r.group(3)
    if ("test " + test) not in r.group(4):
        return False, "report does not name the running test: %r" % r.group(4)
    return True, "report for %s: %s" % (probe, r.group(0)[:120])
