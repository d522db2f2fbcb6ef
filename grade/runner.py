"""runner.py: boot one image in an emulator, stream COM1 into the parser, enforce timeouts."""
import atexit
import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field

import diagnose
import emu
import sandbox
from protocol import BootParser, End

POLL = 0.01              # seconds between looks at the serial file
# util-linux's setpriv (Essential on Debian) makes the kernel kill an emulator
# whose grader dies, even by SIGKILL; without it the signal handlers still work.
SETPRIV = shutil.which("setpriv")
AFTER_DONE = 5.0         # grace for power-off after KTEST DONE

_live = set()            # Popen objects of emulators we started and not yet reaped
_live_lock = threading.Lock()
_stopping = threading.Event()   # set on SIGINT/SIGTERM: start no more emulators


class Interrupted(Exception):
    """Grading was interrupted; no emulator may be started."""


def _kill(proc):
    """Kill PROC's whole process group (it was started in its own session)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    with _live_lock:
        _live.discard(proc)


def kill_all():
    """Kill every emulator this process started that is still running."""
    with _live_lock:
        procs = list(_live)
    for p in procs:
        _kill(p)


def install_cleanup():
    """On exit, SIGINT or SIGTERM: kill our emulators; signals then exit 130."""
    atexit.register(kill_all)

    def on_signal(signum, frame):
        _stopping.set()
        kill_all()
        raise SystemExit(130)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)


def run_tracked(argv, timeout, cwd=None):
    """Run ARGV in its own process group, killed with the grader (exit,
    signals, --pdeathsig) and after TIMEOUT seconds; its output goes to a
    file, so a daemon it leaves behind cannot hold us. Returns (exit status,
    or None on timeout; output bytes)."""
    import tempfile
    with tempfile.TemporaryFile() as out:
        with _live_lock:
            if _stopping.is_set():
                raise Interrupted()
            if SETPRIV:
                argv = [SETPRIV, "--pdeathsig", "KILL", "--"] + list(argv)
            proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            _live.add(proc)
        try:
            status = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            status = None
        finally:
            _kill(proc)          # and whatever it left in its process group
        out.seek(0)
        return status, out.read()


@dataclass
class Timeouts:
    """Seconds: power-on to KTEST START, per test (default and overrides)."""
    boot: float = 10.0
    test: float = 5.0
    per_test: dict = field(default_factory=dict)
    scale: float = 1.0

    def for_test(self, name):
        return self.per_test.get(name, self.test) * self.scale

    def boot_limit(self):
        return self.boot * self.scale


BOOT_ERROR_GRACE = 0.5   # the loader stops after BOOT ERROR: collect a little more


def _deadline(parser, tmo, t_done):
    """(limit in seconds, absolute deadline, kind) for the parser's state."""
    if parser.boot_error is not None:
        return BOOT_ERROR_GRACE, parser.boot_error_t + BOOT_ERROR_GRACE, "boot-error"
    if parser.done is not None:
        return AFTER_DONE, t_done + AFTER_DONE, "done"
    if not parser.started:
        lim = tmo.boot_limit()
        return lim, lim, "timeout"
    if parser.current is not None:
        lim = tmo.for_test(parser.current)
        return lim, parser.current_t0 + lim, "timeout"
    lim = tmo.test * tmo.scale
    return lim, parser.last_event_t + lim, "timeout"


def _tail(path, n=5):
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 4000))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return []
    return [l for l in text.splitlines() if l.strip()][-n:]


