#!/usr/bin/env python3
"""grade.py: build a StepOS lab, boot its tests in QEMU and/or Bochs, and score them by its rubric."""
import argparse
import math
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import disk         # noqa: E402
import labs         # noqa: E402
import emu          # noqa: E402
import intake       # noqa: E402
import integrity    # noqa: E402
import labrun       # noqa: E402
import report       # noqa: E402
import rubric       # noqa: E402
import runner       # noqa: E402
import safe_text    # noqa: E402
import sandbox      # noqa: E402

GRADER_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD_TAIL = 25
BUILD_TIMEOUT = 600      # seconds of wall-clock time for one build
KEEP_DEFAULT = "build/grade"     # under the graded tree; any other DIR is as given
# batch.py (classes) and timeline_svg.py (--timeline) are imported where they
# are used: grading one tree never needs them, and make test starts the
# grader some 250 times (0.05 CPU s each).
TIME_LIMIT = 900         # --time-limit: wall-clock seconds per submission (batch.py)


class UsageError(Exception):
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="grade.py", description="Grade StepOS labs: build, boot the in-kernel tests "
        "headless, score them by labN-NAME/rubric.toml. Exit status: 0 full marks, "
        "1 points lost, 2 usage or setup error, 130 interrupted.")
    p.add_argument("lab", nargs="?", help="lab to grade: N, labN, labN-name, all, or full (every lab's tests on the last lab's kernel)")
    p.add_argument("filters", nargs="*", metavar="TEST",
                   help="only rubric entries whose name matches one of these globs")
    p.add_argument("-k", dest="kfilters", action="append", default=[], metavar="GLOB",
                   help="test-name filter (glob); may be repeated")
    p.add_argument("--emulator", choices=["qemu", "bochs", "both"], default="qemu")
    p.add_argument("--seeds", type=int, metavar="N",
                   help="N runs with seed=S..S+N-1 (S from --seed, default 1)")
    p.add_argument("--seed", type=int, metavar="S", help="run with seed=S (replays a failure)")
    p.add_argument("--keep", nargs="?", const=KEEP_DEFAULT, metavar="DIR",
                   help="keep serial logs, Bochs logs, images and commands in DIR "
                   "(default build/grade)")
    p.add_argument("--json", metavar="FILE", help="write Gradescope results.json to FILE")
    p.add_argument("-v", "--verbose", action="store_true", help="stream serial output")
    p.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="runs (emulator x seed) at once (default: one per CPU, max 4)")
    p.add_argument("--lab", dest="lab_opt", metavar="N", help="the lab (instead of LAB)")
    p.add_argument("--root", metavar="DIR",
                   help="the StepOS tree to build and grade (default: this grader's tree); "
                   "with --pristine also a .zip or .tar.gz")
    p.add_argument("--timeout-scale", type=float, default=1.0, metavar="F",
                   help="multiply every timeout by F (slow or loaded machines)")
    p.add_argument("--pristine", metavar="REF",
                   help="instructor: grade a copy whose tests, rubric and build files "
                   "come from the reference tree REF")
    p.add_argument("--submissions", metavar="DIR",
                   help="instructor: grade every folder, .zip and .tar.gz in DIR (-j at a time)")
    p.add_argument("--csv", metavar="FILE",
                   help="with --submissions: the gradebook (default grades.csv)")
    p.add_argument("--json-dir", metavar="DIR",
                   help="with --submissions: one Gradescope results.json per submission here")
    p.add_argument("--time-limit", type=float, default=TIME_LIMIT, metavar="S",
                   help="with --submissions: wall-clock seconds per submission "
                   "(default %(default)s)")
    p.add_argument("--sandbox", choices=sandbox.MODES,
                   help="isolate builds and emulators (default: auto with --pristine or "
                   "--submissions, none otherwise)")
    p.add_argument("--mem-limit", type=int, default=sandbox.DEFAULT_MEM_MB, metavar="MB",
                   help="address-space limit of builds and emulators in the sandbox "
                   "(default %(default)s)")
    p.add_argument("--rubrics-from", dest="rubric_root", metavar="TREE",
                   help="rubrics and checks from TREE's labN-NAME/ directories "
                   "(default: the grader's own tree, or REF with --pristine REF)")
    p.add_argument("--sandbox-hide", action="append", default=[], help=argparse.SUPPRESS)
    p.add_argument("--replay-root", help=argparse.SUPPRESS)
    p.add_argument("--replay-pristine", help=argparse.SUPPRESS)
    p.add_argument("--timeline", metavar="FILE.svg",
                   help="draw each graded test's scheduling timeline (threads, IRQs, disk) "
                   "as an SVG; several tests or runs get the test and run in the name")
    p.add_argument("--no-rerun", action="store_true",
                   help="do not rerun a test that failed after others alone (isolation.py)")
    p.add_argument("--fail-fast", action="store_true",
                   help="stop at the first test or check worth points that fails (the "
                   "rest is reported 'not run'): whether points are lost, quickly")
    p.add_argument("--no-build", action="store_true",
                   help="grade the images already in build/ (skip make)")
    p.add_argument("--challenges", action="store_true",
                   help="also run the lab's challenge tests (optional, never counted: "
                   "reported after the score)")
    a = p.parse_intermixed_args(argv)  # tests may follow options (replay lines)
    if a.seeds is not None and a.seeds < 1:
        p.error("--seeds must be at least 1")
    if a.jobs < 0:
        p.error("-j must be positive")
    if not (math.isfinite(a.timeout_scale) and a.timeout_scale > 0):
        p.error("--timeout-scale %s: must be a positive finite number (e.g. 2 on a slow "
                "machine)" % a.timeout_scale)
    if (a.csv or a.json_dir) and not a.submissions:
        p.error("--csv and --json-dir need --submissions")
    if a.challenges and a.submissions:
        p.error("--challenges grades one tree; a class run (--submissions) grades what "
                "counts only")
    if a.time_limit <= 0 or a.mem_limit < 0:
        p.error("--time-limit and --mem-limit must be positive")
    if a.lab_opt:
        if a.lab:
            a.filters.insert(0, a.lab)
        a.lab = a.lab_opt
    if a.lab is None:
        p.error("which lab? give LAB or --lab N (%s, or all)" % labs.describe())
    if a.submissions and not os.path.isdir(a.submissions):
        p.error("--submissions %s: not a directory" % a.submissions)
    if a.pristine and not a.rubric_root and os.path.isdir(a.pristine):
        a.rubric_root = os.path.abspath(a.pristine)
    if a.lab == rubric.FULL:
        a.labs = [rubric.FULL]
    elif a.lab == "all":
        a.labs = rubric.available(a.rubric_root)
    else:
        n = rubric.lab_number(a.lab)
        if n is None:
            p.error("unknown lab %r: expected one of %s (or labN, labN-name), or all"
                    % (a.lab, labs.describe()))
        a.labs = [n]
    a.patterns = a.filters + a.kfilters
    for problem in output_problems(a):
        p.error(problem + " (checked before grading, so no results are lost)")
    return a


