#!/usr/bin/env python3
"""mutate.py: mutation testing of the rubric: small automatic edits of each lab's solution regions, graded to see which the tests catch."""
import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.path.join(ROOT, "tools")]

import labs                        # noqa: E402
import mutation_obj as mobj        # noqa: E402
import mutation_ops as mops        # noqa: E402
import mutation_run as mrun        # noqa: E402
import pristine                    # noqa: E402
from handout import LAB_DIR, MarkerError, regions   # noqa: E402

EQUIVALENTS = os.path.join(HERE, "mutation_equivalent.toml")
C_EXT, ASM_EXT = (".c", ".h"), (".asm", ".inc")
# Results of one mutant (mutation_run.grade_mutant).
KILLED, SURVIVED, NOT_COMPILING, EQUIVALENT, REVIEWED = (
    "killed", "survived", "not-compiling", "equivalent", "reviewed")


def lab_dirs(root):
    """{lab number: directory name} of ROOT's labs (grade/labs.py)."""
    return labs.dirs(root)


def solution_files(root):
    """{path: [(lab, start_offset, end_offset)]}: the solution regions of ROOT's
    C and nasm files (between the marker lines, markers excluded)."""
    found = {}
    for rel in pristine.source_files(root):
        if not rel.endswith(C_EXT + ASM_EXT) or "/host_tests/" in rel:
            continue
        with open(os.path.join(root, rel)) as f:
            text = f.read()
        if "BEGIN SOLUTION" not in text:
            continue
        lines = text.splitlines(keepends=True)
        offs = [0]
        for ln in lines:
            offs.append(offs[-1] + len(ln))
        regs = regions(rel, lines)
        if regs:
            # A challenge's reference solution is graded by its own optional
            # tests, not the lab's score: its mutants would all "survive".
            found[rel] = [(lab, offs[b + 1], offs[e]) for lab, b, e, level in regs
                          if level != "challenge"]
    return found


def kernel_sources(root):
    """C sources and headers of the kernel (common/ and the labs, no host tests)."""
    return [f for f in pristine.source_files(root) if f.endswith(C_EXT) and
            (f.startswith("common/") or LAB_DIR.match(f)) and "/host_tests/" not in f]


def generate(root, labs=None, ops=None):
    """{lab: [Mutant]} for the solution regions of ROOT, in file then offset order."""
    files = solution_files(root)
    texts = []
    for rel in kernel_sources(root):
        with open(os.path.join(root, rel)) as f:
            texts.append(f.read())
    names = mops.names_table(texts)
    out = {}
    for rel in sorted(files):
        with open(os.path.join(root, rel)) as f:
            text = f.read()
        for lab in sorted(set(r[0] for r in files[rel])):
            if labs and lab not in labs:
                continue
            spans = [(a, b) for k, a, b in files[rel] if k == lab]
            if rel.endswith(ASM_EXT):
                ms = mops.nasm_mutants(rel, lab, text, spans)
            else:
                ms = mops.c_mutants(rel, lab, text, spans, names)
            out.setdefault(lab, []).extend(m for m in ms if not ops or m.op in ops)
    return out


def select(mutants, seed=None, sample=None, cap=None):
    """A reproducible subset of one lab's MUTANTS: SAMPLE of them chosen by SEED
    (file order kept), then at most CAP."""
    chosen = list(mutants)
    if sample is not None and sample < len(chosen):
        rng = random.Random("%s:%d" % (seed or 0, len(chosen)))
        keep = set(rng.sample(range(len(chosen)), sample))
        chosen = [m for i, m in enumerate(chosen) if i in keep]
    return chosen[:cap] if cap is not None else chosen


