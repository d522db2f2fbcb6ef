"""monitor_smoke.py: drive each lab's kernel monitor (and lab 7's user shell) over COM1 as a user would and check its answers."""
"""monitor_smoke.py: drive each lab's kernel monitor over COM1 as a user would and check its answers."""
import os
import select
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))

import disk  # noqa: E402
import emu   # noqa: E402
import labs  # noqa: E402

PROMPT = "stepos> "
TIMEOUT = 20.0

# (command, text every answer must contain) for every lab; labs add their own.
COMMON = [
    ("help", ["info", "test", "backtrace", "exit"]),
    ("info", ["memory map (BIOS E820", "usable", "ticks:", "command line:"]),
    ("nosuchcommand", ["unknown command 'nosuchcommand'"]),
    ("test no_such_test", ["KTEST START", "0 passed, 0 failed"]),
    ("backtrace", ["monitor_execute"]),
]
PER_LAB = {
    1: [("test exc_divide_error", ["KTEST PASS exc_divide_error"])],
    2: [("frames", ["pool kernel", "pool process"]),
        ("alloc 3", ["frames 1024-1026"]),
        ("free 1025", ["not the head of a sequence"]),
        ("free 1024", ["released"])],
    3: [("pools", ["heap"]), ("faults", ["fault"])],
    4: [("threads", ["main", "idle"]),
        ("spawn pingpong 2", ["thread 2: done after 2 bursts", "thread 4: done after 4 bursts"]),
        ("timeline 72", ["timeline: ticks", " main ", "IRQ", "# running"])],
    5: [("sched", ["round-robin", "preemptions"]), ("quantum 20", ["20 ms"]),
        ("quantum abc", ["not a number"])],
    6: [("disk", ["data slave"]), ("disk read 0", ["STEPOS6 DATA BLO"]),
        ("disk stats", ["IRQ14"]), ("disk mode simple", ["SimpleDisk"]),
        ("disk read 99999", ["out of range"])],
    7: [("ps", ["processes", "created since boot"]),
        ("run hello", ["hello from user mode", "exited with 0"]),
        ("run args one two", ["argc=3", "exited with 3"]),
        ("run t_div0", ["ended: #DE", "was ended"]),
        ("run nosuchprogram", ["error -2"])],
}
# Labs that boot to something else by default (lab 7: init and the user
# shell) and reach the monitor with a command-line key.
MONITOR_CMDLINE = {7: "shell=0"}
# The user shell those labs boot to by default: its prompt and (line, text
# every answer must contain).
SHELL_PROMPT = "$ "
SHELL_LINES = {
    7: [("hello", ["hello from user mode"]),
        ("echo a b", ["a b"]),
        ("ps", ["init", "sh"]),
        ("t_div0", ["ended: #DE", "killed"]),
        ("t_mem write", ["cr2 0x00100000", "killed"]),
        ("hello", ["hello from user mode"])],
}


class Session:
    """QEMU with COM1 on a pipe; send lines, read until the next prompt."""

    def __init__(self, lab, workdir, cmdline=None):
        build = os.path.join(ROOT, "build", "lab%d" % lab)
        boot, data = disk.lab_images(build)
        if cmdline is None:
            cmdline = MONITOR_CMDLINE.get(lab, "")
        boot, data = disk.copy_images(boot, data, workdir, cmdline)
        launch = emu.qemu_interactive(boot, data, os.path.join(workdir, "e9.log"))
        self.start = time.time()
        self.proc = subprocess.Popen(launch.argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.buf = ""

    def read_until(self, marker):
        deadline = time.time() + TIMEOUT
        while marker not in self.buf:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise TimeoutError("no %r after %.0fs; last output:\n%s"
                                   % (marker, TIMEOUT, self.buf[-600:]))
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                raise EOFError("QEMU exited; last output:\n" + self.buf[-600:])
            self.buf += chunk.decode("ascii", "replace").replace("\r", "")
        text, self.buf = self.buf.split(marker, 1)
        return text

    def command(self, line, prompt=PROMPT):
        self.proc.stdin.write((line + "\r").encode())
        self.proc.stdin.flush()
        return self.read_until(prompt)

    def type_on_keyboard(self, text):
        """Type TEXT and Enter on the emulated PS/2 keyboard (QEMU's sendkey,
        through its monitor, which shares our stdio: Ctrl-A C toggles it)."""
        keys = {" ": "spc", "_": "shift-minus"}
        cmds = ["sendkey %s\n" % keys.get(ch, ch) for ch in text] + ["sendkey ret\n"]
        self.proc.stdin.write(b"\x01c" + "".join(cmds).encode() + b"\x01c")
        self.proc.stdin.flush()
        return self.read_until(PROMPT)

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)
        self.proc.wait()


