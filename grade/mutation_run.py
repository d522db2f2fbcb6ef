"""mutation_run.py: grade mutants in parallel worker copies of the tree (equivalence check, build, grade.py with time limits) for grade/mutate.py."""
import fnmatch
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import mutation_history as mhist
import mutation_obj as mobj
import pristine

# The worker copy's own grader and rubrics: one snapshot, whatever happens to
# the root tree during a long run.
GRADE = os.path.join("grade", "grade.py")
# Interrupt, timing and disk code is graded on both emulators: their timing
# and device models differ, and a bug may show on one only.
BOTH_EMULATORS = ["lab1-boot/intr.c", "lab1-boot/pit.c", "lab1-boot/pic.c", "lab4-threads/*.asm",
                  "lab5-rr/*", "lab6-disk/*"]
BUILD_TIMEOUT = 300
# Outer wall-clock limit of one mutant's grading, unless --time-limit: this
# many times the unmutated lab's grading time on the same (loaded) machine.
TIME_LIMIT_FACTOR, MIN_TIME_LIMIT, BASELINE_TIME_LIMIT = 10, 60, 600
HOST_TEST_TIMEOUT = 300
# session.NOT_RUN_FAIL_FAST (not imported: the worker copy's grader is the one run).
NOT_RUN = "(--fail-fast)"


def emulator_for(path):
    return "both" if any(fnmatch.fnmatchcase(path, p) for p in BOTH_EMULATORS) else "qemu"


class Signatures:
    """Object signatures of the unmutated units, computed once from the root tree."""

    def __init__(self, root, dirs):
        self.root, self.dirs, self.lock = root, dirs, threading.Lock()
        self.cache, self.base_flags, self.kernel = {}, None, None

    def flags(self, lab):
        with self.lock:
            if self.base_flags is None:
                self.base_flags = mobj.kernel_cflags(self.root)
        return self.base_flags + mobj.lab_defines(lab, self.dirs[lab])

    def units(self, rel):
        """The translation units a change of REL affects."""
        if not rel.endswith(".h"):
            return [rel]
        with self.lock:
            if self.kernel is None:
                import mutate
                self.kernel = mutate.kernel_sources(self.root)
        return mobj.dependents(self.root, rel, self.kernel)

    def original(self, unit, lab, tree):
        """Signature of UNIT unmutated, compiled in the worker copy TREE (all
        copies are alike; the root tree may change during a long run)."""
        key = (unit, lab)
        with self.lock:
            if key in self.cache:
                return self.cache[key]
        sig = mobj.unit_signature(tree, unit, self.flags(lab))
        with self.lock:
            self.cache[key] = sig
        return sig


RUNNING = set()          # process groups of the builds and graders under way
STOP = threading.Event()   # set on Ctrl-C: start nothing more


class Stopped(Exception):
    pass


