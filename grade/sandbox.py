"""sandbox.py: run untrusted builds and emulators with no network, limited memory and write access only to their own directories."""
import os
import shutil
import subprocess
from dataclasses import dataclass, field

MODES = ("auto", "bwrap", "unshare", "none")
DEFAULT_MEM_MB = 2048      # address space (RLIMIT_AS): QEMU reserves 1 GiB for its JIT
BUILD_CPU_S = 600          # CPU seconds for one build (RLIMIT_CPU)
# Directories emptied (a private tmpfs) inside the sandbox: scratch space,
# homes and the sockets under /run (a unix socket works on a read-only mount).
ALWAYS_HIDDEN = ["/tmp", "/run", "/home", "/root"]
# Never hidden, even when asked: the system the build and the emulators need.
SYSTEM = ["/usr", "/bin", "/lib", "/lib64", "/etc", "/sbin"]


class SandboxUnavailable(Exception):
    """The sandbox asked for explicitly cannot run on this machine."""


@dataclass
class Policy:
    """How commands are wrapped: KIND is what actually runs (bwrap, unshare, none)."""
    kind: str = "none"
    mem_mb: int = DEFAULT_MEM_MB
    hide: list = field(default_factory=list)
    message: str = ""          # one line for the report: what is enforced, or why not


_policy = Policy(mem_mb=0)    # until configure(): no wrapping at all (student runs)


def policy():
    return _policy


def _inside(path, parent):
    path, parent = os.path.abspath(path), os.path.abspath(parent)
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def bwrap_args(writable, hide=(), chdir=None):
    """The bubblewrap command prefix: read-only root, fresh /dev, /proc and
    /tmp, HIDE emptied, WRITABLE bound read-write, no network, own PID,
    IPC and UTS namespaces, no capabilities (we may be root), killed with us."""
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-net", "--unshare-pid",
            "--unshare-ipc", "--unshare-uts", "--cap-drop", "ALL",
            "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    hidden = []
    for h in list(ALWAYS_HIDDEN) + list(hide):
        h = os.path.abspath(h)
        if h == "/" or any(_inside(s, h) or _inside(h, s) for s in SYSTEM) or h in hidden:
            continue
        if any(_inside(h, w) for w in writable) or not os.path.isdir(h):
            continue
        hidden.append(h)
    for h in sorted(hidden, key=len):          # parents first, then what is inside
        args += ["--tmpfs", h]
    for w in writable:
        w = os.path.abspath(w)
        args += ["--bind", w, w]
    args += ["--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp"]
    args += ["--chdir", os.path.abspath(chdir or (writable[0] if writable else "/"))]
    return args + ["--"]


def limit_args(mem_mb, cpu_s=0):
    """prlimit prefix: address space MEM_MB MiB, CPU_S CPU seconds (0: none)."""
    if shutil.which("prlimit") is None or not (mem_mb or cpu_s):
        return []
    args = ["prlimit"]
    if mem_mb:
        args.append("--as=%d" % (mem_mb * 1024 * 1024))
    if cpu_s:
        args.append("--cpu=%d" % cpu_s)
    return args


def wrap(argv, writable, cwd=None, cpu_s=0, pol=None):
    """ARGV as it must run under the current policy (unchanged when off)."""
    pol = pol or _policy
    prefix = limit_args(pol.mem_mb, cpu_s)
    if pol.kind == "bwrap":
        prefix += bwrap_args(list(writable), pol.hide, cwd)
    elif pol.kind == "unshare":
        prefix += ["unshare", "--net", "--"]
    return prefix + list(argv)


def _try(argv):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    if p.returncode != 0:
        return (p.stdout.decode("utf-8", "replace").strip().splitlines() or
                ["exit status %d" % p.returncode])[-1]
    return None


def probe(kind):
    """None if sandbox KIND works here, else why not (one line)."""
    if kind == "bwrap":
        if shutil.which("bwrap") is None:
            return "bwrap not found (Debian package bubblewrap; run tools/setup.sh)"
        return _try(bwrap_args([], chdir="/") + ["/bin/true"])
    if kind == "unshare":
        if shutil.which("unshare") is None:
            return "unshare not found (Debian package util-linux)"
        return _try(["unshare", "--net", "--", "/bin/true"])
    return None


def configure(mode, mem_mb=DEFAULT_MEM_MB, hide=()):
    """Choose the sandbox for MODE (auto tries bwrap, then unshare, then none);
    raise SandboxUnavailable if an explicit MODE cannot work. Returns the Policy."""
    global _policy
    if mode not in MODES:
        raise ValueError("sandbox mode %r: expected one of %s" % (mode, ", ".join(MODES)))
    limits = ("memory %d MiB" % mem_mb) if mem_mb and limit_args(mem_mb) else "no memory limit"
    tried = []
    for kind in (["bwrap", "unshare", "none"] if mode == "auto" else [mode]):
        why = probe(kind)
        if why is None:
            break
        if mode != "auto":
            raise SandboxUnavailable("--sandbox %s does not work here: %s" % (kind, why))
        tried.append("%s: %s" % (kind, why))
    if kind == "bwrap":
        msg = ("sandbox: bubblewrap: no network, writes only to the submission's copy and "
               "the run's own directory, %s, build CPU %ds" % (limits, BUILD_CPU_S))
    elif kind == "unshare":
        msg = ("sandbox: unshare --net only (%s): no network, %s, but the build CAN "
               "write anywhere the grader can" % ("; ".join(tried), limits))
    else:
        msg = ("sandbox: NONE%s: builds and emulators run with the grader's own "
               "permissions and network (%s); grade untrusted code only where "
               "bubblewrap works" % (" (%s)" % "; ".join(tried) if tried else "", limits))
    _policy = Policy(kind=kind, mem_mb=mem_mb, hide=[os.path.abspath(h) for h in hide],
                     message=msg)
    return _policy


def reset():
    """Back to no wrapping (tests)."""
    global _policy
    _policy = Policy(mem_mb=0)
