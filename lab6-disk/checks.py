"""lab6.py: external checks of lab 6: the data disk's contents after the run, injected drive errors, a boot without a data disk."""
import os
import re
import struct

import disk

SECTOR = 512
# lab6-disk/disk_layout.h (the read-only region 0-1023 and everything no test
# writes must keep its initial contents)
DATA_BLOCKS = 4032
CONC = range(1024, 1024 + 128)
MODES_FIRST, MODES_PER_MODE = 1200, 16
MANY = range(1300, 1300 + 128)
SCRATCH_FIRST = 2000
STREAM_CONC, STREAM_MODES, STREAM_MANY, STREAM_SCRATCH, STREAM_FAULT = 1, 2, 8, 9, 10
MODE_NAMES = ["simple", "blocking", "nonblocking"]

# The handout's steps (README.md, "What to implement"): every failure below
# starts with the one it points at, like the in-kernel tests' messages.
STEP_ATA = "step 1 (ATA select, delay, poll)"
STEP_POLLED = "step 3 (polled transfer)"
STEP_IRQ = "step 6 (NonBlockingDisk)"
MODE_STEP = {"simple": STEP_POLLED, "blocking": STEP_POLLED, "nonblocking": STEP_IRQ}
# The step of the test that writes a block (the first wrong block names it);
# a stray write (a block that should hold its initial contents) points at the
# LBA the driver programs.
WRITER_STEP = {"disk_simple_write_read": STEP_POLLED, "disk_blocking_write_read": STEP_POLLED,
               "disk_master_slave_serialised": STEP_POLLED, "its initial contents": STEP_POLLED}
STEP_IN_REASON = re.compile(r"\bsteps? \d[^:]*?\)|\bchallenge \([^)]*\)")


def _test_failure(ctx, name):
    """None if test NAME passed; else (its step, what happened): the step its
    own failure message names (the mode's, nonblocking, if none)."""
    r = ctx.results.get(name)
    if r is not None and r.verdict == "OK":
        return None
    why = "did not run" if r is None else "%s: %s" % (r.verdict, (r.reason or [""])[0])
    m = STEP_IN_REASON.search(why)
    return (m.group(0) if m else STEP_IRQ), "%s %s" % (name, why)


def _writer_step(what):
    """The step of the writer WHAT ("disk_simple_write_read's pattern")."""
    for name, step in WRITER_STEP.items():
        if what.startswith(name):
            return step
    return STEP_IRQ


def initial_block(block):
    """Block BLOCK of the data disk as the build makes it (lab6-disk/mkdata.py,
    disk_pattern_initial in C), computed here so that the check does not
    trust the graded tree."""
    head = ("STEPOS6 DATA BLOCK %08u\n" % block).encode("ascii")
    b = bytearray(b"." * 32)
    b[:len(head)] = head
    b += bytes((block * 7 + i * 13 + (block >> 8)) & 0xFF for i in range(32, SECTOR))
    return bytes(b)


def written_block(seed, stream, block):
    """The block lab6-disk/disk_pattern.c's disk_pattern_fill(seed, stream, block) makes."""
    m = 0xFFFFFFFF
    x = ((seed * 0x9E3779B1) ^ (stream * 0x85EBCA77) ^ (block * 0xC2B2AE3D) ^ 0x5EED5EED) & m
    x = x or 1
    out = bytearray(b"STEPOS6W" + struct.pack("<III", seed & m, stream, block))
    while len(out) < SECTOR:
        x ^= (x << 13) & m
        x ^= x >> 17
        x ^= (x << 5) & m
        out += struct.pack("<I", x)
    return bytes(out)


def run_seed(ctx):
    """The seed= the kernel was booted with (0 without one)."""
    if ctx.boot_disk:
        m = re.search(r"(?:^|\s)seed=(\d+)(?:\s|$)", disk.read_cmdline(ctx.boot_disk))
        if m:
            return int(m.group(1))
    return ctx.seed or 0


def _blocks(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) != DATA_BLOCKS * SECTOR:
        raise ValueError("data.img is %d bytes, expected %d" % (len(data), DATA_BLOCKS * SECTOR))
    return lambda b: data[b * SECTOR:(b + 1) * SECTOR]


def _expected(seed):
    """Block -> (what, contents) after the writing tests of the data_disk_contents boot."""
    want = {}
    for b in range(DATA_BLOCKS):
        want[b] = ("its initial contents", initial_block(b))
    for b in CONC:
        want[b] = ("disk_concurrent_write_verify's pattern", written_block(seed, STREAM_CONC, b))
    for m in range(3):
        for k in range(MODES_PER_MODE):
            b = MODES_FIRST + m * MODES_PER_MODE + k
            want[b] = ("disk_%s_write_read's pattern" % MODE_NAMES[m],
                       written_block(seed, STREAM_MODES + m, b))
    for b in MANY:
        want[b] = ("disk_many_threads_exactly_once's pattern",
                   written_block(seed, STREAM_MANY, b))
    for m in range(3):
        for k in range(24):
            b = SCRATCH_FIRST + 100 * m + k
            want[b] = ("disk_master_slave_serialised's pattern",
                       written_block(seed, STREAM_SCRATCH, b))
    want[DATA_BLOCKS - 1] = ("disk_last_block's pattern",
                             written_block(seed, STREAM_SCRATCH, DATA_BLOCKS - 1))
    return want


