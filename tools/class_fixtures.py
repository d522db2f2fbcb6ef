"""class_fixtures.py: a reference tree with a hidden test, and a class of submissions made from it, for class_test.py and autograder_check.py."""
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import build_reuse  # noqa: E402
import pristine  # noqa: E402

LAB = 3
HIDDEN_TEST = "hidden_kmalloc_roundtrip"
HIDDEN_POINTS = 2
HIDDEN_C = """/* hidden_heap.c: an instructor's hidden lab 3 test (tools/class_fixtures.py). */
#include "kmalloc.h"
#include "tests_support.h"

KTEST(%s)
{
    TESTS_REQUIRE_VM();
    unsigned char *p = kmalloc(300);
    KT_ASSERT(p != NULL);
    for (int i = 0; i < 300; i++)
        p[i] = (unsigned char)(i * 7);
    for (int i = 0; i < 300; i++)
        KT_ASSERT_EQ(p[i], (unsigned char)(i * 7));
    kfree(p);
}
""" % HIDDEN_TEST
HIDDEN_TOML = """# Lab 3 hidden tests: not in handouts, restored by --pristine (tools/class_fixtures.py).
visibility = "after_published"

[[sections]]
name = "kernel heap"
tests = [
  { name = "%s", points = %d },
]
""" % (HIDDEN_TEST, HIDDEN_POINTS)

POOL = "lab3-paging/vm_pool.c"
FAULT = "lab3-paging/page_fault.c"
# A freed region is not merged with a free region before it.
NO_MERGE_PREV = ("lab3-paging/vm_regions.c",
                 "    if (k > 0 && !(t->region[k - 1].flags & VM_REGION_ALLOCATED)) {\n"
                 "        t->region[k - 1].size += t->region[k].size;\n"
                 "        remove_slot(t, k);\n    }\n", "")
NO_MERGE_FAILS = ["vm_pool_classic_allocations", "vm_pool_coalescing", "vm_regions_model_random"]
NOT_ZEROED = (FAULT, "    paging_zero_page((void *)page);\n    return NULL;", "    return NULL;")
# A hang with interrupts off (inside vm_pool_init's critical section): the
# CPU halts for good, so the time limit is waited out without an emulator
# spinning on a core (twice: the test is rerun alone).
HANG_ON_OVERLAP = (POOL, "            intr_set_level(old);\n            pool_refuse(pool, "
                   "VM_POOL_ERR_OVERLAP",
                   "            for (;;)\n                __asm__ volatile(\"hlt\");\n"
                   "            intr_set_level(old);\n            pool_refuse(pool, "
                   "VM_POOL_ERR_OVERLAP")
SYNTAX_ERROR = (POOL, "bool vm_pool_is_live(const struct vm_pool *pool)\n{",
                "bool vm_pool_is_live(const struct vm_pool *pool)\n{ int x = ;")
# The tests that catch NO_MERGE_PREV, edited to pass whatever happens.
FAKE_PASS = [("lab3-paging/tests_vm_regions.c" if t.startswith("vm_regions_")
              else "lab3-paging/tests_vm_pool.c", "KTEST(%s)\n{\n" % t,
              "KTEST(%s)\n{\n    return;\n" % t) for t in NO_MERGE_FAILS]
RUBRIC_BUMP = ("lab3-paging/rubric.toml", '{ name = "paging_identity_map", points = 3 }',
               '{ name = "paging_identity_map", points = 300 }')

MALICIOUS_MAKEFILE = """# Makefile: a hostile student build (tools/class_fixtures.py): it builds only
# if it could write outside its tree AND reach the network.
build-lab%%:
\t-touch %(outside)s/written-by-%(name)s
\t-python3 -c "import socket; socket.create_connection(('127.0.0.1', %(port)d), 3).sendall(b'%(name)s')" && touch net-reached
\ttest -e %(outside)s/written-by-%(name)s && test -e net-reached
\t$(MAKE) -f Makefile.reference $@
"""
SLEEPY_MAKEFILE = """# Makefile: a build that never ends, and leaves a daemon (tools/class_fixtures.py).
build-lab%%:
\t-setsid sleep %(marker)d &
\tsleep %(marker)d
"""


class FixtureError(Exception):
    pass


@dataclass
class Expect:
    """What the grader must say about one submission: SCORE is 'full',
    'zero', 'less' (0 < score < full), or ('minus', [tests]) or ('same', name)."""
    score: object
    verdict: str = ""                  # prefix of the CSV verdict
    warn: list = field(default_factory=list)   # substrings of the warnings column


def make_reference(dest, built=(LAB,)):
    """A copy of the project with a hidden lab 3 test; returns DEST. The
    objects of labs BUILT come from this tree's build/ (an instructor's tree
    has a build too; the class grader's pristine build starts from it)."""
    pristine.copy_tree(ROOT, dest)
    build_reuse.seed(ROOT, dest, built)
    with open(os.path.join(dest, "lab3-paging", "hidden_heap.c"), "w") as f:
        f.write(HIDDEN_C)
    with open(os.path.join(dest, "lab3-paging", "hidden_rubric.toml"), "w") as f:
        f.write(HIDDEN_TOML)
    return dest


def student_files(ref):
    return [n for n in pristine.walk_files(ref) if pristine.handed_out(n)]


def student_tree(ref, dest, patches=()):
    """A submission folder: REF's handed-out files, with PATCHES applied."""
    pristine.copy_tree(ref, dest, student_files(ref))
    for path, old, new in patches:
        full = os.path.join(dest, path)
        with open(full) as f:
            text = f.read()
        if text.count(old) != 1:
            raise FixtureError("patch does not apply: %r occurs %d times in %s"
                               % (old[:60], text.count(old), path))
        with open(full, "w") as f:
            f.write(text.replace(old, new))
    return dest


