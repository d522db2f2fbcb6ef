"""batch.py: instructor grading: pristine tests and build files, many submissions in parallel, CSV."""
import csv
import fnmatch
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

# Files a submission may not change: restored from the reference tree by
# --pristine (and deleted when the reference has no such file).
PRISTINE_PATTERNS = [
    "Makefile", "common/*.mk", "common/kernel.ld", "common/ktest.[ch]", "common/kjmp.asm",
    "common/host_tests/*", "lab*/lab.mk", "lab*/tests_*.c", "lab*/host_tests/*",
    "tools/*", "grade/*",
]
SKIP_DIRS = {".git", "build", "__pycache__"}


def source_files(root):
    """Relative paths of the files of a tree, without build output and VCS data."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], check=True, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout.decode()
        names = [n for n in out.split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = None
    if not names:
        names = []
        for d, dirs, files in os.walk(root):
            dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS)
            names += [os.path.relpath(os.path.join(d, f), root) for f in files]
    return [n for n in names if n.split("/", 1)[0] not in SKIP_DIRS and
            os.path.isfile(os.path.join(root, n))]


def copy_tree(src, dest):
    """Copy the source files of SRC into DEST (created)."""
    for n in source_files(src):
        target = os.path.join(dest, n)
        os.makedirs(os.path.dirname(target) or dest, exist_ok=True)
        shutil.copy2(os.path.join(src, n), target)


def is_pristine(path):
    return any(fnmatch.fnmatchcase(path, p) for p in PRISTINE_PATTERNS)


def overlay_pristine(tree, ref):
    """Make TREE's tests, rubric and build files those of the reference REF."""
    ref_files = {n for n in source_files(ref) if is_pristine(n)}
    for n in source_files(tree):
        if is_pristine(n) and n not in ref_files:
            os.unlink(os.path.join(tree, n))
    for n in sorted(ref_files):
        target = os.path.join(tree, n)
        os.makedirs(os.path.dirname(target) or tree, exist_ok=True)
        shutil.copy2(os.path.join(ref, n), target)
    return len(ref_files)


def pristine_copy(src, ref, dest):
    """A copy of SRC in DEST with REF's pristine files; returns DEST."""
    if not os.path.isdir(ref):
        raise FileNotFoundError("--pristine %s: not a directory" % ref)
    copy_tree(src, dest)
    overlay_pristine(dest, ref)
    return dest


_children = set()
_lock = threading.Lock()


def _stop_children(signum, frame):
    with _lock:
        for p in list(_children):
            try:
                p.send_signal(signal.SIGTERM)      # each grader kills its own emulators
            except ProcessLookupError:
                pass
    for p in list(_children):
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
    raise SystemExit(130)


def grade_submissions(args, grade_py, tmp):
    """Grade every subdirectory of args.submissions; write args.csv. Returns 0."""
    subs = sorted(d for d in os.listdir(args.submissions)
                  if os.path.isdir(os.path.join(args.submissions, d)) and not d.startswith("."))
    if not subs:
        print("grade.py: no submissions (subdirectories) in %s" % args.submissions)
        return 2
    csv_path = os.path.abspath(args.csv or "grades.csv")
    out_dir = csv_path + ".d"
    os.makedirs(out_dir, exist_ok=True)
    signal.signal(signal.SIGINT, _stop_children)
    signal.signal(signal.SIGTERM, _stop_children)
    print("grading %d submissions of %s, %d at a time; logs in %s"
          % (len(subs), args.lab, args.jobs or 1, out_dir), flush=True)

    def one(name):
        src = os.path.abspath(os.path.join(args.submissions, name))
        tree = src
        if args.pristine:
            tree = pristine_copy(src, os.path.abspath(args.pristine), os.path.join(tmp, name))
        js = os.path.join(out_dir, name + ".json")
        cmd = [sys.executable, grade_py, args.lab, "--root", tree, "--emulator", args.emulator,
               "--json", js, "-j", "1", "--timeout-scale", str(args.timeout_scale)]
        cmd += _passthrough(args)
        t0 = time.monotonic()
        with open(os.path.join(out_dir, name + ".txt"), "wb") as log:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                 stderr=subprocess.STDOUT)
            with _lock:
                _children.add(p)
            status = p.wait()
            with _lock:
                _children.discard(p)
        try:
            with open(js) as f:
                doc = json.load(f)
        except (OSError, ValueError):
            doc = {"score": 0, "tests": [], "extra_data": {}}
        row = {"submission": name, "score": doc["score"],
               "max_score": doc.get("extra_data", {}).get("max_score", ""),
               "exit_status": status, "seconds": round(time.monotonic() - t0, 1)}
        for t in doc["tests"]:
            row[t["name"]] = t["score"]
        print("%s: %s/%s (%.1fs)%s" % (name, row["score"], row["max_score"], row["seconds"],
                                       "" if status in (0, 1) else
                                       " grading error, see %s.txt" % name), flush=True)
        return row

    with ThreadPoolExecutor(max_workers=max(1, args.jobs or 1)) as pool:
        rows = list(pool.map(one, subs))
    fields = ["submission", "score", "max_score", "exit_status", "seconds"]
    for r in rows:
        fields += [k for k in r if k not in fields]
    with open(csv_path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    print("wrote %s" % csv_path)
    return 0


def _passthrough(args):
    out = []
    if args.seeds is not None:
        out += ["--seeds", str(args.seeds)]
    if args.seed is not None:
        out += ["--seed", str(args.seed)]
    for p in args.patterns:
        out += ["-k", p]
    return out
