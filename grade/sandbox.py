"""sandbox.py: run untrusted builds and emulators as an unprivileged user with no network, a minimal read-only system, a clean environment and bounded resources."""
import atexit
import fcntl
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

MODES = ("auto", "bwrap", "unshare", "none")
DEFAULT_MEM_MB = 2048      # address space (RLIMIT_AS): QEMU reserves 1 GiB for its JIT
BUILD_CPU_S = 600          # CPU seconds for one build (RLIMIT_CPU)
FSIZE_MB = 256             # largest file a sandboxed process may write (RLIMIT_FSIZE)
NPROC = 256                # processes and threads of the sandbox user (RLIMIT_NPROC)
NOFILE = 1024              # open files per process (RLIMIT_NOFILE)
TMP_MB = 256               # size of the private /tmp (a tmpfs)
HIDDEN_KB = 4              # size of the empty read-only tmpfs over a hidden directory
# As root, each grader process runs its sandboxes as its own uid from this
# range (claimed with a lock file), so that RLIMIT_NPROC bounds one submission
# and a fork bomb in one cannot starve another graded beside it.
UID_BASE = 61000
UID_SLOTS = 64
ENV_PATH = "/usr/local/bin:/usr/bin:/bin"
# The system a build and an emulator need, read-only: the toolchain, QEMU,
# Bochs and their BIOS images all live under /usr on Debian.
SYSTEM_RO = ["/usr"]
SYSTEM_LINKS = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
ETC_RO = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
          "/etc/nsswitch.conf", "/etc/localtime"]
# The inner layer of a root grader's sandbox: bubblewrap again, now as the
# sandbox user, in a user namespace where no further one can be made (so no
# private, unbounded tmpfs), /proc/sys read-only, everything else as it was.
NESTED = ["bwrap", "--unshare-user", "--disable-userns", "--dev-bind", "/", "/",
          "--ro-bind", "/proc/sys", "/proc/sys", "--"]
SYSTEM = SYSTEM_RO + SYSTEM_LINKS + ["/etc"]             # never hidden, even when asked


class SandboxUnavailable(Exception):
    """The sandbox asked for explicitly cannot run on this machine."""


@dataclass
class Policy:
    """How commands are wrapped: KIND is what actually runs (bwrap, unshare, none);
    UID the unprivileged user a root grader drops to inside the sandbox;
    NESTED whether a second, unprivileged bubblewrap inside then forbids new
    user namespaces (a root grader's bubblewrap cannot: it makes none)."""
    kind: str = "none"
    mem_mb: int = DEFAULT_MEM_MB
    hide: list = field(default_factory=list)
    message: str = ""          # one line for the report: what is enforced, or why not
    uid: int = None
    nested: bool = False
    etc: str = None            # directory holding the generated passwd and group


_policy = Policy(mem_mb=0)    # until configure(): no wrapping at all (student runs)
_slot = {"uid": None, "fd": None, "etc": None}


def policy():
    return _policy


def _inside(path, parent):
    path, parent = os.path.abspath(path), os.path.abspath(parent)
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _ancestors(path):
    """/a, /a/b for /a/b/c: the directories above PATH, outermost first."""
    parts = path.strip("/").split("/")[:-1]
    return ["/" + "/".join(parts[:i + 1]) for i in range(len(parts))]


def _system_args():
    args = []
    for d in SYSTEM_RO:
        args += ["--ro-bind", d, d]
    for d in SYSTEM_LINKS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    for f in ETC_RO:
        args += ["--ro-bind-try", f, f]
    return args


