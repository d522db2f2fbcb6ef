"""redteam_fixtures.py: hostile submissions for redteam_test.py: a lab's handout (no honest work) plus one way to cheat the grader each."""
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import class_fixtures as cf  # noqa: E402
import pristine  # noqa: E402
import rubric  # noqa: E402

LAB = 2                    # most cases: its handout scores 0 and builds in seconds
TESTS = ["frames_pools_layout", "frames_release_exact_run", "frames_bad_get_zero"]
DISK_LAB = 6               # the data-disk script case: only lab 6's build runs it
DISK_TESTS = ["disk_simple_write_read"]
# Cases whose defence is not in this tree yet: they are expected to fail
# detection (the test reports XFAIL); when one starts to pass (XPASS, a
# failure), the defence has landed: take it off this list.
KNOWN_GAPS = {}

# The KTEST macro's last line in common/ktest.h, and a forger's version: the
# registered function is empty (so it passes), the test body is never called.
KTEST_TAIL = "    static void ktest_fn_##tname(void)\n"
FORGED_TAIL = ("    static void ktest_fn_##tname(void) {}                                   \\\n"
               "    static void __attribute__((unused)) ktest_body_##tname(void)\n")
FORGED_KTEST = """
#ifdef COMMON_KTEST_H
#undef KTEST
#define KTEST(tname)                                                         \\
    static void ktest_fn_##tname(void) {}                                    \\
    static const struct ktest ktest_desc_##tname                             \\
        KTABLE_ENTRY(ktest) = {                                              \\
            #tname, ktest_fn_##tname};                                       \\
    static void __attribute__((unused)) ktest_body_##tname(void)
#endif
"""
# A build step that edits the (restored) tests before compiling them.
FORGE_TESTS_PY = """# forge_tests.py: make every KTEST return at once (a hostile build step).
import glob, re, sys
for path in glob.glob(sys.argv[1] + "/tests_*.c"):
    text = open(path).read()
    open(path, "w").write(re.sub(r"(KTEST\\(\\w+\\)\\n\\{\\n)", r"\\1    return;\\n", text))
"""
GNUMAKEFILE = """# %(name)s: read by make before the Makefile (a hostile build).
build-lab%%:
\tpython3 forge_tests.py lab%(lab)d-%(topic)s
\t$(MAKE) -f Makefile $@
.DEFAULT:
\t$(MAKE) -f Makefile $@
"""
# A dependency file make includes; its recipe replaces the kernel image.
DEP_RULES = """build/lab%(lab)d/obj/lab%(lab)d-%(topic)s/main.c.o: lab%(lab)d-%(topic)s/main.c
build/lab%(lab)d/disk.img:
\t%(recipe)s
"""
MKDATA_MAIN = 'if __name__ == "__main__":\n    sys.exit(main())\n'
MKDATA_FORGE = """def _forge():
    # A hostile data-disk step: edit the tests, rebuild the kernel image.
    import glob, os, re, subprocess
    for path in glob.glob("lab6-disk/tests_*.c"):
        text = open(path).read()
        open(path, "w").write(re.sub(r"(KTEST\\(\\w+\\)\\n\\{\\n)", r"\\1    return;\\n", text))
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(k, None)
    subprocess.run(["make", "-s", "build/lab6/disk.img"], check=True, env=env)


if __name__ == "__main__":
    main()
    _forge()
"""
FORGER_C = """
/* Not the lab: print what a passing run prints, then power off. */
#include "common/power.h"
#include "lab1-boot/cmdline.h"

static const char *const frames_names[] = { %(names)s, NULL };

static bool frames_wanted(const char *want, const char *name)
{
    if (!want)
        return true;
    for (; *want; want++) {
        size_t i = 0;
        while (name[i] && want[i] == name[i])
            i++;
        if (!name[i])
            return true;
    }
    return false;
}

static void frames_forge(void)
{
    const char *want = cmdline_get("test");
    int n = 0;
    for (int i = 0; frames_names[i]; i++)
        n += frames_wanted(want, frames_names[i]);
    kprintf("KTEST START lab2 %%d\\n", n);
    for (int i = 0; frames_names[i]; i++) {
        if (!frames_wanted(want, frames_names[i]))
            continue;
        kprintf("KTEST RUN %%s\\n", frames_names[i]);
        kprintf("KTEST PASS %%s\\n", frames_names[i]);
    }
    kprintf("KTEST DONE lab2: %%d passed, 0 failed\\n", n);
    power_off(POWER_OK);
}

void frames_init(void)
{
    frames_forge();
"""