def _describe(got, seed):
    """What a wrong block holds, as far as we can tell."""
    if got[:8] == b"STEPOS6W":
        s, stream, block = struct.unpack_from("<III", got, 8)
        return "a written pattern of seed %d, stream %d, block %d" % (s, stream, block)
    if got.startswith(b"STEPOS6 DATA BLOCK "):
        return "the initial contents of %s" % got[19:27].decode("ascii", "replace")
    if got == bytes(SECTOR):
        return "zeros"
    return "%s..." % got[:16].hex()


def data_disk_contents(ctx):
    """After the writing tests (their own boot), every block of the data disk
    holds exactly what they wrote for this run's seed, and every other block
    its initial contents: nothing written to the wrong block, nothing lost."""
    if not ctx.data_disk or not os.path.exists(ctx.data_disk):
        return False, "no data disk image after the run"
    failed = [t for t, r in ctx.results.items() if r.verdict != "OK"]
    seed = run_seed(ctx)
    block = _blocks(ctx.data_disk)
    bad, step = [], None
    if failed:  # a write missing because its test failed: that test's step
        step = _test_failure(ctx, failed[0])[0]
    for b, (what, contents) in sorted(_expected(seed).items()):
        got = block(b)
        if got != contents:
            step = step or _writer_step(what)
            bad.append("block %d should hold %s, holds %s" % (b, what, _describe(got, seed)))
    if bad:
        more = "" if len(bad) <= 5 else " (and %d more)" % (len(bad) - 5)
        note = " (tests that did not pass: %s)" % ", ".join(failed) if failed else ""
        return False, "%s: %s%s%s" % (step, "; ".join(bad[:5]), more, note)
    if failed:
        step, _ = _test_failure(ctx, failed[0])
        return False, "%s: the image is right but these tests did not pass: %s" % (
            step, ", ".join(failed))
    return True, "all %d blocks as expected for seed %d" % (DATA_BLOCKS, seed)


MODE_LINE = re.compile(r"disk: (simple|blocking|nonblocking): read (\d+) -> (-?\d+) .*"
                       r"write (\d+) -> (-?\d+) .*read (\d+) -> (-?\d+), write (\d+) -> (-?\d+)")


def injected_errors(ctx):
    """QEMU failed every read of one block and every write of another
    (blkdebug): in each mode the driver returned a drive error (-3) for those
    requests only, served the rest, and the image shows the failed write never
    landed while the other write did."""
    errs = ctx.data_errors or {}
    if len(errs.get("read", [])) != 1 or len(errs.get("write", [])) != 1:
        return False, "rubric: data_errors must name one read and one write sector"
    bad_r, bad_w = errs["read"][0], errs["write"][0]
    cmd = disk.read_cmdline(ctx.boot_disk) if ctx.boot_disk else ""
    for key, value in (("disk_bad_read", bad_r), ("disk_bad_write", bad_w)):
        if not re.search(r"(?:^|\s)%s=%d(?:\s|$)" % (key, value), cmd):
            return False, "rubric: cmdline must say %s=%d (as data_errors does)" % (key, value)
    failure = _test_failure(ctx, "disk_injected_errors")
    if failure is not None:
        return False, "%s: %s" % failure
    seen = {}
    for line in ctx.output_of("disk_injected_errors"):
        m = MODE_LINE.search(line)
        if m:
            seen[m.group(1)] = [int(x) for x in m.groups()[1:]]
    for mode in MODE_NAMES:
        if mode not in seen:
            return False, "%s: no result line for mode %s" % (MODE_STEP[mode], mode)
        want = [bad_r, -3, bad_w, -3, bad_w, 0, bad_r, 0]
        if seen[mode] != want:
            return False, "%s: mode %s: got %s, expected %s (a drive error is -3, "\
                "DISK_ERR_DRIVE, for the failing request only)" % (MODE_STEP[mode], mode,
                                                                   seen[mode], want)
    if not ctx.data_disk:
        return False, "no data disk image to check"
    block = _blocks(ctx.data_disk)
    seed = run_seed(ctx)
    if block(bad_w) != initial_block(bad_w):
        return False, "%s: block %d changed although every write to it failed" % (
            STEP_POLLED, bad_w)
    if block(bad_r) != written_block(seed, STREAM_FAULT, bad_r):
        return False, "%s: block %d does not hold what was written to it" % (STEP_POLLED, bad_r)
    return True, "read %d and write %d failed in every mode, the rest worked" % (bad_r, bad_w)


def no_data_disk(ctx):
    """Booted without the data disk: a clear message at boot, the kernel and
    the boot disk keep working (disk_no_data_disk passes)."""
    text = "\n".join(ctx.lines)
    if "NO DATA DISK" not in text:
        return False, "%s: no 'disk: NO DATA DISK ...' message at boot (IDENTIFY of the " \
            "missing slave must fail)" % STEP_ATA
    failure = _test_failure(ctx, "disk_no_data_disk")
    if failure is not None:
        return False, "%s: %s" % failure
    return True, "reported, and the rest works"