def bwrap_args(writable, hide=(), chdir=None, pol=None, reads=()):
    """The bubblewrap command prefix: only /usr (and its links), a few /etc
    files and WRITABLE (read-write) exist; fresh /dev, /proc with /proc/sys
    read-only, a size-bounded private /tmp; no network, own PID, IPC, UTS and
    cgroup namespaces, an empty environment, no capabilities, killed with us."""
    pol = pol or _policy
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-net", "--unshare-pid",
            "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    args += ["--cap-drop", "ALL"]
    if pol.uid is None:     # bubblewrap runs as the grader, in a new user namespace
        args += ["--unshare-user", "--disable-userns"]
    else:                   # root bubblewrap: keep only what setpriv needs to drop to UID
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    args += ["--perms", "0755", "--dir", "/etc"] + _system_args()
    if pol.etc:
        for f in ("passwd", "group"):
            args += ["--ro-bind", os.path.join(pol.etc, f), "/etc/" + f]
    args += ["--dev", "/dev", "--proc", "/proc"] + (
        [] if pol.nested else ["--ro-bind", "/proc/sys", "/proc/sys"])
    for t in ("/tmp", "/dev/shm"):
        args += ["--perms", "1777", "--size", str(TMP_MB << 20), "--tmpfs", t]
    hidden = []
    for h in list(hide):
        h = os.path.abspath(h)
        if h == "/" or any(_inside(s, h) or _inside(h, s) for s in SYSTEM) or h in hidden:
            continue
        if any(_inside(h, w) for w in writable) or not os.path.isdir(h):
            continue
        hidden.append(h)
    for h in sorted(hidden, key=len):          # parents first, then what is inside
        args += ["--perms", "0555", "--size", str(HIDDEN_KB << 10), "--tmpfs", h]
    made = {"/", "/tmp", "/dev", "/dev/shm", "/proc", "/etc"}
    for p in list(writable) + list(reads):          # bwrap would make them 0700 root
        for a in _ancestors(os.path.abspath(p)):
            if a not in made and not any(_inside(a, s) for s in SYSTEM_RO + ["/proc"]):
                args += ["--perms", "0755", "--dir", a]
                made.add(a)
    for w in writable:
        w = os.path.abspath(w)
        args += ["--bind", w, w]
    for r in reads:
        r = os.path.abspath(r)
        args += ["--ro-bind", r, r]
    args += ["--clearenv", "--setenv", "PATH", ENV_PATH, "--setenv", "HOME", "/tmp",
             "--setenv", "TMPDIR", "/tmp", "--setenv", "LANG", "C.UTF-8",
             "--setenv", "TERM", "dumb",                 # Bochs' terminal GUI needs one
             "--setenv", "USER", "stepos", "--setenv", "LOGNAME", "stepos"]
    args += ["--remount-ro", "/dev", "--remount-ro", "/"]     # bwrap made both writable to us
    args += ["--chdir", os.path.abspath(chdir or (writable[0] if writable else "/"))]
    return args + ["--"]


def limit_args(mem_mb, cpu_s=0, nproc=0, fsize_mb=0):
    """prlimit prefix: address space MEM_MB MiB, CPU_S CPU seconds, NPROC
    processes of the user, files of at most FSIZE_MB MiB (0: that one unset)."""
    if shutil.which("prlimit") is None or not (mem_mb or cpu_s or nproc or fsize_mb):
        return []
    args = ["prlimit"]
    if mem_mb:
        args.append("--as=%d" % (mem_mb * 1024 * 1024))
    if cpu_s:
        args.append("--cpu=%d" % cpu_s)
    if nproc:
        args += ["--nproc=%d" % nproc, "--nofile=%d" % NOFILE, "--core=0"]
    if fsize_mb:
        args.append("--fsize=%d" % (fsize_mb * 1024 * 1024))
    return args + ["--"]


