"""mutation_history.py: which tests killed earlier mutants of each file, kept under build/ so grade/mutate.py can boot the likely killers of a new mutant first."""
import json
import os
import threading

# Tests booted first for a mutant: the most frequent killers of its file.
KILLERS = 3
HISTORY_DIR = os.path.join("build", "mutation-history")


def history_path(root, lab):
    return os.path.join(root, HISTORY_DIR, "lab%d.json" % lab)


def first_failures(detail):
    """Test names of a killed mutant's DETAIL ("name=VERDICT name=VERDICT ...")."""
    return [w.split("=", 1)[0] for w in (detail or "").split() if "=" in w]


class History:
    """{lab: {file: {test: kills}}}, loaded from and saved to ROOT's build/
    (never committed: it only orders work, it decides no verdict)."""

    def __init__(self, root, labs):
        self.root, self.lock, self.kills = root, threading.Lock(), {}
        for lab in labs:
            try:
                with open(history_path(root, lab)) as f:
                    data = json.load(f)
                self.kills[lab] = {p: {t: int(n) for t, n in tests.items()}
                                   for p, tests in data.items() if isinstance(tests, dict)}
            except (OSError, ValueError, AttributeError):
                self.kills[lab] = {}

    def killers(self, lab, path, k=KILLERS):
        """Up to K tests that killed most mutants of PATH (then of the lab),
        most kills first, names in order for equal counts."""
        with self.lock:
            by_file = dict(self.kills.get(lab, {}).get(path, {}))
            if not by_file:
                for tests in self.kills.get(lab, {}).values():
                    for t, n in tests.items():
                        by_file[t] = by_file.get(t, 0) + n
        return [t for t, _ in sorted(by_file.items(), key=lambda kv: (-kv[1], kv[0]))][:k]

    def record(self, lab, path, tests):
        """TESTS killed a mutant of PATH."""
        with self.lock:
            per = self.kills.setdefault(lab, {}).setdefault(path, {})
            for t in tests:
                per[t] = per.get(t, 0) + 1

    def save(self):
        with self.lock:
            for lab, data in self.kills.items():
                path = history_path(self.root, lab)
                try:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path + ".tmp", "w") as f:
                        json.dump(data, f, indent=1, sort_keys=True)
                    os.replace(path + ".tmp", path)
                except OSError:
                    pass          # an unwritable build/ only costs speed
