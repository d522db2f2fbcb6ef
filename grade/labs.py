"""labs.py: the one list of labs: every directory labN-NAME/ at the top of the tree that holds a lab.mk (the Makefile finds them the same way)."""
import os
import re
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Same pattern as the Makefile's LAB_DIRS: lab[1-9]-*/lab.mk.
DIR_RE = re.compile(r"^lab([1-9])-([a-z0-9_]+)$")


@dataclass(frozen=True)
class Lab:
    number: int
    dir: str          # "lab3-paging"

    @property
    def name(self):   # "lab3"
        return "lab%d" % self.number


def discover(root=ROOT):
    """[Lab] of ROOT in number order."""
    found = []
    try:
        names = os.listdir(root)
    except OSError:
        return []
    for d in names:
        m = DIR_RE.match(d)
        if m and os.path.isfile(os.path.join(root, d, "lab.mk")):
            found.append(Lab(int(m.group(1)), d))
    return sorted(found, key=lambda lab: lab.number)


def numbers(root=ROOT):
    """Lab numbers of ROOT, in order."""
    return [lab.number for lab in discover(root)]


def dirs(root=ROOT):
    """{number: directory} of ROOT's labs."""
    return {lab.number: lab.dir for lab in discover(root)}


def parse(spec, root=ROOT):
    """The lab number SPEC names ('3', 'lab3', 'lab3-paging'), or None when it
    names no lab of ROOT."""
    m = re.fullmatch(r"(?:lab)?(\d+)(?:-[a-z0-9_]+)?", str(spec).strip().lower())
    if not m or int(m.group(1)) not in dirs(root):
        return None
    return int(m.group(1))


def describe(root=ROOT):
    """'1..6' style range (or a list) of ROOT's lab numbers, for messages."""
    nums = numbers(root)
    if not nums:
        return "(no labs)"
    if nums == list(range(nums[0], nums[-1] + 1)) and len(nums) > 2:
        return "%d..%d" % (nums[0], nums[-1])
    return ", ".join(map(str, nums))