def setpriv_args(uid):
    """Drop from root to UID (and gid UID), no supplementary groups, no
    capabilities left, no way back (no_new_privs)."""
    return ["setpriv", "--reuid=%d" % uid, "--regid=%d" % uid, "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]


def give(paths, uid):
    """Make PATHS (recursively, links not followed) owned by UID, so that the
    sandbox user can write its copy or boot directory."""
    for top in paths:
        os.lchown(top, uid, uid)
        os.chmod(top, os.stat(top).st_mode | 0o711)   # root bwrap (no capabilities) enters it
        for d, dirs, files in os.walk(top):
            for x in dirs + files:
                os.lchown(os.path.join(d, x), uid, uid)


def wrap(argv, writable, cwd=None, cpu_s=0, pol=None, reads=()):
    """ARGV as it must run under the current policy (unchanged when off), able
    to write WRITABLE and read READS. As root, WRITABLE is handed over to the
    sandbox user first."""
    pol = pol or _policy
    writable = [os.path.abspath(w) for w in writable]
    if pol.kind == "bwrap":
        if pol.uid is not None:
            give(writable, pol.uid)
        inner = (setpriv_args(pol.uid) if pol.uid is not None else []) + (
            NESTED if pol.nested else [])
        # limits inside the sandbox: RLIMIT_NPROC then counts the sandbox's own user
        limits = limit_args(pol.mem_mb, cpu_s, NPROC, FSIZE_MB)
        return bwrap_args(writable, pol.hide, cwd, pol, reads) + limits + inner + list(argv)
    limits = limit_args(pol.mem_mb, cpu_s)
    if pol.kind == "unshare":
        return limits + ["unshare", "--net", "--"] + list(argv)
    return limits + list(argv)


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


def probe(kind, nested=False):
    """None if sandbox KIND works here (as the sandbox uid when we are root,
    with the NESTED layer if asked), else why not (one line)."""
    pol = Policy(kind=kind, mem_mb=0, nested=nested,
                 uid=claim_uid() if os.geteuid() == 0 and kind == "bwrap" else None)
    if kind == "bwrap":
        if shutil.which("bwrap") is None:
            return "bwrap not found (Debian package bubblewrap; run tools/setup.sh)"
        return _try(wrap(["/bin/true"], [], cwd="/", pol=pol))
    if kind == "unshare":
        if shutil.which("unshare") is None:
            return "unshare not found (Debian package util-linux)"
        return _try(wrap(["/bin/true"], [], pol=pol))
    return None


def claim_uid():
    """The sandbox uid of this grader process: the first of UID_BASE.. whose
    lock file nobody else holds (kept until we exit)."""
    if _slot["uid"] is not None:
        return _slot["uid"]
    lockdir = tempfile.gettempdir()
    for uid in range(UID_BASE, UID_BASE + UID_SLOTS):
        path = os.path.join(lockdir, "stepos-sandbox-uid-%d.lock" % uid)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        _slot.update(uid=uid, fd=fd)
        return uid
    _slot["uid"] = UID_BASE + os.getpid() % UID_SLOTS      # all busy: share one
    return _slot["uid"]


def _etc_dir(uid):
    """A directory with a passwd and group naming only root, the sandbox user and nobody."""
    if _slot["etc"] is None:
        d = tempfile.mkdtemp(prefix="stepos-sandbox-etc-")
        os.chmod(d, 0o755)
        with open(os.path.join(d, "passwd"), "w") as f:
            f.write("root:x:0:0:root:/root:/usr/sbin/nologin\n"
                    "stepos:x:%d:%d:StepOS sandbox:/tmp:/usr/sbin/nologin\n"
                    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n" % (uid, uid))
        with open(os.path.join(d, "group"), "w") as f:
            f.write("root:x:0:\nstepos:x:%d:\nnogroup:x:65534:\n" % uid)
        for f in ("passwd", "group"):
            os.chmod(os.path.join(d, f), 0o644)
        atexit.register(shutil.rmtree, d, True)
        _slot["etc"] = d
    return _slot["etc"]


def configure(mode, mem_mb=DEFAULT_MEM_MB, hide=()):
    """Choose the sandbox for MODE (auto tries bwrap, then unshare, then none);
    raise SandboxUnavailable if an explicit MODE cannot work. Returns the Policy."""
    global _policy
    if mode not in MODES:
        raise ValueError("sandbox mode %r: expected one of %s" % (mode, ", ".join(MODES)))
    root = os.geteuid() == 0
    limits = ("memory %d MiB" % mem_mb) if mem_mb and limit_args(mem_mb) else "no memory limit"
    tried, nested = [], False
    for kind in (["bwrap", "unshare", "none"] if mode == "auto" else [mode]):
        why = probe(kind)
        if why is None and kind == "bwrap" and root:
            nested = probe(kind, nested=True) is None
        if why is None:
            break
        if mode != "auto":
            raise SandboxUnavailable("--sandbox %s does not work here: %s" % (kind, why))
        tried.append("%s: %s" % (kind, why))
    uid = claim_uid() if root and kind == "bwrap" else None
    if kind == "bwrap":
        who = "as uid %d" % uid if root else "as the grader's own user (not root)"
        msg = ("sandbox: bubblewrap %s: no network, only /usr and the copy it builds, "
               "clean environment, %s per process, %d processes, files <= %d MiB, /tmp %d "
               "MiB, build CPU %ds%s" % (who, limits, NPROC, FSIZE_MB, TMP_MB, BUILD_CPU_S,
                                        "" if nested or not root else
                                        "; user namespaces NOT disabled inside"))
    elif kind == "unshare":
        msg = ("sandbox: unshare --net only (%s): no network, %s, but the build CAN "
               "write anywhere the grader can" % ("; ".join(tried), limits))
    else:
        msg = ("sandbox: NONE%s: builds and emulators run with the grader's own "
               "permissions and network (%s); grade untrusted code only where "
               "bubblewrap works" % (" (%s)" % "; ".join(tried) if tried else "", limits))
    _policy = Policy(kind=kind, mem_mb=mem_mb, hide=[os.path.abspath(h) for h in hide],
                     message=msg, uid=uid, nested=nested,
                     etc=_etc_dir(uid) if root and kind == "bwrap" else None)
    return _policy


def reset():
    """Back to no wrapping (tests)."""
    global _policy
    _policy = Policy(mem_mb=0)
