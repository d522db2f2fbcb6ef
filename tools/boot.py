#!/usr/bin/env python3
"""boot.py: boot a built StepOS lab interactively in QEMU, in the Bochs debugger, or in QEMU waiting for gdb."""
import argparse
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))

import diagnose  # noqa: E402
import labs  # noqa: E402
import disk     # noqa: E402
import emu      # noqa: E402
import rubric   # noqa: E402


# --gdb boots build/labN-gdb/, the kernel make labN-gdb builds with -Og.
GDB_VARIANT = "-gdb"
# The commands threads, btthread, pf and pools (tools/gdb/stepos.py).
GDB_HELPERS = "source tools/gdb/stepos.py\n"


def rel(path):
    return os.path.relpath(path, ROOT)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="boot.py", description="Boot build/labN/disk.img (built by make build-labN). "
        "Default: QEMU with COM1 and the QEMU monitor on this terminal (Ctrl-A X quits, "
        "Ctrl-A C switches to the monitor).")
    p.add_argument("lab", help="N, labN or labN-name")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--bochs", action="store_true",
                      help="Bochs with its debugger here, kernel symbols loaded, magic "
                      "breakpoints (xchg bx,bx) on; COM1 goes to build/labN/serial.log")
    mode.add_argument("--gdb", action="store_true",
                      help="QEMU halted at the first instruction, waiting for gdb "
                      "(then run 'make gdb' in another terminal); boots build/labN-gdb/ "
                      "(make build-labN-gdb: the -Og kernel)")
    p.add_argument("--cmdline", default="", metavar="TEXT",
                   help="kernel command line for this boot (default: the one the build wrote)")
    p.add_argument("--dry-run", action="store_true", help="print the command, do not run it")
    a = p.parse_args(argv)
    a.number = rubric.lab_number(a.lab)
    if a.number is None:
        p.error("unknown lab %r: expected one of %s (or labN, labN-name)"
                % (a.lab, labs.describe()))
    return a


def prepare(args):
    """Copy the lab's images to a fresh build/labN/run-XXXX/ (the build's own
    images stay pristine, and two sessions never share an image) and write the
    command line into the copy."""
    target = "lab%d%s" % (args.number, GDB_VARIANT if args.gdb else "")
    build = os.path.join(ROOT, "build", target)
    try:
        boot_img, data_img = disk.lab_images(build)
    except FileNotFoundError as e:
        sys.exit("boot.py: %s; run 'make build-%s' first" % (e, target))
    run_dir = tempfile.mkdtemp(prefix="run-", dir=build)
    try:
        return build, run_dir, disk.copy_images(boot_img, data_img, run_dir,
                                                args.cmdline.strip() or None)
    except ValueError as e:
        shutil.rmtree(run_dir, ignore_errors=True)
        sys.exit("boot.py: %s" % e)