def load_equivalents(path=EQUIVALENTS):
    """{(file, source line, mutation): reason} of the reviewed equivalent mutants."""
    if not os.path.exists(path):
        return {}
    with open(path, "rb") as f:
        data = tomllib.load(f)
    out = {}
    for i, e in enumerate(data.get("equivalent", [])):
        missing = [k for k in ("file", "line", "mutation", "reason") if not e.get(k)]
        if missing:
            raise ValueError("%s: entry %d lacks %s" % (path, i + 1, ", ".join(missing)))
        out[(e["file"], e["line"].strip(), e["mutation"])] = e["reason"]
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(prog="mutate.py", description=__doc__)
    p.add_argument("lab", nargs="?", help="a lab number (%s) or all (or --lab)" % labs.describe())
    p.add_argument("--lab", dest="lab_opt", metavar="N")
    p.add_argument("--root", default=ROOT, help="the tree to mutate (default: this one)")
    p.add_argument("--ops", help="comma-separated operator families: " + ",".join(mops.OPS))
    p.add_argument("--file", action="append", default=[], metavar="PATH",
                   help="only mutants of this file (repeatable)")
    p.add_argument("--id", action="append", default=[], metavar="ID",
                   help="only the mutant with this id (from --list or --json; repeatable)")
    p.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    p.add_argument("--sample", type=int, metavar="K", help="K mutants per lab, chosen by --seed")
    p.add_argument("--max", type=int, metavar="N", help="at most N mutants per lab")
    p.add_argument("-j", "--jobs", type=int, default=2, help="workers (default 2)")
    p.add_argument("--time-limit", type=float, metavar="S",
                   help="wall-clock seconds to grade one mutant (default: 10 times the "
                   "unmutated lab's grading time, at least 60); past it the mutant is killed")
    p.add_argument("--timeout-scale", type=float, default=2.0, metavar="F",
                   help="grader --timeout-scale (default 2: a loaded machine is no kill)")
    p.add_argument("--no-fail-fast", action="store_true",
                   help="grade every mutant on the whole rubric (default: a mutant's "
                   "grading stops at its first lost point; the verdict is the same)")
    p.add_argument("--killers-first", choices=["auto", "always", "never"], default="auto",
                   help="grade the tests that killed earlier mutants of a file first "
                   "(history in build/mutation-history/, never committed): auto (the "
                   "default) for mutants graded on both emulators, where grading is long; "
                   "on QEMU alone one fail-fast grading costs about what the probe does")
    p.add_argument("--host-tests", action="store_true",
                   help="also run the lab's host unit tests on each survivor")
    p.add_argument("--list", action="store_true", help="list the mutants, grade nothing")
    p.add_argument("--json", metavar="FILE", help="write the full results as JSON")
    p.add_argument("--markdown", metavar="FILE",
                   help="write the table and the survivors as Markdown")
    p.add_argument("--min-score", type=float, metavar="P",
                   help="exit 1 if a lab's score (percent) is below P")
    p.add_argument("--min-killed", type=int, metavar="N",
                   help="smoke test: exit 1 unless at least N mutants were killed")
    p.add_argument("--keep", action="store_true", help="keep the worker trees")
    a = p.parse_args(argv)
    lab = a.lab_opt or a.lab
    if lab is None:
        p.error("which lab? give N (%s) or all" % labs.describe(a.root))
    a.root = os.path.abspath(a.root)
    dirs = lab_dirs(a.root)
    if lab == "all":
        a.labs = sorted(dirs)
    else:
        try:
            a.labs = [int(str(lab).replace("lab", "").split("-")[0])]
        except ValueError:
            p.error("unknown lab %r" % lab)
        if a.labs[0] not in dirs:
            p.error("no lab %d in %s" % (a.labs[0], a.root))
    a.ops = set(a.ops.split(",")) if a.ops else None
    if a.ops and a.ops - set(mops.OPS):
        p.error("unknown --ops %s (known: %s)" % (",".join(sorted(a.ops - set(mops.OPS))),
                                                  ",".join(mops.OPS)))
    if a.jobs < 1 or (a.time_limit is not None and a.time_limit <= 0) or a.timeout_scale <= 0:
        p.error("-j, --time-limit and --timeout-scale must be positive")
    return a


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        allm = generate(a.root, set(a.labs), a.ops)
        equivalents = load_equivalents()
    except (MarkerError, ValueError, tomllib.TOMLDecodeError) as e:
        print("mutate.py: %s" % e, file=sys.stderr)
        return 2
    plan = {}
    for lab in a.labs:
        ms = [m for m in allm.get(lab, []) if (not a.file or m.path in a.file) and
              (not a.id or m.ident in a.id)]
        plan[lab] = (len(ms), select(ms, a.seed, a.sample, a.max))
    if a.list:
        for lab in a.labs:
            for m in plan[lab][1]:
                print("lab%d %s %s" % (lab, m.ident, m.where()))
        return 0
    t0 = time.monotonic()
    # SIGTERM (and SIGINT, which a background job may have ignored) stop the
    # run like Ctrl-C: what was graded is reported as partial.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    tmp = tempfile.mkdtemp(prefix="stepos-mutate-")
    try:
        results, baselines = mrun.run_all(a, plan, equivalents, tmp, lab_dirs(a.root))
    except mobj.CompileError as e:
        print("mutate.py: %s" % e, file=sys.stderr)
        return 2
    except mrun.Interrupted as e:
        graded = sum(len(plan[lab][1]) for lab in plan)
        print("\nmutate.py: interrupted: the %d of %d mutants graded so far (in file order)"
              % (len(e.results), graded), file=sys.stderr)
        a.partial = "interrupted after %d of %d mutants" % (len(e.results), graded)
        report(a, plan, e.results, e.baselines, time.monotonic() - t0)
        return 130
    except KeyboardInterrupt:
        print("\nmutate.py: interrupted", file=sys.stderr)
        return 130
    finally:
        if a.keep:
            print("kept worker trees in %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return report(a, plan, results, baselines, time.monotonic() - t0)


def report(a, plan, results, baselines, elapsed):
    """Print the table and survivors; write --json; return the exit status."""
    rows, problems, out = [], [], {"labs": {}, "command": " ".join(sys.argv),
                                   "seed": a.seed, "sample": a.sample, "max": a.max,
                                   "partial": getattr(a, "partial", None)}
    total_killed = 0
    for lab in a.labs:
        generated, chosen = plan[lab]
        res = [results[m.ident] for m in chosen if m.ident in results]
        count = {k: sum(r["result"] == k for r in res) for k in
                 (KILLED, SURVIVED, NOT_COMPILING, EQUIVALENT, REVIEWED)}
        errors = [r for r in res if r["result"] == "error"]
        total_killed += count[KILLED]
        graded = count[KILLED] + count[SURVIVED]
        score = 100.0 * count[KILLED] / graded if graded else None
        rows.append((lab, generated, len(chosen), count, score))
        base = baselines.get(lab)
        if base:
            problems.append("lab%d: the unmutated tree does not get full marks (%s): "
                            "results are meaningless" % (lab, base))
        for r in errors:
            problems.append("lab%d: %s: %s" % (lab, r["where"], r.get("detail", "")))
        if a.min_score is not None and score is not None and score < a.min_score:
            problems.append("lab%d: score %.1f%% below --min-score %s" % (lab, score,
                                                                          a.min_score))
        out["labs"]["lab%d" % lab] = {"generated": generated, "selected": len(chosen),
                                      "counts": count, "score": score, "mutants": res}
    print("\n%-5s %9s %8s %9s %10s %8s %7s %8s %6s" % (
        "lab", "generated", "selected", "no-build", "equivalent", "reviewed", "killed",
        "survived", "score"))
    for lab, gen, sel, c, score in rows:
        print("%-5s %9d %8d %9d %10d %8d %7d %8d %6s" % (
            "lab%d" % lab, gen, sel, c[NOT_COMPILING], c[EQUIVALENT], c[REVIEWED], c[KILLED],
            c[SURVIVED], "-" if score is None else "%.0f%%" % score))
    for lab in a.labs:
        surv = [r for r in out["labs"]["lab%d" % lab]["mutants"] if r["result"] == SURVIVED]
        if surv:
            print("\nlab%d survivors (%d):" % (lab, len(surv)))
            for r in surv:
                host = " [host tests kill it]" if r.get("host_killed") else ""
                print("  %s%s" % (r["where"], host))
    print("\n(%.0fs, %d workers%s)" % (elapsed, a.jobs, "; " + a.partial
                                        if getattr(a, "partial", None) else ""))
    for pr in problems:
        print("PROBLEM: " + pr)
    out["elapsed"] = round(elapsed, 1)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(markdown(out, rows, elapsed, a.jobs))
    if a.min_killed is not None:
        if total_killed < a.min_killed:
            problems.append("only %d mutants killed, expected at least %d" % (total_killed,
                                                                              a.min_killed))
            print("PROBLEM: " + problems[-1])
        print("mutation-smoke: %d passed, %d failed" % (0 if problems else 1,
                                                        1 if problems else 0))
    return 1 if problems else 0


def markdown(out, rows, elapsed, jobs):
    """The results table and survivor list of a run, as Markdown."""
    md = ["`%s` (%s, %.0f min, %d workers)\n" % (
        out["command"], time.strftime("%Y-%m-%d", time.gmtime()), elapsed / 60, jobs),
        "| lab | generated | graded sample | no-build | equivalent | reviewed | killed "
        "| survived | score |", "|---|---|---|---|---|---|---|---|---|"]
    for lab, gen, sel, c, score in rows:
        md.append("| lab%d | %d | %s | %d | %d | %d | %d | %d | %s |" % (
            lab, gen, "all" if sel == gen else "%d" % sel, c[NOT_COMPILING], c[EQUIVALENT],
            c[REVIEWED], c[KILLED], c[SURVIVED], "-" if score is None else "%.0f%%" % score))
    for lab, *_ in rows:
        surv = [r for r in out["labs"]["lab%d" % lab]["mutants"] if r["result"] == SURVIVED]
        md.append("\n### lab%d survivors (%d)\n" % (lab, len(surv)))
        md += ["- `%s`%s" % (r["where"], " (host tests kill it)" if r.get("host_killed")
                              else "") for r in surv]
    return "\n".join(md) + "\n"


if __name__ == "__main__":
    sys.exit(main())
