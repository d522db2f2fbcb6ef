#!/usr/bin/env python3
"""monitor_smoke.py: drive each lab's kernel monitor (and a lab's user shell) over COM1 as a user would and check its answers (labN-NAME/monitor.toml)."""
import os
import select
import subprocess
import sys
import tempfile
import time
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))

import disk  # noqa: E402
import emu   # noqa: E402
import labs  # noqa: E402

PROMPT = "stepos> "
TIMEOUT = 20.0

SCRIPT = "monitor.toml"  # in each lab's directory (docs/adding-a-lab.md)
ENTRY_KEYS = {"line", "expect", "every_lab"}


class ScriptError(Exception):
    """A lab's monitor.toml is malformed."""


def _entries(path, data, kind):
    """The [[KIND]] entries of one monitor.toml as (line, [expected text], every_lab)."""
    out = []
    for i, e in enumerate(data.get(kind, [])):
        where = "%s: [[%s]] #%d" % (path, kind, i + 1)
        if not isinstance(e, dict) or not isinstance(e.get("line"), str) or not e["line"]:
            raise ScriptError("%s: needs line = \"a command\"" % where)
        exp = e.get("expect")
        if not isinstance(exp, list) or not exp or not all(isinstance(x, str) and x for x in exp):
            raise ScriptError("%s (%s): needs expect = [\"text the answer contains\", ...]"
                              % (where, e["line"]))
        extra = set(e) - ENTRY_KEYS
        if extra:
            raise ScriptError("%s (%s): unknown key(s) %s (known: %s)"
                              % (where, e["line"], ", ".join(sorted(extra)),
                                 ", ".join(sorted(ENTRY_KEYS))))
        out.append((e["line"], exp, bool(e.get("every_lab", False))))
    return out


TOP_KEYS = {"command", "keyboard", "shell", "cmdline", "shell_prompt"}


def load_script(path):
    """{"command": [...], "keyboard": [...], "shell": [...], "cmdline": str,
    "shell_prompt": str} of one lab's monitor.toml (empty when the lab has
    none). cmdline: the kernel command line that boots the lab to the
    monitor (lab 7 boots to its user shell without one); [[shell]]: lines
    typed at that user shell, booted with no command line, whose prompt is
    shell_prompt."""
    empty = {"command": [], "keyboard": [], "shell": [], "cmdline": "", "shell_prompt": "$ "}
    if not os.path.exists(path):
        return empty
    with open(path, "rb") as f:
        try:
            data = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise ScriptError("%s: %s" % (path, e))
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise ScriptError("%s: unknown key(s) %s (known: %s)"
                          % (path, ", ".join(sorted(unknown)), ", ".join(sorted(TOP_KEYS))))
    out = dict(empty)
    for k in ("cmdline", "shell_prompt"):
        if k in data:
            if not isinstance(data[k], str) or (k == "shell_prompt" and not data[k]):
                raise ScriptError("%s: %s must be a string" % (path, k))
            out[k] = data[k]
    out.update({k: _entries(path, data, k) for k in ("command", "keyboard", "shell")})
    return out


def own_script(lab, root=ROOT):
    """LAB's own monitor.toml (load_script)."""
    d = labs.dirs(root).get(lab)
    return load_script(os.path.join(root, d, SCRIPT)) if d else load_script("")


def session_for(lab, root=ROOT):
    """(commands, keyboard lines) to check on LAB's monitor: the every_lab
    commands of each earlier lab (in lab order), then LAB's own commands and
    keyboard lines, each as (line, [expected text])."""
    commands, keyboard = [], []
    for n, d in sorted(labs.dirs(root).items()):
        if n > lab:
            break
        s = load_script(os.path.join(root, d, SCRIPT))
        if n < lab:
            commands += [(c, w) for c, w, every in s["command"] if every]
        else:
            commands += [(c, w) for c, w, _ in s["command"]]
            keyboard += [(c, w) for c, w, _ in s["keyboard"]]
    return commands, keyboard


class Session:
    """QEMU with COM1 on a pipe; send lines, read until the next prompt."""

    def __init__(self, lab, workdir, cmdline=""):
        build = os.path.join(ROOT, "build", "lab%d" % lab)
        boot, data = disk.lab_images(build)
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


def check_lab(lab, boot_only=False):
    """Run the scripted session for LAB (BOOT_ONLY: just boot it to the
    monitor prompt); returns (passed, failed)."""
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="stepos-monitor-") as tmp:
        s = Session(lab, tmp, own_script(lab)["cmdline"])
        try:
            s.read_until(PROMPT)
            print("lab%d: boot to monitor prompt %.2fs wall" % (lab, time.time() - s.start))
            if boot_only:
                return 1, 0
            commands, keyboard = session_for(lab)
            for cmd, wanted in commands:
                out = s.command(cmd)
                missing = [w for w in wanted if w not in out]
                if missing:
                    failed += 1
                    print("lab%d %s: FAIL, missing %s in:\n%s" % (lab, cmd, missing, out))
                else:
                    passed += 1
                    print("lab%d %s: OK" % (lab, cmd))
            for cmd, wanted in keyboard:
                out = s.type_on_keyboard(cmd)
                missing = [w for w in wanted if w not in out]
                passed, failed = passed + (not missing), failed + bool(missing)
                print("lab%d keyboard %r: %s" % (lab, cmd, "OK" if not missing else
                                                 "FAIL, missing %s in:\n%s" % (missing, out[-600:])))
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
    """Boot LAB with no command line to its user shell and type its [[shell]]
    lines there; returns (passed, failed) ((0, 0) if it has none)."""
    script = own_script(lab)
    if not script["shell"]:
        return 0, 0
    prompt = script["shell_prompt"]
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="stepos-shell-") as tmp:
        s = Session(lab, tmp)
        try:
            s.read_until(prompt)
            print("lab%d: boot to the user shell %.2fs wall" % (lab, time.time() - s.start))
            for line, wanted, _ in script["shell"]:
                out = s.command(line, prompt)
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
    # --boot-only: each lab only has to reach its monitor prompt (a handout,
    # whose commands may wait on stripped code: tools/handout_check.py).
    boot_only = "--boot-only" in sys.argv[1:]
    chosen = [int(a.replace("lab", "")) for a in sys.argv[1:] if a != "--boot-only"] or None
    try:
        for n in labs.numbers():
            session_for(n)
    except ScriptError as e:
        print("monitor: %s" % e)
        print("monitor: 0 passed, 1 failed")
        return 1
    if chosen is None:
        subprocess.run(["make", "-s", "all"], cwd=ROOT, check=False)
        chosen = built_labs()
    total_p = total_f = 0
    for lab in chosen:
        for check in ((check_lab,) if boot_only else (check_lab, check_shell)):
            p, f = check(lab, boot_only) if check is check_lab else check(lab)
            total_p += p
            total_f += f
    print("monitor: %d passed, %d failed" % (total_p, total_f))
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main())