def boot_once(launch, tmo, echo=None, stdout_path=None, key=None, stop=None):
    """Run LAUNCH until it exits, times out, or idles after KTEST DONE.
    ECHO(line) is called for each serial line; KEY is the boot's ktkey= (its
    protocol lines must be tagged). STOP(parser), if given, is asked after
    each look at the serial output: True kills the emulator at once (End kind
    "stopped": the boot's results so far stand, nothing else is judged).
    Returns (BootOutcome, End)."""
    parser = BootParser(key)
    stdout_path = stdout_path or os.path.join(os.path.dirname(launch.serial), "emulator.out")
    emu.remove_locks(launch.images)
    t0 = time.monotonic()
    with _live_lock:
        if _stopping.is_set():
            raise Interrupted()
        # untrusted guest: no network, writes only to its boot directory
        argv = sandbox.wrap(launch.argv, [os.path.dirname(os.path.abspath(launch.serial))])
        if SETPRIV:
            argv = [SETPRIV, "--pdeathsig", "KILL", "--"] + argv
        with open(stdout_path, "wb") as out:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        _live.add(proc)
    serial, buf, end, t_done = None, b"", None, None

    def pump(final=False):
        nonlocal serial, buf
        if serial is None and os.path.exists(launch.serial):
            serial = open(launch.serial, "rb")
        if serial is None:
            return
        data = serial.read()
        now = time.monotonic() - t0
        if data:
            buf += data
            *lines, buf = buf.split(b"\n")
            for raw in lines:
                _feed(raw, now)
        if final and buf:
            _feed(buf, now)
            buf = b""

    def _feed(raw, now):
        line = raw.decode("utf-8", "replace")
        parser.feed(line, now)
        if echo:
            echo(line.rstrip("\r"))

    try:
        while True:
            status = proc.poll()
            pump(final=status is not None)
            now = time.monotonic() - t0
            if parser.done is not None and t_done is None:
                t_done = now
            if status is not None:
                end = End("exit", now, status=status)
                break
            if stop is not None and stop(parser):
                end = End("stopped", now)
                break
            if launch.kind == "qemu":
                diagnose.trim_log(launch.log)
            limit, deadline, kind = _deadline(parser, tmo, t_done)
            if now >= deadline:
                end = End(kind, now, limit=limit)
                break
            time.sleep(POLL)
    finally:
        if proc.poll() is None:
            _kill(proc)
        else:
            with _live_lock:
                _live.discard(proc)
        pump(final=True)
        if serial is not None:
            serial.close()
        emu.remove_locks(launch.images)
    _explain_exit(launch, end, parser, stdout_path)
    _log_boot(launch, end, parser)
    return parser.finish(end), end


def _log_boot(launch, end, parser):
    """With STEPOS_BOOT_LOG=FILE, append one line per boot to FILE (profiling
    make test: how many boots, how each ended, how long after its last
    protocol line it was ended)."""
    path = os.environ.get("STEPOS_BOOT_LOG")
    if not path:
        return
    last = getattr(parser, "last_event_t", 0.0) or 0.0
    with open(path, "a") as f:
        f.write("%d %s %s %.2f %.2f %s\n" % (os.getpid(), launch.kind, end.kind, end.t,
                                              end.t - last, launch.images[0] if launch.images
                                              else "?"))


def _explain_exit(launch, end, parser, stdout_path):
    """Fill in what the emulator itself says about how the boot ended."""
    if end.kind != "exit":
        return
    if launch.kind == "qemu":
        end.poweroff = emu.qemu_exit_poweroff(end.status)
        end.triple_fault = end.status == 0
        if end.status == 0:
            end.emulator_message = _with_diagnosis(
                "QEMU: guest reset (triple fault) with -no-reboot", launch)
        elif not parser.started and end.poweroff is None and _tail(stdout_path):
            end.emulator_message = "QEMU: " + " / ".join(_tail(stdout_path))
    else:
        end.triple_fault, end.emulator_message = emu.bochs_log_verdict(launch.log)
        if end.triple_fault:
            end.emulator_message = _with_diagnosis(end.emulator_message, launch)
        if not end.emulator_message and not parser.lines and _tail(stdout_path):
            end.emulator_message = "Bochs: " + " / ".join(_tail(stdout_path, 3))


def _with_diagnosis(message, launch):
    """MESSAGE plus the last exceptions the emulator's log holds, symbolised."""
    what = diagnose.triple_fault_text(launch.kind, launch.log, launch.kernel_dir)
    return message + "; " + what if what else message
