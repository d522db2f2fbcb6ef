"""emu.py: the one place that knows QEMU, Bochs and gdb command lines for StepOS."""
import os
import re
import shutil
from dataclasses import dataclass, field

QEMU = "qemu-system-i386"
BOCHS = "bochs"
GDB = "gdb"
MEMORY_MB = 32
SECTOR = 512
HEADS, SPT = 16, 63
CYLINDER_BYTES = HEADS * SPT * SECTOR
# A host-side I/O error (disk full, EIO) is reported to the guest as a drive
# error; QEMU's default for writes (enospc) pauses the VM, which then hangs.
DRIVE_ERRORS = "werror=report,rerror=report"

# Binary -> Debian package(s) that provide it.
PACKAGES = {QEMU: "qemu-system-x86", BOCHS: "bochs bochsbios vgabios bochs-term",
            GDB: "gdb"}
BOCHS_BIOS = ["/usr/share/bochs/BIOS-bochs-latest"]
BOCHS_VGABIOS = ["/usr/share/vgabios/vgabios.bin",
                 "/usr/share/bochs/VGABIOS-lgpl-latest"]
BOCHS_PLUGIN_DIRS = ["/usr/lib/x86_64-linux-gnu/bochs/plugins", "/usr/lib/bochs/plugins"]

# Bochs log line when a triple fault happens with reset_on_triple_fault=0.
BOCHS_TRIPLE_RE = re.compile(r">>PANIC<< .*(3rd \(\d+\) exception with no resolution"
                             r"|triple fault)", re.I)
BOCHS_PANIC_RE = re.compile(r">>PANIC<< (.*)")
BOCHS_SHUTDOWN = "Shutdown port: shutdown requested"


class EmulatorMissing(Exception):
    """A needed program or data file is not installed (message says how to fix)."""


def missing_message(what, package):
    return ("%s not found: install the Debian package(s) %s "
            "(run tools/setup.sh, which installs everything StepOS needs)"
            % (what, package))


def require(binary):
    """Absolute path of BINARY, or raise EmulatorMissing naming its package."""
    path = shutil.which(binary)
    if path is None:
        raise EmulatorMissing(missing_message(binary, PACKAGES.get(binary, binary)))
    return path


def _first_existing(paths, what, package):
    for p in paths:
        if os.path.exists(p):
            return p
    raise EmulatorMissing(missing_message(what + " (" + paths[0] + ")", package))


def check_emulator(kind):
    """Raise EmulatorMissing unless emulator KIND ('qemu' or 'bochs') can run."""
    if kind == "qemu":
        require(QEMU)
        return
    require(BOCHS)
    _first_existing(BOCHS_BIOS, "Bochs BIOS image", "bochsbios")
    _first_existing(BOCHS_VGABIOS, "VGA BIOS image", "vgabios")
    dirs = [d for d in BOCHS_PLUGIN_DIRS if os.path.isdir(d)]
    if dirs and not any(os.path.exists(os.path.join(d, "libbx_term_gui.so")) for d in dirs):
        raise EmulatorMissing(missing_message("Bochs term display (libbx_term_gui.so)",
                                              "bochs-term"))


def geometry(path):
    """Bochs (cylinders, heads, spt) for a flat image; its size must be a
    whole number of 16x63-sector cylinders."""
    size = os.path.getsize(path)
    if size == 0 or size % CYLINDER_BYTES:
        raise ValueError("%s: size %d is not a multiple of %d bytes (16 heads x 63 "
                         "sectors), Bochs cannot attach it" % (path, size, CYLINDER_BYTES))
    return size // CYLINDER_BYTES, HEADS, SPT


