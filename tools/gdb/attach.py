#!/usr/bin/env python3
"""attach.py: `make gdb`: start gdb on .gdbinit only once QEMU's gdb stub is listening."""
import os
import re
import socket
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GDBINIT = os.path.join(ROOT, ".gdbinit")
CONNECT_TIMEOUT = 2.0      # seconds; a local listener answers at once


def gdbinit_target(text):
    """(host, port, lab name or None) that TEXT (a .gdbinit boot.py wrote) attaches to;
    None when it names no 'target remote HOST:PORT'."""
    m = re.search(r"^target remote ([\w.-]+):(\d+)\s*$", text, re.M)
    if m is None:
        return None
    lab = re.search(r"^file build/(lab\d)(?:-gdb)?/kernel\.elf\s*$", text, re.M)
    return m.group(1), int(m.group(2)), lab.group(1) if lab else None


def listening(host, port):
    """True when something accepts TCP connections on HOST:PORT."""
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            return True
    except OSError:
        return False


def main():
    try:
        with open(GDBINIT) as f:
            target = gdbinit_target(f.read())
    except FileNotFoundError:
        sys.exit("error: no .gdbinit; run 'make labN-gdb' in another terminal first")
    if target is None:
        sys.exit("error: .gdbinit has no 'target remote HOST:PORT' line; "
                 "run 'make labN-gdb' again to rewrite it")
    host, port, lab = target
    # QEMU's stub takes one connection: a probe before gdb's is harmless, it
    # accepts the next one once the probe has closed.
    if not listening(host, port):
        sys.exit("error: nothing is waiting for gdb on %s:%d: run 'make %s-gdb' in "
                 "another terminal first" % (host, port, lab or "labN"))
    os.chdir(ROOT)
    os.execvp("gdb", ["gdb", "-q", "-nx", "-x", ".gdbinit"] + sys.argv[1:])


if __name__ == "__main__":
    main()
