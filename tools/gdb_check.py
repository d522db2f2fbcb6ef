#!/usr/bin/env python3
"""gdb_check.py: boot the -Og kernels of labs 1 and 4 in QEMU under gdb and check make gdb's helpers."""
import os
import re
import socket
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools", "gdb"))
sys.path.insert(0, os.path.join(ROOT, "grade"))

import attach   # noqa: E402
import emu      # noqa: E402

LISTEN_POLLS = 200          # QEMU's stub is up long before this many 50 ms polls
GDB_TIMEOUT = 120           # seconds; a hung gdb is a failure, not a wait
MARK = "@@gdbcheck "


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc):
    """True once QEMU (PROC) accepts connections on PORT (the probe make gdb makes)."""
    for _ in range(LISTEN_POLLS):
        if proc.poll() is not None:
            return False
        if attach.listening("127.0.0.1", port):
            return True
        subprocess.run(["sleep", "0.05"])
    return False


def gdb_session(variant_dir, commands):
    """{label: output} of each (label, gdb command) of COMMANDS, run in one gdb
    attached to a halted QEMU booting VARIANT_DIR/disk.img (a snapshot: the image stays)."""
    port = free_port()
    qemu = subprocess.Popen([emu.QEMU, "-m", "32M", "-display", "none", "-no-reboot",
                             "-drive", "file=%s/disk.img,format=raw,if=ide,snapshot=on"
                             % variant_dir, "-serial", "null", "-S",
                             "-gdb", "tcp:127.0.0.1:%d" % port],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_listening(port, qemu):
            return {"probe": "QEMU never listened on port %d" % port}
        argv = ["gdb", "-q", "-nx", "-batch", "-ex", "set architecture i386",
                "-ex", "file %s/kernel.elf" % variant_dir,
                "-ex", "target remote localhost:%d" % port,
                "-ex", "source tools/gdb/stepos.py"]
        for label, cmd in commands:
            argv += ["-ex", "echo \\n%s%s\\n" % (MARK, label), "-ex", cmd]
        argv += ["-ex", "echo \\n%send\\n" % MARK, "-ex", "kill"]
        out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True,
                             timeout=GDB_TIMEOUT)
    finally:
        qemu.kill()
        qemu.wait()
    # Error messages go to stderr, which gdb does not interleave with the
    # markers: they are checked as a whole (parts["stderr"]).
    parts = {}
    for chunk in out.stdout.split(MARK)[1:]:
        label, _, body = chunk.partition("\n")
        parts[label] = parts.get(label, "") + body
    parts["stderr"] = out.stderr
    return parts


class Checker:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("  ok   %s" % name)
        else:
            self.failed += 1
            print("  FAIL %s\n%s" % (name, "\n".join("       | " + l
                                                     for l in detail.splitlines()[:30])))


def check_attach(c):
    port = free_port()
    c.check("make gdb: nothing listening on a free port is seen as such",
            not attach.listening("127.0.0.1", port))
    text = "file build/lab3-gdb/kernel.elf\ntarget remote localhost:%d\n" % port
    c.check("make gdb: .gdbinit's port and lab are read",
            attach.gdbinit_target(text) == ("localhost", port, "lab3"),
            repr(attach.gdbinit_target(text)))
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, ".gdbinit"), "w") as f:
            f.write(text)
        env = dict(os.environ)
        r = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, %r); "
                            "import attach; attach.GDBINIT = %r; attach.main()"
                            % (os.path.join(ROOT, "tools", "gdb"),
                               os.path.join(tmp, ".gdbinit"))],
                           capture_output=True, text=True, env=env, timeout=30)
    c.check("make gdb: fails at once with the hint when no QEMU waits",
            r.returncode != 0 and "run 'make lab3-gdb' in another terminal first" in r.stderr,
            r.stdout + r.stderr)


