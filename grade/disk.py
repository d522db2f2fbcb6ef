"""disk.py: copy a lab's disk images and write the kernel command line into the copy."""
import os
import shutil

import integrity

CMDLINE_OFFSET = 512     # sector 1 of the boot disk
CMDLINE_SECTOR = 512
CMDLINE_MAX = CMDLINE_SECTOR - 1


def write_cmdline(image, cmdline):
    """Overwrite sector 1 of IMAGE with CMDLINE, NUL-terminated and padded."""
    data = cmdline.encode("ascii")
    if len(data) > CMDLINE_MAX:
        raise ValueError("command line is %d bytes, the limit is %d: %r"
                         % (len(data), CMDLINE_MAX, cmdline))
    if b"\0" in data:
        raise ValueError("command line contains a NUL byte")
    with open(image, "r+b") as f:
        f.seek(CMDLINE_OFFSET)
        f.write(data + b"\0" * (CMDLINE_SECTOR - len(data)))


def read_cmdline(image):
    """The command line stored in IMAGE (up to the first NUL)."""
    with open(image, "rb") as f:
        f.seek(CMDLINE_OFFSET)
        return f.read(CMDLINE_SECTOR).split(b"\0", 1)[0].decode("ascii", "replace")


def lab_images(build_dir, want_data=None):
    """(boot disk, data disk or None) of a built lab. WANT_DATA True requires
    the data disk, None attaches it when it exists, False never does. An
    image that is a symbolic link (or sits below one inside the tree), or is
    not a regular file, raises integrity.UnsafeOutput (a FileNotFoundError
    whose message is an INTEGRITY flag): it is never read."""
    disk = os.path.join(build_dir, "disk.img")
    data = os.path.join(build_dir, "data.img")
    tree = os.path.dirname(os.path.dirname(os.path.abspath(build_dir)))  # TREE/build/labN
    if not os.path.lexists(disk):
        raise FileNotFoundError("%s does not exist (did the build succeed?)" % disk)
    integrity.check_output(disk, tree)
    if want_data is False:
        return disk, None
    if os.path.lexists(data):
        integrity.check_output(data, tree)
        return disk, data
    if want_data:
        raise FileNotFoundError("%s does not exist: the rubric needs a data disk" % data)
    return disk, None


def copy_images(disk, data, dest_dir, cmdline=None):
    """Copy DISK (and DATA) into DEST_DIR, write CMDLINE into the copy of the
    boot disk if given; returns the paths of the copies."""
    os.makedirs(dest_dir, exist_ok=True)
    disk_copy = os.path.join(dest_dir, "disk.img")
    _copy_output(disk, disk_copy)
    if cmdline is not None:
        write_cmdline(disk_copy, cmdline)
    data_copy = None
    if data:
        data_copy = os.path.join(dest_dir, "data.img")
        _copy_output(data, data_copy)
    return disk_copy, data_copy


def _copy_output(src, dest):
    """Copy build output SRC to DEST, reading SRC only as a regular file
    opened without following a link (integrity.open_output)."""
    with integrity.open_output(src) as f, open(dest, "wb") as out:
        shutil.copyfileobj(f, out)
