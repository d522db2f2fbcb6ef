"""integrity.py: integrity findings (signs a submission tampered with its grading) travel as warning strings marked with one prefix; build outputs are opened without following links."""
import os
import stat

# A finding that a submission tried (or could only have meant) to get points
# without the work: a line starting with this prefix. Findings travel in the
# same warnings list as every other grader warning (pristine.protect,
# batch.Outcome.warnings, grade.py's output and JSON), so one convention
# lets the terminal, the CSV, the JSON and Gradescope pick them out.
PREFIX = "INTEGRITY: "


def flag(msg):
    """MSG as an integrity finding: a warning string starting with PREFIX."""
    return msg if msg.startswith(PREFIX) else PREFIX + msg


def is_flag(s):
    """True if warning string S is an integrity finding."""
    return isinstance(s, str) and s.startswith(PREFIX)


def flags(lines):
    """The INTEGRITY findings among LINES (other warnings left out)."""
    return [x for x in lines if is_flag(x)]


class UnsafeOutput(FileNotFoundError):
    """A build output the grader must not read (a link, a device, a folder);
    its message is an INTEGRITY flag. A FileNotFoundError, so every caller
    that handles a missing output treats it as a failed build."""


def open_output(path, root=None):
    """Open build output PATH for reading as a regular file, never through a
    symbolic link: os.O_NOFOLLOW for PATH itself and, when ROOT (a folder
    PATH is inside) is given, no link among the folders from ROOT down to
    PATH. Returns a binary file object. Raises FileNotFoundError when PATH
    does not exist and UnsafeOutput when it is not a regular file."""
    shown = os.path.relpath(path, root) if root is not None else path
    if root is not None:
        d = os.path.dirname(os.path.abspath(path))
        top = os.path.abspath(root)
        while d.startswith(top + os.sep):
            if os.path.islink(d):
                raise UnsafeOutput(flag("build folder %s is a symbolic link: %s not used, "
                                        "the lab is graded as not built"
                                        % (os.path.relpath(d, top), shown)))
            d = os.path.dirname(d)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as e:               # ELOOP: a symbolic link
        raise UnsafeOutput(flag("build output %s is a symbolic link or cannot be opened "
                                "(%s): not used, the lab is graded as not built"
                                % (shown, e.strerror)))
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise UnsafeOutput(flag("build output %s is not a regular file: not used, the lab "
                                "is graded as not built" % shown))
    return os.fdopen(fd, "rb")


def check_output(path, root=None):
    """Raise as open_output does unless PATH is a regular file (not a link)."""
    open_output(path, root).close()
