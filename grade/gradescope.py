#!/usr/bin/env python3
"""gradescope.py: the Gradescope run_autograder step: grade /autograder/submission against the bundled reference, always leaving a results.json."""
import argparse
import json
import os
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import intake  # noqa: E402
import integrity  # noqa: E402
import rubric  # noqa: E402
import safe_text  # noqa: E402

TIME_LIMIT = 1200           # seconds for the whole grading (Gradescope's default limit is longer)
TAIL = 60                   # lines of grader output shown when it could not score
MAX_LINES = 100000          # lines of grader output kept for that


def submission_root(sub):
    """What to grade in SUB: the folder itself, or the one archive uploaded in it."""
    entries = [e for e in os.listdir(sub) if not e.startswith(".") and e not in intake.JUNK]
    if len(entries) == 1 and os.path.isfile(os.path.join(sub, entries[0])) \
            and intake.archive_ext(entries[0]):
        return os.path.join(sub, entries[0])
    return sub


def zero_results(lab, reference, message, flags=()):
    """A results.json giving every rubric entry 0, with MESSAGE as the reason;
    integrity findings FLAGS head its output and fill extra_data.integrity."""
    flags = [safe_text.line(f, safe_text.NOTE_MAX) for f in flags]
    message = "\n".join(flags + [safe_text.text(message)])
    try:
        rub = rubric.load(lab, reference)
        tests = [{"name": e.name, "score": 0, "max_score": e.points, "status": "failed",
                  "output": "not graded: see the summary above",
                  "visibility": e.visibility} for e in rub.entries]
        hidden = any(e.hidden for e in rub.entries)
    except rubric.RubricError as e:
        tests, hidden = [], False
        message += "\n(rubric: %s)" % e
    return {"score": 0, "output": message, "tests": tests, "visibility": "visible",
            "stdout_visibility": "hidden" if hidden else "visible",
            "extra_data": {"integrity": flags}}


def main(argv=None):
    ag = os.environ.get("AUTOGRADER_ROOT", "/autograder")
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--lab", required=True, type=int)
    p.add_argument("--reference", default=os.path.dirname(HERE))
    p.add_argument("--submission", default=os.environ.get("AUTOGRADER_SUBMISSION",
                                                          os.path.join(ag, "submission")))
    p.add_argument("--results", default=os.environ.get(
        "AUTOGRADER_RESULTS", os.path.join(ag, "results", "results.json")))
    p.add_argument("--emulator", default=os.environ.get("STEPOS_EMULATOR", "qemu"))
    a = p.parse_args(argv)
    os.makedirs(os.path.dirname(os.path.abspath(a.results)), exist_ok=True)
    if os.path.exists(a.results):
        os.unlink(a.results)
    if not os.path.isdir(a.submission):
        doc = zero_results(a.lab, a.reference, "no submission folder %s" % a.submission)
        return _write(a.results, doc)
    cmd = [sys.executable, os.path.join(HERE, "grade.py"), "lab%d" % a.lab,
           "--root", submission_root(a.submission), "--pristine", a.reference,
           "--json", a.results, "--emulator", a.emulator, "-j", "2"]
    if os.environ.get("STEPOS_CHALLENGES") == "1":   # 0-point challenge tests (grade/README.md)
        cmd.append("--challenges")
    print("$ " + " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    timer = threading.Timer(TIME_LIMIT, proc.terminate)   # grade.py kills its emulators
    timer.start()
    lines = []
    for raw in proc.stdout:  # grade.py's output is safe already; this is a second guard
        line = safe_text.line(raw.decode("utf-8", "replace").rstrip("\n"), safe_text.NOTE_MAX)
        print(line, flush=True)
        if len(lines) < MAX_LINES:
            lines.append(line)
    status = proc.wait()
    if not timer.is_alive():
        lines.append("stopped: grading took more than %ds" % TIME_LIMIT)
    timer.cancel()
    if os.path.exists(a.results):
        return 0
    why = [l for l in lines if l.startswith("grade.py:")] or lines[-TAIL:]
    flags = [l for l in lines if integrity.is_flag(l)]
    doc = zero_results(a.lab, a.reference, "StepOS could not grade this submission "
                       "(grader exit status %s):\n%s" % (status, "\n".join(why)),
                       list(dict.fromkeys(flags)))
    return _write(a.results, doc)


def _write(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
    print("gradescope: wrote %s (score %s)" % (path, doc["score"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
