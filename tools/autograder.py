#!/usr/bin/env python3
"""autograder.py: `make autograder LAB=N`: the Gradescope autograder zip for one lab.

The zip holds setup.sh (installs the Debian/Ubuntu packages), run_autograder
(grades /autograder/submission with --pristine against the bundled
reference and writes /autograder/results/results.json) and stepos/: the
reference's protected files only (tests, hidden tests, rubrics, grader,
build files, command-line handling), so no solution is ever inside the
image a student's code runs in.
"""
import argparse
import datetime
import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))
import pristine  # noqa: E402
import labs  # noqa: E402
import rubric  # noqa: E402

SETUP_SH = """#!/usr/bin/env bash
# setup.sh: Gradescope image setup for StepOS (made by tools/autograder.py):
# the packages the build, the emulators and the grader need.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
HERE="$(cd "$(dirname "$0")" && pwd)"
bash "$HERE/stepos/tools/setup.sh"
# The grader reads its rubrics with tomllib: Python 3.11 or newer.
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  apt-get install -y -qq --no-install-recommends python3.11 || {
    echo "setup.sh: the grader needs Python >= 3.11: choose a newer base image" >&2; exit 1; }
fi
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# run_autograder: Gradescope entry point for StepOS lab %(lab)d (made by tools/autograder.py).
# AUTOGRADER_ROOT (default /autograder) moves the whole layout, for local tests.
AG="${AUTOGRADER_ROOT:-/autograder}"
PY=python3
for p in python3.13 python3.12 python3.11 python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    PY="$p"; break
  fi
done
mkdir -p "$AG/results"
exec "$PY" "$AG/source/stepos/grade/gradescope.py" --lab %(lab)d \\
    --reference "$AG/source/stepos" --submission "$AG/submission" \\
    --results "$AG/results/results.json"
"""


def _commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _add(z, name, data, mode=0o644):
    info = zipfile.ZipInfo(name, date_time=datetime.datetime.now().timetuple()[:6])
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


def build(lab, out, ref=ROOT):
    """Write the autograder zip of LAB to OUT; returns the bundled file names."""
    rub = rubric.load(lab, ref)
    files = [n for n in pristine.reference_files(ref)        # not the instructor's
             if pristine.handed_out(n) or pristine.is_hidden(n)]   # self-test patches
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with zipfile.ZipFile(out, "w") as z:
        _add(z, "setup.sh", SETUP_SH, 0o755)
        _add(z, "run_autograder", RUN_AUTOGRADER % {"lab": lab}, 0o755)
        for n in files:
            with open(os.path.join(ref, n), "rb") as f:
                mode = os.stat(os.path.join(ref, n)).st_mode & 0o777
                _add(z, "stepos/" + n, f.read(), mode)
        _add(z, "stepos/AUTOGRADER.txt",
             "StepOS %s (%s, %s points%s): autograder made %s from %s\n" % (
                 rub.lab, rub.title, rubric_points(rub),
                 ", %d hidden tests" % sum(e.hidden for e in rub.entries)
                 if any(e.hidden for e in rub.entries) else "",
                 datetime.date.today().isoformat(), _commit()))
    return files


def rubric_points(rub):
    p = rub.max_points
    return str(int(p)) if float(p).is_integer() else str(p)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lab", help="lab number")
    ap.add_argument("-o", "--out", help="zip to write (default build/autograder-labN.zip)")
    a = ap.parse_args()
    lab = rubric.lab_number(a.lab)
    if lab is None:
        ap.error("unknown lab %r: expected one of %s" % (a.lab, labs.describe()))
    out = a.out or os.path.join(ROOT, "build", "autograder-lab%d.zip" % lab)
    try:
        files = build(lab, out)
    except rubric.RubricError as e:
        print("autograder: %s" % e, file=sys.stderr)
        return 1
    print("autograder: lab %d -> %s (setup.sh, run_autograder, %d reference files; "
          "no solutions). Upload it as the assignment's autograder; see grade/README.md."
          % (lab, os.path.relpath(out), len(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
