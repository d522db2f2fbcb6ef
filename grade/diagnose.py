"""diagnose.py: name a triple fault: the last exceptions from QEMU's -d int log or Bochs's log, with kernel symbols."""
import bisect
import os
import re
import shutil
import subprocess

# QEMU's interrupt log (-d int) keeps growing with every timer tick; the grader
# trims it to nothing past this size while the kernel runs (only the tail
# matters), and reads at most TAIL_BYTES of it afterwards.
QEMU_LOG_TRIM = 4 << 20
TAIL_BYTES = 256 << 10
KEEP_EXCEPTIONS = 3          # how many exceptions a report names
EXCEPTION_VECTORS = 32       # vectors below this are CPU exceptions
PAGE_FAULT = 14
VECTOR_NAMES = {0: "#DE", 1: "#DB", 2: "NMI", 3: "#BP", 4: "#OF", 5: "#BR", 6: "#UD",
                7: "#NM", 8: "#DF", 10: "#TS", 11: "#NP", 12: "#SS", 13: "#GP",
                14: "#PF", 16: "#MF", 17: "#AC", 18: "#MC", 19: "#XM"}

# "     3: v=0d e=001a i=0 cpl=0 IP=0008:0010654d pc=0010654d SP=..."
QEMU_INT_RE = re.compile(r"^\s*\d+: v=([0-9a-f]+) e=([0-9a-f]+) i=(\d) cpl=\d+ "
                         r"IP=[0-9a-f]+:([0-9a-f]+)")
QEMU_CR2_RE = re.compile(r"\bCR2=([0-9a-f]+)")
QEMU_CHECK_RE = re.compile(r"^check_exception old: 0x([0-9a-f]+) new 0x([0-9a-f]+)")
BOCHS_THIRD_RE = re.compile(r">>PANIC<< exception\(\): 3rd \((\d+)\) exception")
BOCHS_EIP_RE = re.compile(r"\| EIP=([0-9a-f]{8})")
BOCHS_CR2_RE = re.compile(r"\bCR2=0x([0-9a-f]+)")
BOCHS_ERROR_RE = re.compile(r"^\d+e\[CPU\d+\s*\] (.*)$")


def vector_text(vector):
    return "%d %s" % (vector, VECTOR_NAMES.get(vector, "")) if vector in VECTOR_NAMES \
        else "%d" % vector