def _kill(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop_all():
    """Ctrl-C: no new work, and kill every build and grader of this run."""
    STOP.set()
    for pid in list(RUNNING):
        _kill(pid)


def _run(cmd, cwd, timeout):
    """(status or None on timeout, output) of CMD in its own process group."""
    if STOP.is_set():
        raise Stopped()
    p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    RUNNING.add(p.pid)
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        _kill(p.pid)
        out, _ = p.communicate()
        return None, out.decode("utf-8", "replace")
    finally:
        RUNNING.discard(p.pid)
        if STOP.is_set():
            raise Stopped()


def make(tree, lab):
    """(status, output) of make build-labN in TREE."""
    return _run(["make", "-C", tree, "-s", "--no-print-directory", "build-lab%d" % lab],
                tree, BUILD_TIMEOUT)


def build_and_grade(tree, lab, emulator, args, json_path, time_limit=None, fail_fast=False,
                    killers=()):
    """('ok'|'points'|'build'|'time'|'error', detail) of building lab LAB in TREE
    and grading it with the grader of this tree. EMULATOR "both" grades on QEMU
    first and on Bochs only if QEMU gave full marks: a test failed on either
    emulator fails the "both" run, so the verdict is the same as one run of
    both, and a mutant killed on QEMU costs no Bochs boot. The outer time
    limit covers the two runs together, as it covers one run of both.
    FAIL_FAST: each grader stops at its first lost point (grade_once).
    KILLERS: rubric entries that killed earlier mutants of the same file,
    graded first on the first emulator (a probe): a point lost there kills
    the mutant at once; full marks there, and the mutant is graded as
    without them (the probe only adds its own time)."""
    status, out = make(tree, lab)
    if status != 0:
        return "build", "\n".join(out.splitlines()[-5:])
    limit = time_limit or args.time_limit or BASELINE_TIME_LIMIT
    deadline = time.monotonic() + limit
    emus = ["qemu", "bochs"] if emulator == "both" else [emulator]
    if killers:
        verdict, detail = grade_once(tree, lab, emus[0], args, json_path,
                                     max(1, deadline - time.monotonic()), limit,
                                     fail_fast=True, tests=killers)
        if verdict in ("points", "time"):
            return verdict, detail
    verdict, detail = "ok", ""
    for emu in emus:
        verdict, detail = grade_once(tree, lab, emu, args, json_path,
                                     max(1, deadline - time.monotonic()), limit,
                                     fail_fast=fail_fast)
        if verdict != "ok":
            break
    return verdict, detail


def grade_once(tree, lab, emulator, args, json_path, remaining, limit, fail_fast=False,
               tests=()):
    """(verdict, detail) of one grade.py run on EMULATOR, killed after REMAINING
    seconds (LIMIT is the whole limit, for the message). FAIL_FAST: the
    grader stops at the first lost point (grade.py --fail-fast); the verdict
    is the same, the detail names the failures found before it stopped.
    TESTS: only these rubric entries (names), not the whole rubric."""
    cmd = [sys.executable, os.path.join(tree, GRADE), "lab%d" % lab] + list(tests) + [
           "--root", tree, "--no-build", "--emulator",
           emulator, "--json", json_path, "--timeout-scale", str(args.timeout_scale),
           "--no-rerun"] + (["--fail-fast"] if fail_fast else [])
    status, out = _run(cmd, tree, remaining)
    if status is None:
        return "time", "no verdict after %ds (outer time limit)" % limit
    if status == 0:
        return "ok", ""
    if status != 1:
        return "error", "grade.py exit status %s: %s" % (status, out.splitlines()[-3:])
    try:
        with open(json_path) as f:
            tests = json.load(f)["tests"]
        lost = ["%s=%s" % (t["name"], real_failure(t)) for t in tests
                if t.get("score", 0) < t.get("max_score", 0) and real_failure(t)]
    except (OSError, ValueError, KeyError):
        lost = ["(no JSON)"]
    return "points", " ".join(lost)


def real_failure(test):
    """The verdict of the first failure of a results.json TEST that is not a
    --fail-fast "not run" (its output has "[qemu seed=1] PANIC: ..." lines,
    each failure's reason continued on indented lines), or None."""
    output = test.get("output")
    if not output:
        return test.get("extra_data", {}).get("verdict")
    for line in output.split("\n"):
        if line and not line.startswith(" ") and NOT_RUN not in line and ": " in line:
            return line.split("] ", 1)[-1].split(":", 1)[0]
    return None


class Pool:
    """Worker copies of the root tree, one per job slot, made on first use."""

    def __init__(self, root, tmp, n, labs):
        self.root, self.tmp, self.labs = root, tmp, labs
        self.free = queue.Queue()
        for i in range(n):     # all copies now: the mutants were made from this state
            d = os.path.join(tmp, "w%d" % i)
            pristine.copy_tree(self.root, d)
            for sub in ["boot"] + ["lab%d" % k for k in self.labs]:
                src = os.path.join(self.root, "build", sub)
                if os.path.isdir(src):  # keeps mtimes: make rebuilds only what is stale
                    shutil.copytree(src, os.path.join(d, "build", sub), dirs_exist_ok=True)
            self.free.put(d)

    def acquire(self):
        return self.free.get()

    def release(self, d):
        self.free.put(d)


def killers_for(history, lab, path, emulator, mode):
    """The tests to grade first for a mutant of PATH (--killers-first MODE):
    none with "never" or no history; with "auto" only for mutants graded on
    both emulators (there grading is long; on QEMU alone one fail-fast
    grading costs about what the probe does)."""
    if history is None or mode == "never" or (mode == "auto" and emulator != "both"):
        return []
    return history.killers(lab, path)


def grade_mutant(m, tree, sigs, args, host_dir, limit=None, history=None):
    """Result dict of mutant M graded in worker TREE (left unmutated after).
    HISTORY (mutation_history.History): its likely killers are booted first,
    and the tests that kill M are added to it."""
    res = {"id": m.ident, "where": m.where(), "file": m.path, "line": m.line,
           "source": m.source, "mutation": m.desc, "op": m.op}
    full = os.path.join(tree, m.path)
    with open(full) as f:
        original = f.read()
    for unit in sigs.units(m.path):
        sigs.original(unit, m.lab, tree)
    try:
        with open(full, "w") as f:
            f.write(m.apply(original))
        same = True
        for unit in sigs.units(m.path):
            try:
                sig = mobj.unit_signature(tree, unit, sigs.flags(m.lab))
            except mobj.CompileError as e:
                res.update(result="not-compiling", detail=str(e).splitlines()[0][:200])
                return res
            same = same and sig == sigs.original(unit, m.lab, tree)
        if same:
            res["result"] = "equivalent"
            return res
        emulator = emulator_for(m.path)
        res["emulator"] = emulator
        t0 = time.monotonic()
        killers = killers_for(history, m.lab, m.path, emulator, args.killers_first)
        res["killers"] = killers
        verdict, detail = build_and_grade(tree, m.lab, emulator, args,
                                          os.path.join(tree, "mutant.json"), limit,
                                          fail_fast=not args.no_fail_fast, killers=killers)
        if verdict == "points" and history:
            history.record(m.lab, m.path, mhist.first_failures(detail))
        res["seconds"] = round(time.monotonic() - t0, 1)
        res["detail"] = detail
        res["result"] = {"ok": "survived", "points": "killed", "time": "killed",
                         "build": "not-compiling"}.get(verdict, "error")
        if res["result"] == "survived" and args.host_tests and host_dir:
            res["host_killed"] = host_tests(tree, host_dir)[0] != 0
        return res
    finally:
        with open(full, "w") as f:
            f.write(original)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during run_all: RESULTS and BASELINES hold what
    was graded to the end before it (mutate.py reports them as partial)."""

    def __init__(self, results, baselines):
        super().__init__()
        self.results, self.baselines = results, baselines


def run_all(args, plan, equivalents, tmp, dirs):
    """Grade every selected mutant of PLAN {lab: (generated, [Mutant])}; returns
    ({mutant id: result}, {lab: problem of the unmutated baseline, or None}).
    Interrupted, it raises Interrupted with the mutants graded so far."""
    sigs = Signatures(args.root, dirs)
    sigs.flags(min(dirs))                      # fail early if make cannot tell KCFLAGS
    history = (None if getattr(args, "killers_first", "never") == "never"
               else mhist.History(args.root, sorted(plan)))
    pool = Pool(args.root, tmp, args.jobs, sorted(plan))
    results, baselines, limits, lock = {}, {}, {}, threading.Lock()
    todo = [(lab, m) for lab in sorted(plan) for m in plan[lab][1]]
    done = [0]
    tty = sys.stderr.isatty()

    def baseline(lab):
        if not plan[lab][1]:
            return
        emus = {emulator_for(m.path) for m in plan[lab][1]}
        tree = pool.acquire()
        try:
            make(tree, lab)              # the first build is not part of the grading time
            t0 = time.monotonic()
            verdict, detail = build_and_grade(tree, lab, "both" if "both" in emus else "qemu",
                                              args, os.path.join(tree, "baseline.json"))
            took = time.monotonic() - t0
            hd = host_dir(args.root, dirs[lab])
            if verdict == "ok" and args.host_tests and hd:
                status, out = host_tests(tree, hd)
                if status != 0:
                    verdict, detail = "host tests", "\n".join(out.splitlines()[-5:])
        finally:
            pool.release(tree)
        baselines[lab] = None if verdict == "ok" else "%s %s" % (verdict, detail)
        limits[lab] = args.time_limit or max(MIN_TIME_LIMIT, TIME_LIMIT_FACTOR * took)

    def one(item):
        lab, m = item
        if STOP.is_set():
            return None
        key = (m.path, m.source, m.desc)
        if key in equivalents:
            res = {"id": m.ident, "where": m.where(), "file": m.path, "line": m.line,
                   "source": m.source, "mutation": m.desc, "op": m.op, "result": "reviewed",
                   "detail": equivalents[key]}
        else:
            tree = pool.acquire()
            try:
                res = grade_mutant(m, tree, sigs, args, host_dir(args.root, dirs[lab]),
                                   limits.get(lab), history)
            except (OSError, ValueError, mobj.CompileError) as e:
                res = {"id": m.ident, "where": m.where(), "result": "error", "detail": str(e)}
            finally:
                pool.release(tree)
        with lock:
            results[m.ident] = res
            done[0] += 1
            counts = {}
            for r in results.values():
                counts[r["result"]] = counts.get(r["result"], 0) + 1
            status = "[%d/%d] lab%d %s" % (done[0], len(todo), lab, " ".join(
                "%s %d" % kv for kv in sorted(counts.items())))
            if tty:
                sys.stderr.write("\r\033[K" + status)
                sys.stderr.flush()
            elif done[0] % 25 == 0 or done[0] == len(todo):
                print(status, flush=True)
            if history and done[0] % 25 == 0:
                history.save()
        return res

    ex = ThreadPoolExecutor(max_workers=args.jobs)
    try:
        list(ex.map(baseline, sorted(plan)))
        list(ex.map(one, todo))
    except KeyboardInterrupt:
        stop_all()
        ex.shutdown(wait=True, cancel_futures=True)   # workers restore their files
        if history:
            history.save()
        with lock:
            raise Interrupted(dict(results), dict(baselines))
    ex.shutdown()
    if history:
        history.save()
    if tty:
        sys.stderr.write("\n")
    return results, baselines


def host_tests(tree, lab_dir):
    """(status, output) of the host unit tests of LAB_DIR in TREE."""
    return _run(["make", "-C", tree, "-s", "--no-print-directory", "host-test",
                 "HOST_FILTER=%s/%%" % lab_dir], tree, HOST_TEST_TIMEOUT)


def host_dir(root, lab_dir):
    return lab_dir if os.path.isdir(os.path.join(root, lab_dir, "host_tests")) else None