def check_lab(lab):
    """Run the scripted session for LAB; returns (passed, failed)."""
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="stepos-monitor-") as tmp:
        s = Session(lab, tmp)
        try:
            s.read_until(PROMPT)
            print("lab%d: boot to monitor prompt %.2fs wall" % (lab, time.time() - s.start))
            for cmd, wanted in COMMON + PER_LAB.get(lab, []):
                out = s.command(cmd)
                missing = [w for w in wanted if w not in out]
                if missing:
                    failed += 1
                    print("lab%d %s: FAIL, missing %s in:\n%s" % (lab, cmd, missing, out))
                else:
                    passed += 1
                    print("lab%d %s: OK" % (lab, cmd))
            if lab == 1:
                out = s.type_on_keyboard("info")
                ok = "memory map (BIOS E820" in out
                passed, failed = passed + ok, failed + (not ok)
                print("lab%d keyboard 'info': %s" % (lab, "OK" if ok else "FAIL\n" + out[-600:]))
            s.proc.stdin.write(b"exit\r")
            s.proc.stdin.flush()
            status = s.proc.wait(timeout=TIMEOUT)
            if emu.qemu_exit_poweroff(status) == 0:
                passed += 1
                print("lab%d exit: OK (powered off)" % lab)
            else:
                failed += 1
                print("lab%d exit: FAIL, QEMU exit status %s" % (lab, status))
        except (TimeoutError, EOFError, subprocess.TimeoutExpired) as e:
            failed += 1
            print("lab%d: FAIL: %s" % (lab, e))
        finally:
            s.close()
    return passed, failed


def check_shell(lab):
    """Boot LAB to its user shell (no command line) and run SHELL_LINES there."""
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="stepos-shell-") as tmp:
        s = Session(lab, tmp, cmdline="")
        try:
            s.read_until(SHELL_PROMPT)
            print("lab%d: boot to the user shell %.2fs wall" % (lab, time.time() - s.start))
            for line, wanted in SHELL_LINES[lab]:
                out = s.command(line, SHELL_PROMPT)
                missing = [w for w in wanted if w not in out]
                if missing:
                    failed += 1
                    print("lab%d shell %s: FAIL, missing %s in:\n%s" % (lab, line, missing, out))
                else:
                    passed += 1
                    print("lab%d shell %s: OK" % (lab, line))
        except (TimeoutError, EOFError) as e:
            failed += 1
            print("lab%d shell: FAIL: %s" % (lab, e))
        finally:
            s.close()
    return passed, failed


def built_labs():
    return [n for n in labs.numbers()
            if os.path.exists(os.path.join(ROOT, "build", "lab%d" % n, "disk.img"))]


def main():
    chosen = [int(a.replace("lab", "")) for a in sys.argv[1:]] or None
    if chosen is None:
        subprocess.run(["make", "-s", "all"], cwd=ROOT, check=False)
        chosen = built_labs()
    total_p = total_f = 0
    for lab in chosen:
        p, f = check_lab(lab)
        total_p += p
        total_f += f
        if lab in SHELL_LINES:
            p, f = check_shell(lab)
            total_p += p
            total_f += f
    print("monitor: %d passed, %d failed" % (total_p, total_f))
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main())