def pad_to_cylinders(path):
    """Pad image PATH (a private copy) with zeros up to a whole number of
    Bochs cylinders (16 heads x 63 sectors x 512 bytes, at least one).
    Returns a note saying what was done, or None if nothing was needed."""
    size = os.path.getsize(path)
    want = max(1, -(-size // CYLINDER_BYTES)) * CYLINDER_BYTES
    if size == want:
        return None
    with open(path, "r+b") as f:
        f.truncate(want)
    return ("%s: %d bytes is not a whole number of %d-byte cylinders (16 heads x 63 "
            "sectors x 512), which Bochs needs: padded this run's copy with zeros to "
            "%d bytes" % (os.path.basename(path), size, CYLINDER_BYTES, want))


def qemu_exit_poweroff(status):
    """The value the kernel wrote to port 0xF4, from QEMU's exit status, or None."""
    if status is not None and status > 0 and status & 1:
        return status >> 1
    return None


@dataclass
class Launch:
    """Everything needed to start one emulator: argv, cwd, the files it writes."""
    kind: str                        # "qemu" or "bochs"
    argv: list
    serial: str = ""                 # COM1 output file
    e9: str = ""                     # port 0xE9 output file ("" = terminal)
    log: str = ""                    # Bochs log file; QEMU's -d int log
    kernel_dir: str = ""             # build/labN (kernel.sym, kernel.elf) for diagnostics
    files: dict = field(default_factory=dict)   # generated config: name -> path
    images: list = field(default_factory=list)  # disk images (Bochs leaves .lock)
    notes: list = field(default_factory=list)   # what was adjusted to start it

    def command_text(self):
        import shlex
        return " ".join(shlex.quote(a) for a in self.argv)


def _qemu_base(disk, data, blkdebug=None):
    argv = [QEMU, "-m", "%dM" % MEMORY_MB, "-display", "none", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-drive", "file=%s,format=raw,if=ide,index=0,media=disk,%s"
            % (disk.replace(",", ",,"), DRIVE_ERRORS)]
    if data and blkdebug:
        # The data disk through QEMU's blkdebug driver, which fails the
        # requests its configuration names (blkdebug_text).
        argv += ["-drive", "format=raw,file.driver=blkdebug,file.config=%s,"
                 "file.image.filename=%s,if=ide,index=1,media=disk,%s"
                 % (blkdebug.replace(",", ",,"), data.replace(",", ",,"), DRIVE_ERRORS)]
    elif data:
        argv += ["-drive", "file=%s,format=raw,if=ide,index=1,media=disk,%s"
                 % (data.replace(",", ",,"), DRIVE_ERRORS)]
    return argv


def blkdebug_text(errors):
    """A QEMU blkdebug configuration that fails with EIO every read of the
    sectors ERRORS["read"] and every write of ERRORS["write"] (each one a list
    of sector numbers); the drive then reports ERR to the guest."""
    lines = ["# generated by grade/emu.py: I/O errors injected on the data disk"]
    for kind, event in (("read", "read_aio"), ("write", "write_aio")):
        for sector in errors.get(kind, []):
            lines += ["", "[inject-error]", 'event = "%s"' % event, 'errno = "5"',
                      'sector = "%d"' % sector, 'iotype = "%s"' % kind, 'once = "off"']
    return "\n".join(lines) + "\n"


def qemu_headless(disk, data, workdir, data_errors=None):
    """QEMU for grading: COM1 to workdir/serial.log, no monitor, no screen.
    DATA_ERRORS ({"read": [sector...], "write": [...]}) makes the data disk
    fail those requests (blkdebug; its configuration goes to workdir)."""
    serial = os.path.join(workdir, "serial.log")
    e9 = os.path.join(workdir, "e9.log")
    files = {}
    if data and data_errors:
        files["blkdebug"] = _write(os.path.join(workdir, "blkdebug.conf"),
                                   blkdebug_text(data_errors))
    log = os.path.join(workdir, "qemu-int.log")
    argv = _qemu_base(disk, data, files.get("blkdebug")) + [
        "-monitor", "none", "-nic", "none",  # no network card
        "-serial", "file:" + serial, "-debugcon", "file:" + e9,
        # Every interrupt with the CPU state, and "Triple fault": the last
        # exceptions before a reset (the runner trims it while it grows).
        "-d", "int,cpu_reset", "-D", log]
    return Launch("qemu", argv, serial=serial, e9=e9, log=log, files=files,
                  images=[disk] + ([data] if data else []))


def qemu_interactive(disk, data, e9_log, gdb_port=None):
    """QEMU on the terminal: COM1 and the monitor on stdio (Ctrl-A X quits,
    Ctrl-A C monitor); with GDB_PORT, start halted and wait for gdb."""
    argv = _qemu_base(disk, data) + ["-serial", "mon:stdio", "-debugcon", "file:" + e9_log]
    if gdb_port is not None:
        argv += ["-S", "-gdb", "tcp:127.0.0.1:%d" % gdb_port]
    return Launch("qemu", argv, e9=e9_log, images=[disk] + ([data] if data else []))


def bochsrc_text(disk, data, serial, log):
    """A Bochs 2.7 configuration for StepOS (options checked against man bochsrc)."""
    bios = _first_existing(BOCHS_BIOS, "Bochs BIOS image", "bochsbios")
    vga = _first_existing(BOCHS_VGABIOS, "VGA BIOS image", "vgabios")
    lines = [
        "# generated by grade/emu.py",
        "display_library: term",
        "megs: %d" % MEMORY_MB,
        "romimage: file=%s" % bios,
        "vgaromimage: file=%s" % vga,
        "ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14",
        "ata0-master: type=disk, path=\"%s\", mode=flat, cylinders=%d, heads=%d, spt=%d"
        % ((disk,) + geometry(disk)),
    ]
    if data:
        lines.append("ata0-slave: type=disk, path=\"%s\", mode=flat, cylinders=%d, "
                     "heads=%d, spt=%d" % ((data,) + geometry(data)))
    lines += [
        "boot: disk",
        "com1: enabled=1, mode=file, dev=\"%s\"" % serial,
        "port_e9_hack: enabled=1",
        "magic_break: enabled=1",
        "cpu: ips=50000000, reset_on_triple_fault=0",
        "clock: sync=none, time0=0",
        "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy",
        "speaker: enabled=0",
        "panic: action=fatal",
        "log: \"%s\"" % log,
    ]
    return "\n".join(lines) + "\n"


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def bochs_headless(disk, data, workdir):
    """Bochs for grading: the debugger script just continues; stdout (port
    0xE9) goes to a file chosen by the caller, stdin must be /dev/null."""
    serial = os.path.join(workdir, "serial.log")
    log = os.path.join(workdir, "bochs.log")
    notes = _pad_images(disk, data)
    rc = _write(os.path.join(workdir, "bochs.rc"), "c\n")
    conf = _write(os.path.join(workdir, "bochsrc"), bochsrc_text(disk, data, serial, log))
    argv = [BOCHS, "-q", "-unlock", "-f", conf, "-rc", rc]
    return Launch("bochs", argv, serial=serial, log=log, files={"bochsrc": conf, "rc": rc},
                  images=[disk] + ([data] if data else []), notes=notes)


def _pad_images(disk, data):
    """Bochs attaches whole cylinders only: pad the copies DISK and DATA."""
    return [n for n in (pad_to_cylinders(disk), data and pad_to_cylinders(data)) if n]


def bochs_interactive(disk, data, symfile, serial, workdir, log=None):
    """Bochs with its debugger on the terminal, kernel symbols loaded, magic
    breakpoints on, COM1 to SERIAL and port 0xE9 on the terminal; its
    configuration goes to WORKDIR, its log to LOG (default WORKDIR/bochs.log)."""
    log = log or os.path.join(workdir, "bochs.log")
    rc_lines = ["ldsym global \"%s\"" % symfile] if symfile and os.path.exists(symfile) else []
    rc = _write(os.path.join(workdir, "bochs.rc"), "\n".join(rc_lines) + "\n")
    notes = _pad_images(disk, data)
    conf = _write(os.path.join(workdir, "bochsrc"), bochsrc_text(disk, data, serial, log))
    argv = [BOCHS, "-q", "-unlock", "-f", conf, "-rc", rc]
    return Launch("bochs", argv, serial=serial, log=log, files={"bochsrc": conf, "rc": rc},
                  images=[disk] + ([data] if data else []), notes=notes)


def bochs_log_verdict(log_path):
    """(triple_fault, message) from a Bochs log: the emulator's own panic."""
    try:
        with open(log_path, errors="replace") as f:
            text = f.read()
    except OSError:
        return False, ""
    if BOCHS_TRIPLE_RE.search(text):
        return True, "Bochs: " + BOCHS_TRIPLE_RE.search(text).group(0).replace(">>PANIC<< ", "")
    for m in BOCHS_PANIC_RE.finditer(text):
        if BOCHS_SHUTDOWN not in m.group(1):
            return False, "Bochs panic: " + m.group(1).strip()
    return False, ""


def remove_locks(images):
    """Delete the *.lock files Bochs leaves beside IMAGES when it is killed."""
    for img in images:
        try:
            os.unlink(img + ".lock")
        except OSError:
            pass


def gdb_port(uid=None):
    """A per-user TCP port for QEMU's gdb stub, so users of one machine differ."""
    uid = os.getuid() if uid is None else uid
    return 26000 + uid % 5000


def gdbinit_text(elf, port):
    return ("# generated by tools/boot.py: attach to QEMU's gdb stub\n"
            "set architecture i386\n"
            "# 'file' = symbol-file + exec-file (no 'no executable' warning)\n"
            "file %s\n"
            "target remote localhost:%d\n" % (elf, port))