def output_problems(a):
    """Messages for the output files and folders of A that cannot be written."""
    out = []
    files = [(a.json, "--json")] + ([(a.csv or "grades.csv", "--csv")] if a.submissions else [])
    for path, what in files:
        if path:
            problem = report.check_writable(path, what)
            out += [problem] if problem else []
    for path, what in ((a.json_dir, "--json-dir"),
                       (a.keep if a.keep and a.keep != KEEP_DEFAULT else None, "--keep")):
        if path:
            problem = _dir_problem(path, what)
            out += [problem] if problem else []
    return out


def _dir_problem(path, what):
    """None if folder PATH exists and is writable or can be created."""
    path = os.path.abspath(path)
    probe = path
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        return "%s %s: %s is not a folder" % (what, path, probe)
    if not os.access(probe, os.W_OK | os.X_OK):
        return "%s %s: %s is not writable" % (what, path, probe)
    return None


def seeds_for(args, rub):
    if args.seeds is not None:
        start = args.seed if args.seed is not None else 1
        return list(range(start, start + args.seeds))
    if args.seed is not None:
        return [args.seed]
    if rub.seeds > 0:
        return list(range(1, rub.seeds + 1))
    return [None]


def build(root, lab, verbose, variant=""):
    """Run make build-labN<VARIANT>; returns None on success or the output's last lines."""
    if shutil.which("make") is None:
        return ["make not found: install the Debian package make (run tools/setup.sh)"]
    cmd = ["make", "-C", root, "--no-print-directory", "build-lab%d%s" % (lab, variant)]
    status, raw = runner.run_tracked(sandbox.wrap(cmd, [root], cwd=root,
                                                  cpu_s=sandbox.BUILD_CPU_S), BUILD_TIMEOUT)
    out = raw.decode("utf-8", "replace").splitlines()
    if verbose:              # compiler messages quote the student's code
        print("\n".join(safe_text.lines(out, total=safe_text.BLOCK_MAX * 4)))
    if status is None:
        return ["$ " + " ".join(cmd)] + out[-BUILD_TAIL:] + ["(stopped: did not finish in "
                                                            "%ds)" % BUILD_TIMEOUT]
    if status != 0:
        return ["$ " + " ".join(cmd)] + out[-BUILD_TAIL:] + ["(make exited with status %d)"
                                                            % status]
    return None


