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


def _fault_report_line(ctx):
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


TABLE_PROBE = re.compile(r"paging: table probe (0x[0-9a-fA-F]{8})")
RELEASE_PROBE = re.compile(r"paging: release probe (0x[0-9a-fA-F]{8}) frame "
                           r"(0x[0-9a-fA-F]+), good (0x[0-9a-fA-F]{8})")


def _names(line, addr):
    """True if LINE names the address ADDR (hex, with or without leading zeros)."""
    return re.search(r"0x0*%x\b" % addr, line, re.IGNORECASE) is not None


def _kernel_lines(out, start, stop=None):
    """The 'paging: ' lines of OUT after index START (up to the line matching
    STOP), without the probe lines and fault reports of the test itself."""
    lines = []
    for line in out[start + 1:]:
        if stop is not None and stop in line:
            break
        text = line.strip()
        if (text.startswith("paging: ") and "probe" not in text
                and not text.startswith("paging: bad page fault")):
            lines.append(text)
    return lines


def _table_shortage_logged(ctx):
    """paging_ensure_table logs one 'paging: ' line naming the address whose
    page table it could not create (the process pool was empty)."""
    test = "paging_out_of_frames_reported"
    out = ctx.output_of(test)
    probe = [i for i, line in enumerate(out) if TABLE_PROBE.search(line)]
    if not probe:
        return False, "%s printed no 'paging: table probe' line (did it run?)" % test
    addr = int(TABLE_PROBE.search(out[probe[0]]).group(1), 16)
    said = [line for line in _kernel_lines(out, probe[0]) if _names(line, addr)]
    if not said:
        return False, ("no 'paging: ' line names 0x%08x after the process pool ran "
                       "out: paging_ensure_table must log that it has no frame "
                       "for the page table" % addr)
    return True, said[0][:120]


def _free_failure_logged(ctx):
    """page_table_free_page logs one 'paging: ' line naming the page whose frame
    the pool refused to take back, and nothing for a page freed normally."""
    test = "paging_free_page_release_refused"
    out = ctx.output_of(test)
    probe = [i for i, line in enumerate(out) if RELEASE_PROBE.search(line)]
    if not probe:
        return False, "%s printed no 'paging: release probe' line (did it run?)" % test
    m = RELEASE_PROBE.search(out[probe[0]])
    bad, good = int(m.group(1), 16), int(m.group(3), 16)
    lines = _kernel_lines(out, probe[0], "paging: release probe done")
    if any(_names(line, good) for line in lines):
        return False, ("freeing 0x%08x succeeded, yet the kernel reported: %s"
                       % (good, [line for line in lines if _names(line, good)][0][:100]))
    said = [line for line in lines if _names(line, bad)]
    if not said:
        return False, ("freeing 0x%08x: the pool refused its frame %s (not a Head), "
                       "but no 'paging: ' line names the page" % (bad, m.group(2)))
    return True, said[0][:120]


# Every failure names the handout step it points at (README, "What to
# implement"), as the in-kernel tests' messages do.
def _step(n, what, check):
    def judged(ctx):
        ok, message = check(ctx)
        return (ok, message) if ok else (False, "step %d (%s): %s" % (n, what, message))
    judged.__doc__ = check.__doc__
    return judged


fault_report_line = _step(4, "fault classification", _fault_report_line)
table_shortage_logged = _step(3, "tables on demand, fresh pages, legitimate addresses",
                              _table_shortage_logged)
free_failure_logged = _step(6, "freeing pages", _free_failure_logged)
