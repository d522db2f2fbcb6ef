#!/usr/bin/env python3
"""bench.py: `make bench`: host benchmarks, then each lab's in-kernel benchmarks under Bochs.

Kernels boot with the `bench` command-line key and print `KMETRIC name value
unit` lines. Under Bochs (fixed ips, clock sync=none) rdtsc advances one per
instruction, so those figures are exact and repeat from run to run. Each
figure is printed beside its goal and its baseline (labN-NAME/bench.toml,
tools/bench_data.py); `--compare` (`make bench-compare`) fails on any figure
worse than the baseline by more than its tolerance, a series that grows
faster than allowed, or a handout table that no longer matches; `--baseline` (`make bench-baseline`)
rewrites the baselines and the handouts' tables.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import bench_data  # noqa: E402
import disk     # noqa: E402
import labs     # noqa: E402
import labrun   # noqa: E402
import runner   # noqa: E402

BENCH_TIMEOUT = 120.0
METRIC_RE = re.compile(r"^KMETRIC ([A-Za-z0-9_.]+) (\d+) (\S+)")


def host_benches():
    """Build and run every host benchmark; returns True if all ran."""
    ok = subprocess.run(["make", "-s", "host-bench-build"], cwd=ROOT).returncode == 0
    for exe in sorted(glob.glob(os.path.join(ROOT, "build", "host", "*", "bench_*"))):
        if not os.access(exe, os.X_OK) or os.path.isdir(exe):
            continue
        print("== host: %s" % os.path.relpath(exe, ROOT), flush=True)
        ok &= subprocess.run([exe], cwd=ROOT).returncode == 0
    return ok


def kernel_bench(lab, emulator):
    """Boot LAB with `bench`: ({name: (value, unit)}, clean), clean if every bench finished."""
    build = os.path.join(ROOT, "build", "lab%d" % lab)
    boot, data = disk.lab_images(build)
    with tempfile.TemporaryDirectory(prefix="stepos-bench-") as tmp:
        boot, data = disk.copy_images(boot, data, tmp, "bench")
        launch = labrun.launch_for(emulator, boot, data, tmp)
        tmo = runner.Timeouts(boot=BENCH_TIMEOUT, test=BENCH_TIMEOUT)
        outcome, end = runner.boot_once(launch, tmo)
        lines = outcome.parser.lines
    metrics = {}
    for line in lines:
        m = METRIC_RE.match(line)
        if m:
            metrics[m.group(1)] = (int(m.group(2)), m.group(3))
    for line in lines:
        if line.startswith(("KTEST FAIL", "KPANIC")):
            print("  " + line)
    clean = any(l.startswith("KTEST DONE") and " 0 failed" in l for l in lines)
    if not clean:
        print("  lab%d bench did not finish cleanly (%s)" % (lab, end.kind))
    return metrics, clean


def show_lab(lab, metrics, lab_dir):
    """Print LAB's figures beside their goals and baseline, then its series' growth."""
    goals, scaling, baseline, _ = bench_data.load(lab_dir)
    print("== lab%d (bochs)" % lab, flush=True)
    for name in sorted(metrics):
        value, unit = metrics[name]
        note = []
        if name in goals:
            g = goals[name]
            note.append("goal %s: %s" % (bench_data.goal_text(g), bench_data.goal_verdict(g, value)))
        if name in baseline and baseline[name][0] != value:
            note.append("baseline %d" % baseline[name][0])
        print("  KMETRIC %s %d %s%s" % (name, value, unit, ("   [" + "; ".join(note) + "]") if note else ""))
    for base, pts in sorted(bench_data.series(metrics).items()):
        growth = bench_data.fit_growth(pts)
        allowed = scaling.get(base)
        flag = ""
        if allowed and bench_data.growth_worse(growth, allowed):
            flag = "   [grows faster than the allowed %s]" % allowed
        print("  scaling %s: n=%s: %s%s" % (base, ",".join(str(n) for n, _ in pts), growth, flag))
    return goals


def compare_lab(lab, metrics, lab_dir, counts):
    """Check LAB's figures against its baseline, scaling and handout table; update COUNTS."""
    goals, scaling, baseline, tolerance = bench_data.load(lab_dir)

    def verdict(ok, text):
        counts[0 if ok else 1] += 1
        print("  %s %s" % ("ok  " if ok else "FAIL", text))

    print("== lab%d (bochs)" % lab, flush=True)
    for name, status, text in bench_data.compare(metrics, baseline, tolerance):
        if status == "same":
            verdict(True, "%s: %s" % (name, text))
        elif status == "better":
            verdict(True, "%s: improved %s (make bench-baseline to keep it)" % (name, text))
        elif status == "worse":
            verdict(False, "%s: worse than the baseline: %s (if intended: make bench-baseline)"
                    % (name, text))
        elif status == "new":
            verdict(False, "%s: %s (make bench-baseline adds it)" % (name, text))
        else:
            verdict(False, "%s: %s" % (name, text))
    for base, pts in sorted(bench_data.series(metrics).items()):
        growth, allowed = bench_data.fit_growth(pts), scaling.get(base)
        if allowed is None:
            verdict(False, "series %s_nN: no allowed growth in %s [scaling]"
                    % (base, bench_data.bench_file(lab_dir)))
        else:
            verdict(not bench_data.growth_worse(growth, allowed),
                    "series %s_nN grows %s (allowed: %s)" % (base, growth, allowed))
    readme = os.path.join(lab_dir, "README.md")
    if baseline and os.path.exists(readme):
        with open(readme) as f:
            have = bench_data.readme_table(f.read())
        want = bench_data.render_table(baseline, goals, scaling)
        if have is None:
            verdict(False, "%s has no generated benchmark table (markers)" % os.path.relpath(readme, ROOT))
        else:
            verdict(have == want, "%s's benchmark table %s bench.toml's baseline%s"
                    % (os.path.relpath(readme, ROOT), "matches" if have == want else "does not match",
                       "" if have == want else " (make bench-baseline rewrites both)"))