def grade_lab(args, number, root, workroot, echo, flags=()):
    """Build, boot and score lab NUMBER of ROOT; FLAGS (integrity findings
    about the tree) are shown with its score. Challenge tests (--challenges)
    run in boots of their own and only fill rep.challenges."""
    rub = (rubric.load_full(args.rubric_root) if number == rubric.FULL
           else rubric.load(number, args.rubric_root))
    number = rub.number
    rub.scale_timeouts(args.timeout_scale)
    entries = rub.select(args.patterns)
    challenges = rub.select_challenges(args.patterns) if args.challenges else []
    t0 = time.monotonic()
    rep = report.LabReport(rubric=rub, graded=[], replay_base=_replay_base(args, rub),
                           integrity=list(flags))
    if not args.challenges:
        rep.challenges_not_run = len(rub.select_challenges(args.patterns))
    if not entries and not challenges:
        hint = (" (challenge tests run only with --challenges)"
                if rub.select_challenges(args.patterns) else "")
        raise UsageError("%s: no rubric entry matches %s%s" % (rub.lab, " ".join(args.patterns),
                                                                 hint))
    emus = ["qemu", "bochs"] if args.emulator == "both" else [args.emulator]
    skipped = [e.name for e in entries + challenges if not any(e.runs_on(x) for x in emus)]
    if skipped:  # e.g. QEMU-only error injection when grading on Bochs alone
        print(safe_text.line("%s: not graded on %s: %s" % (rub.lab, " and ".join(emus),
                                                           " ".join(skipped))))
        entries = [e for e in entries if e.name not in skipped]
        challenges = [e for e in challenges if e.name not in skipped]
        if not entries and not challenges:
            raise UsageError("%s: no selected entry runs on %s" % (rub.lab, " and ".join(emus)))
    for e in emus:
        emu.check_emulator(e)
    print(safe_text.line("== %s: %s (%s) ==" % (rub.lab, rub.title, ", ".join(emus))),
          flush=True)
    failed = None if args.no_build else build(root, number, args.verbose, rub.variant)
    build_dir = os.path.join(root, "build", "lab%d%s" % (number, rub.variant))
    if not failed:
        try:
            disk.lab_images(build_dir, rub.data_disk)
        except FileNotFoundError as e:
            failed = [str(e)]
            rep.integrity += integrity.flags(failed)       # a linked or special image
    if failed:
        rep.build_log = failed
        rep.graded = report.build_failed(rub, entries, failed)
        rep.challenges = report.build_failed(rub, challenges, failed)
    else:
        shutil.rmtree(os.path.join(workroot, rub.lab), ignore_errors=True)
        jobs = _run_jobs(args, rub, entries, challenges, emus)
        lost = threading.Event()   # --fail-fast: set by the first run to lose a point

        def one(job):
            section, spec, todo = job
            sub = spec.dirname if section is None else "challenge-%d-%s" % (
                [n for n, _, _ in rub.challenges].index(section), spec.dirname)
            wd = os.path.join(workroot, rub.lab, sub)
            os.makedirs(wd, exist_ok=True)
            return labrun.run(rub, todo, spec, build_dir, wd, echo=echo,
                              cmdline="" if section is None else rub.challenge_cmdline(section),
                              trace=bool(args.timeline), isolate=not args.no_rerun,
                              **({"fail_fast": lost} if args.fail_fast else {}))

        n = args.jobs or min(4, os.cpu_count() or 1)
        if n == 1 or len(jobs) == 1:
            runs = [one(j) for j in jobs]
        else:
            with ThreadPoolExecutor(max_workers=n) as pool:
                runs = list(pool.map(one, jobs))
        rep.runs = [r for j, r in zip(jobs, runs) if j[0] is None]
        rep.challenge_runs = [r for j, r in zip(jobs, runs) if j[0] is not None]
        rep.graded = report.combine(rub, entries, rep.runs)
        rep.challenges = report.combine(rub, challenges, rep.challenge_runs)
        if args.timeline:
            import timeline_svg
            for line in timeline_svg.write_runs(args.timeline, rep.runs):
                print(safe_text.line(line))
    rep.elapsed = time.monotonic() - t0
    multi = len(emus) * len(seeds_for(args, rub)) > 1
    print("\n".join(report.render(rep, multi)), flush=True)
    return rep