@dataclass
class Case:
    """One hostile submission: NAME (its file name in the class folder), WHAT
    it does, FLAG (a substring of the INTEGRITY flag expected in its CSV row
    and JSON; '' for any flag; None when a NOTE is enough), NOTE (a substring
    of any warning)."""
    name: str
    what: str
    flag: str = None
    note: str = None
    lab: int = LAB
    before: bool = False   # the grader refused it before redteam: --baseline expects that


def _edit(path, old, new):
    with open(path) as f:
        text = f.read()
    if text.count(old) != 1:
        raise cf.FixtureError("%s: %r occurs %d times" % (path, old[:50], text.count(old)))
    with open(path, "w") as f:
        f.write(text.replace(old, new))


def _write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def forged_ktest_h(ref):
    """REF's common/ktest.h whose KTEST never runs its body, with its own
    includes spelled from the tree's top (it is meant to sit elsewhere)."""
    with open(os.path.join(ref, "common", "ktest.h")) as f:
        text = f.read()
    if text.count(KTEST_TAIL) != 1:
        raise cf.FixtureError("common/ktest.h: the KTEST macro changed; update KTEST_TAIL")
    return (text.replace(KTEST_TAIL, FORGED_TAIL)
            .replace('#include "kstring.h"', '#include "common/kstring.h"')
            .replace('#include "ktable.h"', '#include "common/ktable.h"'))


def make_reference(dest):
    """The reference (class_fixtures' tree), with lab LAB built, as an
    instructor's working tree often is: its kernel image is what the
    prebuilt and link cases steal."""
    ref = cf.make_reference(dest, (LAB, DISK_LAB))
    subprocess.run(["make", "-C", ref, "-s", "build-lab%d" % LAB], check=True,
                   stdout=subprocess.DEVNULL)
    return ref


def handout(ref, lab, dest):
    subprocess.run([sys.executable, os.path.join(ref, "tools", "handout.py"), str(lab),
                    "--out", dest], check=True, stdout=subprocess.DEVNULL)
    return dest


def _copy(src, dest):
    shutil.copytree(src, dest, symlinks=True)
    return dest


def _gnumakefile(base, dest, name, topic):
    t = _copy(base, dest)
    _write(os.path.join(t, name), GNUMAKEFILE % {"name": name, "lab": LAB, "topic": topic})
    _write(os.path.join(t, "forge_tests.py"), FORGE_TESTS_PY)
    return t


def _wrapped_deps(base, dest, recipe, blob=None):
    """A folder wrapping the tree (dest/stepos/...) whose build/ holds a
    dependency file with RECIPE for the kernel image."""
    t = _copy(base, os.path.join(dest, "stepos"))
    topic = _topic(t, LAB)
    _write(os.path.join(t, "build", "lab%d" % LAB, "obj", "lab%d-%s" % (LAB, topic),
                        "main.c.d"), DEP_RULES % {"lab": LAB, "topic": topic, "recipe": recipe})
    if blob:
        shutil.copyfile(blob[0], os.path.join(t, blob[1]))
    return dest


def _topic(tree, lab):
    d = [x for x in os.listdir(tree) if x.startswith("lab%d-" % lab)]
    return d[0][len("lab%d-" % lab):]


def _prebuilt_tar(ref, base, dest):
    """A .tar.gz of the handout whose last members are REF's build/: written
    last on extraction, so make finds every output newer than its sources."""
    extra = []
    top = os.path.join(ref, "build")
    for d, _, files in os.walk(top):
        for f in sorted(files):
            full = os.path.join(d, f)
            info = tarfile.TarInfo(os.path.relpath(full, ref))
            with open(full, "rb") as fh:
                data = fh.read()
            info.size = len(data)
            extra.append((info, data))
    return cf.tar_tree(base, dest, extra=extra)