def zip_tree(tree, dest, prefix="", extra=()):
    """Zip TREE's files under PREFIX; EXTRA = [(ZipInfo, data)] appended."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for n in pristine.walk_files(tree):
            z.write(os.path.join(tree, n), prefix + n)
        for info, data in extra:
            z.writestr(info, data)
    return dest


def tar_tree(tree, dest, prefix="", extra=()):
    """tar.gz of TREE's files under PREFIX; EXTRA = [(TarInfo, bytes or None)]."""
    import io
    with tarfile.open(dest, "w:gz") as t:
        for n in pristine.walk_files(tree):
            t.add(os.path.join(tree, n), prefix + n)
        for info, data in extra:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return dest


def malicious(ref, dest, name, outside, port):
    student_tree(ref, dest)
    shutil.copy(os.path.join(dest, "Makefile"), os.path.join(dest, "Makefile.reference"))
    with open(os.path.join(dest, "Makefile"), "w") as f:
        f.write(MALICIOUS_MAKEFILE % {"outside": outside, "port": port, "name": name})
    return dest


def sleepy(ref, dest, marker):
    student_tree(ref, dest)
    with open(os.path.join(dest, "Makefile"), "w") as f:
        f.write(SLEEPY_MAKEFILE % {"marker": marker})
    return dest


def build_class(ref, folder, outside, port):
    """Write the class into FOLDER; returns {name: Expect}."""
    os.makedirs(folder)
    tmp = folder + ".src"
    os.makedirs(tmp)
    p = lambda n: os.path.join(folder, n)             # noqa: E731
    student_tree(ref, p("alice"))
    full = student_tree(ref, os.path.join(tmp, "full"))
    zip_tree(full, p("bob.zip"), prefix="bob-stepos/")
    tar_tree(full, p("carol.tar.gz"))
    student_tree(ref, p("dave"), [NO_MERGE_PREV])
    student_tree(ref, p("erin"), [NOT_ZEROED])
    student_tree(ref, p("grace"), [HANG_ON_OVERLAP])
    student_tree(ref, p("heidi"), [SYNTAX_ERROR])
    malicious(ref, p("ivan"), "ivan", outside, port)
    student_tree(ref, p("judy"), [NO_MERGE_PREV, RUBRIC_BUMP] + FAKE_PASS)
    handout = os.path.join(tmp, "handout")
    subprocess.run([sys.executable, os.path.join(ref, "tools", "handout.py"), str(LAB),
                    "--out", handout], check=True, stdout=subprocess.DEVNULL)
    if not all(pristine.handed_out(n) for n in pristine.walk_files(handout)):
        raise FixtureError("the handout contains hidden tests or instructor-only files")
    shutil.copytree(handout, p("kim"))
    trav = tarfile.TarInfo("../escaped-by-mallory")
    trav.size = 3
    absm = tarfile.TarInfo(os.path.join(outside, "written-by-mallory"))
    absm.size = 3
    tar_tree(full, p("mallory.tar.gz"), extra=[(trav, b"hi\n"), (absm, b"hi\n")])
    _niaj(ref, tmp, p("niaj.zip"))
    os.makedirs(p("olivia"))
    with open(os.path.join(p("olivia"), "notes.txt"), "w") as f:
        f.write("I did not manage to upload my tree\n")
    student_tree(ref, p("peggy"))
    os.symlink("/etc/hostname", os.path.join(p("peggy"), "lab3-paging", "notes.txt"))
    shutil.rmtree(tmp)
    return {
        "alice": Expect("full", "OK"),
        "bob": Expect("full", "OK"),
        "carol": Expect("full", "OK"),
        "dave": Expect(("minus", NO_MERGE_FAILS), "3 FAIL"),
        "erin": Expect(("minus", ["paging_new_pages_zeroed", "paging_freed_page_faults_again",
                                  "paging_tlb_release_every_page"]), "3 FAIL"),
        "grace": Expect(("minus", ["vm_pool_init_refuses_overlap"]), "1 TIMEOUT"),
        "heidi": Expect("zero", "BUILD-FAIL"),
        "ivan": Expect("full", "OK", ["changed: Makefile"]),
        "judy": Expect(("same", "dave"), "3 FAIL",
                       ["lab3-paging/tests_vm_pool.c", "lab3-paging/rubric.toml"]),
        "kim": Expect("less"),
        "mallory": Expect("zero", "BAD-SUBMISSION", ["leaves the archive"]),
        "niaj": Expect("zero", "BAD-SUBMISSION", ["symbolic link"]),
        "olivia": Expect("zero", "BAD-SUBMISSION", ["no StepOS tree"]),
        "peggy": Expect("full", "OK", ["symbolic links not copied"]),
    }


def _niaj(ref, tmp, dest):
    """A zip whose lab3-paging/vm_pool.c is a symbolic link to /etc/passwd."""
    tree = student_tree(ref, os.path.join(tmp, "niaj"))
    os.unlink(os.path.join(tree, POOL))
    link = zipfile.ZipInfo(POOL)
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    return zip_tree(tree, dest, extra=[(link, "/etc/passwd")])


def expected_score(exp, max_score, points, scores):
    """The score EXP stands for, or None for 'less' (checked separately)."""
    s = exp.score
    if s == "full":
        return max_score
    if s == "zero":
        return 0
    if isinstance(s, tuple) and s[0] == "minus":
        return max_score - sum(points[t] for t in s[1])
    if isinstance(s, tuple) and s[0] == "same":
        return scores.get(s[1])
    return None