def _run_jobs(args, rub, entries, challenges, emus):
    """[(challenge section or None, RunSpec, entries)]: the base run of every
    emulator x seed, then each challenge section's (its own boots and cmdline)."""
    specs = [labrun.RunSpec(e, s) for e in emus for s in seeds_for(args, rub)]
    jobs = [(None, spec, entries) for spec in specs] if entries else []
    for sname, sec_entries, _ in rub.challenges:
        names = {e.name for e in sec_entries}
        todo = [e for e in challenges if e.name in names]
        jobs += [(sname, spec, todo) for spec in specs if todo]
    return jobs


def _replay_base(args, rub):
    me = os.path.abspath(__file__)
    rel = os.path.relpath(me)
    base = ["python3", me if rel.startswith("..") else rel, rub.lab]
    if args.replay_root or args.root:
        base += ["--root", args.replay_root or args.root]
    if args.replay_pristine or args.pristine:
        base += ["--pristine", args.replay_pristine or args.pristine]
    if args.timeout_scale != 1.0:
        base += ["--timeout-scale", str(args.timeout_scale)]
    return base


def make_echo(args):
    if not args.verbose:
        return None
    lock = threading.Lock()
    multi = args.emulator == "both" or (args.seeds or 1) > 1

    def echo(spec, line):
        with lock:
            print(("%s | " % spec.label if multi else "| ") + safe_text.line(line),
                  flush=True)
    return echo


def setup_sandbox(args, root):
    """Configure the sandbox for this run; returns its kind. Raises
    sandbox.SandboxUnavailable when an explicit --sandbox cannot work."""
    instructor = bool(args.pristine or args.submissions or os.path.isfile(root))
    mode = args.sandbox or ("auto" if instructor else "none")
    if mode == "none" and not args.sandbox:
        return "none"                         # students grading their own tree
    hide = [GRADER_ROOT] + [d for d in (args.pristine, args.submissions) if d]
    pol = sandbox.configure(mode, args.mem_limit, hide + args.sandbox_hide)
    if not args.sandbox_hide:                 # a batch child: the batch said it already
        print(pol.message, flush=True)
    return pol.kind