def build_class(ref, folder):
    """Write the lab LAB class into FOLDER; returns [Case]."""
    os.makedirs(folder)
    tmp = folder + ".src"
    base = handout(ref, LAB, os.path.join(tmp, "handout"))
    topic = _topic(base, LAB)
    labdir = "lab%d-%s" % (LAB, topic)
    p = lambda n: os.path.join(folder, n)             # noqa: E731
    image = os.path.join(ref, "build", "lab%d" % LAB, "disk.img")
    forged = forged_ktest_h(ref)
    cases = [Case("honest", "the handout as it is: the score every case must not beat")]
    _copy(base, p("honest"))

    t = _copy(base, p("shadow_nested"))
    _write(os.path.join(t, labdir, "common", "ktest.h"), forged)
    cases.append(Case("shadow_nested", "%s/common/ktest.h: found before common/ktest.h by "
                      "the lab's tests" % labdir, "instead of common/ktest.h"))

    t = _copy(base, p("shadow_system"))
    _write(os.path.join(t, "stdbool.h"), "#ifndef REDTEAM_STDBOOL_H\n#define "
           "REDTEAM_STDBOOL_H\n#include_next <stdbool.h>\n" + forged + "#endif\n")
    cases.append(Case("shadow_system", "a top-level stdbool.h (found by -I. before the "
                      "compiler's) that defines a forged ktest.h", "instead of stdbool.h"))

    t = _copy(base, p("subdir_header"))
    hdr = "cont_frame_pool.h"
    with open(os.path.join(base, labdir, hdr)) as f:
        _write(os.path.join(t, labdir, labdir, hdr), f.read() + FORGED_KTEST)
    cases.append(Case("subdir_header", "a header with a redefined KTEST hidden in %s/%s/, "
                      "found first by the tests' #include \"%s/%s\""
                      % (labdir, labdir, labdir, hdr), "instead of %s/%s" % (labdir, hdr)))

    t = _copy(base, p("student_macro"))
    _write(os.path.join(t, labdir, "cont_frame_pool.h"), FORGED_KTEST.replace(
        "#undef KTEST", "/* a student header */\n%:\\\nundef KTEST"), "a")
    cases.append(Case("student_macro", "the student's own header (included by the tests "
                      "after ktest.h) redefines KTEST", "redefine the test framework"))

    _gnumakefile(base, p("gnumakefile"), "GNUmakefile", topic)
    cases.append(Case("gnumakefile", "a GNUmakefile that edits the tests before building",
                      "GNUmakefile"))
    _gnumakefile(base, p("makefile_lower"), "makefile", topic)
    cases.append(Case("makefile_lower", "a makefile (read before Makefile) that edits the "
                      "tests", "makefile"))

    _prebuilt_tar(ref, base, p("prebuilt.tar.gz"))
    cases.append(Case("prebuilt", "a .tar.gz ending with the reference's build/ (newer than "
                      "every source once extracted)", None, "build/"))

    _wrapped_deps(base, p("wrapped_deps"), "cp %s/kernel.dat $@" % labdir,
                  (image, os.path.join(labdir, "kernel.dat")))
    cases.append(Case("wrapped_deps", "a wrapping folder whose build/ has a .d file with a "
                      "recipe copying a stolen kernel image", "make rules in dependency files"))

    _wrapped_deps(base, p("linked_output"), "ln -sf %s $@" % image)
    cases.append(Case("linked_output", "a .d recipe that makes the kernel image a symbolic "
                      "link to the reference's", "make rules in dependency files"))

    t = _copy(base, p("extra_lab_mk"))
    _write(os.path.join(t, "lab7-more", "lab.mk"),
           "# lab.mk: a lab of my own (hostile)\nKCFLAGS += -include lab7-more/forge.h\n")
    _write(os.path.join(t, "lab7-more", "forge.h"), forged)
    cases.append(Case("extra_lab_mk", "a new lab7-more/lab.mk that force-includes a forged "
                      "ktest.h into every file", "lab7-more/lab.mk", before=True))

    t = _copy(base, p("forger"))
    names = rubric.load(LAB, ref).entries
    _edit(os.path.join(t, labdir, "frames.c"), "\nvoid frames_init(void)\n{\n",
          FORGER_C % {"names": ", ".join('"%s"' % e.name for e in names)})
    cases.append(Case("forger", "frames_init prints KTEST PASS for every rubric test and "
                      "powers off", ""))
    shutil.rmtree(tmp)
    return cases


def build_disk_class(ref, folder):
    """The lab DISK_LAB class: the handout and an edited data-disk script."""
    os.makedirs(folder)
    tmp = folder + ".src"
    base = handout(ref, DISK_LAB, os.path.join(tmp, "handout"))
    _copy(base, os.path.join(folder, "honest6"))
    t = _copy(base, os.path.join(folder, "mkdata"))
    _edit(os.path.join(t, "lab6-disk", "mkdata.py"), MKDATA_MAIN, MKDATA_FORGE)
    shutil.rmtree(tmp)
    return [Case("honest6", "lab 6's handout as it is", lab=DISK_LAB),
            Case("mkdata", "lab6-disk/mkdata.py (run by the data-disk rule) edits the tests "
                 "and rebuilds the kernel", "lab6-disk/mkdata.py", lab=DISK_LAB)]


def scripts_run_by_builds(ref, labs):
    """[(script, protected?)] of every script file (.py, .sh, .pl) of REF that
    a build rule of LABS runs, from make's dry run on a fresh build/."""
    found = {}
    for n in labs:
        out = subprocess.run(["make", "-C", ref, "-n", "-B", "--no-print-directory",
                              "build-lab%d" % n], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True).stdout
        for word in out.split():
            if word.endswith((".py", ".sh", ".pl")) and os.path.isfile(os.path.join(ref, word)):
                found[os.path.normpath(word)] = pristine.is_pristine(os.path.normpath(word))
    return sorted(found.items())
