"""integrity.py: integrity findings (signs a submission tampered with its grading) travel as warning strings marked with one prefix."""
PREFIX = "INTEGRITY: "


def flag(msg):
    """MSG as an integrity finding: a warning string starting with PREFIX."""
    return msg if msg.startswith(PREFIX) else PREFIX + msg


def is_flag(s):
    """True if warning string S is an integrity finding."""
    return isinstance(s, str) and s.startswith(PREFIX)