def write_baseline(lab, metrics, lab_dir):
    goals, scaling, _, _ = bench_data.load(lab_dir)
    bench_data.save_baseline(lab_dir, metrics)
    readme = os.path.join(lab_dir, "README.md")
    with open(readme) as f:
        text = f.read()
    if bench_data.readme_table(text) is None:
        print("  %s: no benchmark table markers: table not written" % os.path.relpath(readme, ROOT))
    else:
        with open(readme, "w") as f:
            f.write(bench_data.replace_readme_table(
                text, bench_data.render_table(metrics, goals, scaling)))
    print("== lab%d: %d figures written to %s" % (lab, len(metrics),
          os.path.relpath(bench_data.bench_file(lab_dir), ROOT)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labs", nargs="*", metavar="LAB",
                    help="only these labs' kernel benchmarks (N, labN; default: host "
                         "benchmarks and every lab)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--compare", action="store_true",
                      help="compare with each lab's baseline (bench.toml); fail on a regression")
    mode.add_argument("--baseline", action="store_true",
                      help="write each lab's baseline and its handout's benchmark table")
    a = ap.parse_args(argv)
    chosen = []
    for spec in a.labs:
        n = labs.parse(spec)
        if n is None:
            ap.error("unknown lab %r: expected one of %s" % (spec, labs.describe()))
        chosen.append(n)
    kernel_only = bool(chosen) or a.compare or a.baseline
    chosen = chosen or labs.numbers()
    for n in chosen:
        if subprocess.run(["make", "-s", "build-lab%d" % n], cwd=ROOT).returncode != 0:
            print("bench: lab%d does not build" % n)
            return 1
    ok = True if kernel_only else host_benches()
    counts = [0, 0]
    try:
        for lab in chosen:
            lab_dir = os.path.join(ROOT, labs.dirs()[lab])
            metrics, clean = kernel_bench(lab, "bochs")
            ok &= clean
            if a.compare:
                if not clean:
                    counts[1] += 1
                compare_lab(lab, metrics, lab_dir, counts)
            elif a.baseline:
                if clean:
                    write_baseline(lab, metrics, lab_dir)
            else:
                show_lab(lab, metrics, lab_dir)
    except bench_data.BenchFileError as e:
        print("bench: %s" % e)
        return 1
    if a.compare:
        print("bench-compare: %d passed, %d failed" % tuple(counts))
        return 0 if counts[1] == 0 else 1
    return 0 if ok else 1


if __name__ == "__main__":
    runner.install_cleanup()
    sys.exit(main())