def port_in_use(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    kind = "bochs" if args.bochs else "qemu"
    try:
        emu.check_emulator(kind)
        if args.gdb:
            emu.require(emu.GDB)
    except emu.EmulatorMissing as e:
        sys.exit("boot.py: %s" % e)
    if args.gdb and port_in_use(emu.gdb_port()):
        sys.exit("boot.py: TCP port %d (your gdb port) is in use: is another "
                 "'make labN-gdb' still running?" % emu.gdb_port())
    build, run_dir, (boot_img, data_img) = prepare(args)
    try:
        return boot(args, build, run_dir, boot_img, data_img)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def boot(args, build, run_dir, boot_img, data_img):
    if args.bochs:
        serial = os.path.join(build, "serial.log")
        launch = emu.bochs_interactive(boot_img, data_img, rel(os.path.join(build, "kernel.sym")),
                                       rel(serial), run_dir, log=os.path.join(build, "bochs.log"))
        notes = ["Bochs debugger: 'c' continues, Ctrl-C breaks in, 's' steps, 'q' quits.",
                 "COM1 output goes to %s; port 0xE9 output appears here; Bochs's own "
                 "log is %s." % (rel(serial), rel(os.path.join(build, "bochs.log"))),
                 "Symbols from %s are loaded; xchg bx,bx stops in the debugger."
                 % rel(os.path.join(build, "kernel.sym"))]
    else:
        port = emu.gdb_port() if args.gdb else None
        launch = emu.qemu_interactive(boot_img, data_img, os.path.join(build, "e9.log"), port)
        notes = ["QEMU: COM1 is this terminal. Ctrl-A X quits, Ctrl-A C toggles the monitor."]
        if args.gdb:
            gdbinit = os.path.join(ROOT, ".gdbinit")
            with open(gdbinit, "w") as f:
                f.write(emu.gdbinit_text(rel(os.path.join(build, "kernel.elf")), port))
                f.write(GDB_HELPERS)
            notes.append("QEMU is waiting for gdb on localhost:%d; in another terminal "
                         "run: make gdb" % port)
    add_fault_log(launch, build, run_dir)
    notes = launch.notes + notes       # e.g. an image padded for Bochs
    print("+ " + " ".join(shlex.quote(a.replace(ROOT + "/", "")) for a in launch.argv),
          flush=True)
    for n in notes:
        print("  " + n, flush=True)
    if args.dry_run:
        return 0
    return run(launch)


def run(launch):
    """Run LAUNCH on this terminal; Ctrl-C belongs to the emulator meanwhile."""
    signal.signal(signal.SIGINT, lambda *a: None)   # handler (not SIG_IGN): reset by exec
    proc = None

    def forward(signum, frame):
        if proc is not None:
            proc.send_signal(signal.SIGINT if launch.kind == "bochs" else signum)
    signal.signal(signal.SIGTERM, forward)     # Bochs ignores SIGTERM, SIGINT stops it
    try:
        proc = subprocess.Popen(launch.argv, cwd=ROOT)
        stop_trim = trim_fault_log(launch)
        status = proc.wait()
        stop_trim.set()
    finally:
        emu.remove_locks(launch.images)
    report_triple_fault(launch)
    if launch.kind == "qemu":
        v = emu.qemu_exit_poweroff(status)
        if v is not None:
            print("\n[QEMU exit status %d: the kernel powered off with status %d]"
                  % (status, v))
            return v
        if status == 0:
            return 0              # Ctrl-A X, or a reset (-no-reboot)
        return status if status > 0 else 1
    # Bochs exits 1 after the kernel's shutdown and after 'q' alike.
    return 0 if status in (0, 1) else status


def add_fault_log(launch, build, run_dir):
    """Let a triple fault be named after the emulator exits: QEMU logs every
    interrupt (-d int, trimmed while it runs) and "Triple fault" (cpu_reset)
    to RUN_DIR; Bochs already logs to LAUNCH.log. Symbols come from BUILD."""
    launch.kernel_dir = build
    if launch.kind == "qemu":
        launch.log = os.path.join(run_dir, "qemu-int.log")
        launch.argv += ["-d", "int,cpu_reset", "-D", launch.log]


def trim_fault_log(launch):
    """Keep QEMU's interrupt log small while it runs (a thread, every second,
    until the returned event is set)."""
    stop = threading.Event()
    if launch.kind == "qemu":
        def trim():
            while not stop.wait(1.0):
                diagnose.trim_log(launch.log)
        threading.Thread(target=trim, daemon=True).start()
    return stop


def report_triple_fault(launch):
    """After the emulator exits: if its log shows a triple fault, print the
    last exceptions before the reset with their symbols and source lines."""
    if not launch.log:
        return
    if launch.kind == "qemu":
        if "Triple fault" not in diagnose.read_tail(launch.log, 4096):
            return
        head = "QEMU: triple fault (CPU reset)"
    else:
        triple, head = emu.bochs_log_verdict(launch.log)
        if not triple:
            return
    what = diagnose.triple_fault_text(launch.kind, launch.log, launch.kernel_dir)
    print("\n[%s%s]" % (head, "; " + what if what else ""), flush=True)


if __name__ == "__main__":
    sys.exit(main())