def check_lab1(c):
    p = gdb_session("build/lab1-gdb", [
        ("break", "break kernel_main"), ("cont", "continue"), ("args", "info args"),
        ("bi", "print *bi"), ("threads", "threads"), ("btthread", "btthread 1"),
        ("pf", "pf 0"), ("pools", "pools")])
    c.check("lab1 -Og: break kernel_main stops in kernel_main",
            re.search(r"Breakpoint 1, kernel_main \(bi=0x[0-9a-f]+\)", p.get("cont", "")),
            p.get("cont", "") + p.get("probe", ""))
    c.check("lab1 -Og: kernel_main's argument is visible",
            "optimized out" not in p.get("bi", "x") and "{" in p.get("bi", ""),
            p.get("bi", "") + p.get("args", ""))
    for cmd in ("threads", "btthread", "pf", "pools"):
        c.check("lab1: %s says 'not in this lab'" % cmd, "not in this lab" in p["stderr"]
                and "%s: not in this lab" % cmd in p["stderr"], p["stderr"])


def check_lab4(c):
    p = gdb_session("build/lab4-gdb", [
        ("break", "break thread_switch"), ("c1", "continue"), ("c2", "continue"),
        ("c3", "continue"), ("threads", "threads"), ("bt0", "btthread 0"),
        ("bt1", "btthread 1"), ("bt99", "btthread 99"), ("pfk", "pf &kernel_main"),
        ("pfu", "pf 0x80000000"), ("pools", "pools")])
    threads = p.get("threads", "")
    rows = re.findall(r"^([* ])\s*(\d+)\s+(\S+)\s+(\S+)\s+0x", threads, re.M)
    c.check("lab4: threads lists main (0) and idle (1) with states",
            ("0", "main") in [(r[1], r[2]) for r in rows]
            and ("1", "idle") in [(r[1], r[2]) for r in rows], threads + p.get("probe", ""))
    c.check("lab4: threads marks exactly one running thread",
            [r[3] for r in rows if r[0] == "*"] == ["RUNNING"], threads)
    c.check("lab4: btthread 0 walks main's saved stack down to kernel_main",
            re.search(r"#\d+\s+0x[0-9a-f]+ in kernel_main ", p.get("bt0", "")),
            p.get("bt0", ""))
    c.check("lab4: btthread 1 (idle, never run) starts in thread_start",
            "thread_start" in p.get("bt1", "") or "running" in p.get("bt1", ""),
            p.get("bt1", ""))
    c.check("lab4: btthread of an unknown id says so",
            "no live thread has id 99" in p["stderr"], p["stderr"])
    c.check("lab4: pf of kernel code: present PDE and PTE, identity frame",
            re.search(r"PDE\[   0\] = 0x[0-9a-f]+ .*flags: P", p.get("pfk", ""))
            and re.search(r"PTE\[ *\d+\] = 0x[0-9a-f]+ .*flags: P", p.get("pfk", ""))
            and "=> mapped" in p.get("pfk", ""), p.get("pfk", ""))
    c.check("lab4: pf of an unmapped address says not present",
            "=> not present" in p.get("pfu", ""), p.get("pfu", ""))
    c.check("lab4: pools lists the kernel pool with free frames",
            re.search(r"^kernel\s.*\n", p.get("pools", ""), re.M)
            and re.search(r"pool\(s\): \d+ frames, [1-9]\d* free", p.get("pools", "")),
            p.get("pools", ""))


def main():
    for tool in (emu.QEMU, "gdb"):
        try:
            emu.require(tool)
        except emu.EmulatorMissing as e:
            sys.exit("gdb_check: %s" % e)
    build = subprocess.run(["make", "-s", "build-lab1-gdb", "build-lab4-gdb"], cwd=ROOT,
                           capture_output=True, text=True)
    c = Checker()
    c.check("make build-lab1-gdb build-lab4-gdb", build.returncode == 0,
            build.stdout + build.stderr)
    if build.returncode == 0:
        check_attach(c)
        check_lab1(c)
        check_lab4(c)
    print("gdb: %d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