def prepare_tree(args, root, tmp):
    """The tree to grade: ROOT itself, or a private copy (--pristine, archives)
    with the reference's protected files. Returns (tree, warnings)."""
    if args.pristine:
        import batch
        return batch.pristine_copy(root, os.path.abspath(args.pristine),
                                   os.path.join(tmp, "tree"))
    if os.path.isfile(root):
        return intake.prepare(root, os.path.join(tmp, "tree"))
    return root, []


def main(argv=None):
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 2
    root = os.path.abspath(args.root or GRADER_ROOT)
    if not os.path.isdir(root) and not (os.path.isfile(root) and intake.archive_ext(root)):
        print("grade.py: --root %s is not a directory, .zip or .tar.gz" % root,
              file=sys.stderr)
        return 2
    try:
        kind = setup_sandbox(args, root)
    except sandbox.SandboxUnavailable as e:
        print("grade.py: %s" % e, file=sys.stderr)
        return 2
    if args.submissions:
        import batch
        tmp = tempfile.mkdtemp(prefix="stepos-batch-")
        try:
            return batch.grade_submissions(args, os.path.abspath(__file__), tmp, kind)
        except rubric.RubricError as e:
            print("grade.py: %s" % e, file=sys.stderr)
            return 2
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    runner.install_cleanup()
    t0 = time.monotonic()
    if args.keep:
        workroot = os.path.abspath(os.path.join(root, args.keep) if args.keep == KEEP_DEFAULT
                                   else args.keep)
        print("keeping logs, images and commands in %s" % workroot)
    else:
        workroot = tempfile.mkdtemp(prefix="stepos-grade-")
    tree_tmp = tempfile.mkdtemp(prefix="stepos-pristine-")
    reports = []
    try:
        try:
            root, warnings = prepare_tree(args, root, tree_tmp)
        except (FileNotFoundError, intake.BadSubmission) as e:
            print("grade.py: %s" % safe_text.line(e), file=sys.stderr)
            return 2
        for w in safe_text.lines(warnings, safe_text.NOTE_MAX):
            print(w, flush=True)
        flags = [w for w in warnings if integrity.is_flag(w)]
        for n in args.labs:
            reports.append(grade_lab(args, n, root, workroot, make_echo(args), flags))
            warnings += integrity.flags(reports[-1].build_log or [])   # e.g. a linked image
    except (UsageError, rubric.RubricError, emu.EmulatorMissing) as e:
        print("grade.py: %s" % safe_text.line(e), file=sys.stderr)
        return 2
    finally:
        runner.kill_all()
        if not args.keep:
            shutil.rmtree(workroot, ignore_errors=True)
        shutil.rmtree(tree_tmp, ignore_errors=True)
    elapsed = time.monotonic() - t0
    status = 0 if all(r.score >= r.max_score for r in reports) else 1
    if args.json:
        try:
            report.write_json(args.json, reports, elapsed, warnings)
        except OSError as e:      # the report above stands; say what is missing
            print("grade.py: the results above could not be written to --json %s: %s"
                  % (args.json, e), file=sys.stderr)
            status = 2
    if len(reports) > 1:
        total = sum(r.score for r in reports)
        top = sum(r.max_score for r in reports)
        passed = sum(r.n_passed for r in reports)
        print("Total: %s/%s (%.1fs)" % (report.fmt_points(total), report.fmt_points(top),
                                        elapsed))
        print("all: %d passed, %d failed" % (passed, sum(len(r.graded) for r in reports)
                                              - passed))
    return status


if __name__ == "__main__":
    sys.exit(main())