def read_tail(path, size=TAIL_BYTES):
    """The last SIZE bytes of PATH as text ("" if unreadable); the hole a trim
    leaves (NUL bytes) is dropped."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - size))
            data = f.read()
    except OSError:
        return ""
    return data.replace(b"\0", b"").decode("ascii", "replace")


def trim_log(path, limit=QEMU_LOG_TRIM):
    """Empty PATH if it grew past LIMIT bytes (QEMU keeps writing at its own
    offset, so the file becomes sparse: no disk space, the tail stays)."""
    try:
        if os.stat(path).st_blocks * 512 > limit:
            os.truncate(path, 0)
    except OSError:
        pass


def qemu_exceptions(text):
    """The CPU exceptions (not IRQs) in a QEMU -d int log, oldest first, each
    {"vector", "error", "eip", "cr2"}; the exception QEMU gave up on (the
    triple fault's third, logged only by check_exception) comes last."""
    found, current = [], None
    last_check, hardware = None, False
    for line in text.splitlines():
        if line.startswith("Servicing hardware INT"):
            hardware = True    # the next entry is an IRQ, whatever its vector
            continue
        m = QEMU_INT_RE.match(line)
        if m:
            vector = int(m.group(1), 16)
            current = None
            if vector < EXCEPTION_VECTORS and m.group(3) == "0" and not hardware:
                current = {"vector": vector, "error": int(m.group(2), 16),
                           "eip": int(m.group(4), 16), "cr2": None}
                found.append(current)
            last_check, hardware = None, False
            continue
        m = QEMU_CR2_RE.search(line)
        if m and current is not None and current["cr2"] is None:
            current["cr2"] = int(m.group(1), 16)
            continue
        m = QEMU_CHECK_RE.match(line)
        if m:
            last_check = (int(m.group(1), 16), int(m.group(2), 16))
    if "Triple fault" in text and last_check and last_check[0] == 8 and found:
        prev = found[-1]
        found.append({"vector": last_check[1], "error": None, "eip": prev["eip"],
                      "cr2": prev["cr2"]})
    return found[-KEEP_EXCEPTIONS:]


def bochs_exceptions(text):
    """What a Bochs log says about its triple fault: [{"vector", "error",
    "eip", "cr2", "why"}] (the third exception; Bochs logs no earlier ones) or
    [] when the log holds no triple fault."""
    m = BOCHS_THIRD_RE.search(text)
    if not m:
        return []
    before = text[:m.start()]
    eips = BOCHS_EIP_RE.findall(before)
    cr2s = BOCHS_CR2_RE.findall(before)
    whys = []
    for line in before.splitlines()[-40:]:
        e = BOCHS_ERROR_RE.match(line)
        if e and e.group(1).strip() not in whys:
            whys.append(e.group(1).strip())
    return [{"vector": int(m.group(1)), "error": None,
             "eip": int(eips[-1], 16) if eips else None,
             "cr2": int(cr2s[-1], 16) if cr2s else None, "why": "; ".join(whys[-2:])}]


class Symbols:
    """Kernel addresses to "function+0xoff (file:line)" from BUILD_DIR's
    kernel.sym ("addr name" lines) and, if addr2line exists, kernel.elf."""

    def __init__(self, build_dir):
        self.addrs, self.names = [], []
        self.elf = os.path.join(build_dir, "kernel.elf") if build_dir else ""
        try:
            with open(os.path.join(build_dir, "kernel.sym")) as f:
                pairs = sorted((int(a, 16), n) for a, n in
                               (line.split()[:2] for line in f if len(line.split()) >= 2))
            self.addrs = [a for a, _ in pairs]
            self.names = [n for _, n in pairs]
        except (OSError, TypeError, ValueError):
            pass

    def name(self, addr):
        i = bisect.bisect_right(self.addrs, addr) - 1
        if i < 0:
            return "??"
        where = "%s+0x%x" % (self.names[i], addr - self.addrs[i])
        line = self.file_line(addr)
        return where + (" " + line if line else "")

    def file_line(self, addr):
        tool = shutil.which("addr2line")
        if not tool or not os.path.exists(self.elf):
            return ""
        try:
            out = subprocess.run([tool, "-e", self.elf, "0x%x" % addr], capture_output=True,
                                 text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
        if not out or out.startswith("??"):
            return ""
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(self.elf))))
        return "(%s)" % out.replace(root + "/", "")


def describe(exceptions, symbols):
    """One line naming EXCEPTIONS (from qemu_exceptions / bochs_exceptions),
    oldest first: vector, error code, EIP with symbol (only when it changes),
    CR2 for page faults or when not zero. "" when there are none."""
    parts, last_eip = [], None
    for e in exceptions:
        text = vector_text(e["vector"])
        if e.get("error") is not None:
            text += " error 0x%x" % e["error"]
        if e.get("eip") is not None and e["eip"] != last_eip:
            text += " at eip 0x%08x %s" % (e["eip"], symbols.name(e["eip"]))
            last_eip = e["eip"]
        if e.get("cr2") is not None and (e["cr2"] or e["vector"] == PAGE_FAULT):
            text += " cr2 0x%08x" % e["cr2"]
        if e.get("why"):
            text += " (%s)" % e["why"]
        parts.append(text)
    return " -> ".join(parts)


def triple_fault_text(kind, log_path, build_dir):
    """The one-line report ("last exceptions: ...", or "") for a triple fault seen by emulator KIND ("qemu" or
    "bochs") whose log is LOG_PATH, symbolised from BUILD_DIR."""
    text = read_tail(log_path) if kind == "qemu" else read_tail(log_path, 1 << 20)
    found = qemu_exceptions(text) if kind == "qemu" else bochs_exceptions(text)
    what = describe(found, Symbols(build_dir))
    label = "last exceptions" if kind == "qemu" else "the 3rd exception"
    return label + ": " + what if what else ""
