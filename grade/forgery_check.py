#!/usr/bin/env python3
"""forgery_check.py: red-team kernels that forge KTEST results must score 0 under --pristine."""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GRADE = os.path.join(HERE, "grade.py")
sys.path.insert(0, HERE)

import protocol  # noqa: E402
from batch import copy_tree  # noqa: E402

TARGET = "lab2-frames/main.c"      # student code: lab_init runs after the key was taken
HOOK = "void lab_init(int demo)\n{\n"

COMMON = r'''
#include <stdint.h>
#include "common/kstring.h"
#include "common/ktest.h"
#include "common/power.h"
#include "lab1-boot/cmdline.h"

/* Print START, RUN and PASS for every name in test=, DONE, and power off. */
static void forge_all(void (*line)(const char *fmt, const char *arg))
{
    static char names[512];
    const char *tests = cmdline_get("test");
    if (tests == NULL)
        return;
    strlcpy(names, tests, sizeof names);
    line("KTEST START lab2 %s", "1");
    for (char *p = names, *end; *p; p = end) {
        end = p;
        while (*end && *end != ',')
            end++;
        if (*end)
            *end++ = '\0';
        line("KTEST RUN %s", p);
        line("KTEST PASS %s", p);
    }
    line("KTEST DONE %s: 1 passed, 0 failed", "lab2");
    power_off(POWER_OK);
}
'''

NAIVE = COMMON + r'''
static void plain(const char *fmt, const char *arg)
{
    kprintf(fmt, arg);
    kprintf("\n");
}
#define FORGE() forge_all(plain)
'''

KEY_HUNTER = COMMON + r'''
#include "common/format.h"
#include "common/siphash.h"
#include "common/x86.h"
#include "lab1-boot/bootinfo.h"

static uint8_t key[16];
static unsigned seq;

static const char *find_key(const char *p, size_t n)
{
    for (size_t i = 0; i + 6 + 32 <= n; i++)
        if (memcmp(p + i, "ktkey=", 6) == 0)
            return p + i + 6;
    return NULL;
}

static int hexv(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void read_sector1(char *buf)            /* primary master, LBA 1, PIO */
{
    outb(0x1F6, 0xE0);
    outb(0x1F2, 1);
    outb(0x1F3, 1);
    outb(0x1F4, 0);
    outb(0x1F5, 0);
    outb(0x1F7, 0x20);
    for (long i = 0; i < 10000000 && (inb(0x1F7) & 0x88) != 0x08; i++)
        ;
    insw(0x1F0, buf, 256);
}

static void tagged(const char *fmt, const char *arg)
{
    static char line[600];
    int n = ksnprintf(line, sizeof line - 40, fmt, arg);
    n += ksnprintf(line + n, 40, " #%u", seq++);
    uint64_t mac = siphash24(key, line, (size_t)n);
    kprintf("%s:%08lx%08lx\n", line, (unsigned long)(mac >> 32), (unsigned long)mac);
}

static void forge_with_key(void)
{
    static char sector[512];
    const char *k = find_key(cmdline_text(), strlen(cmdline_text()));
    if (k == NULL)
        k = find_key(boot_info()->cmdline, sizeof boot_info()->cmdline);
    if (k == NULL)
        k = find_key((const char *)0x500, 0x9FC00 - 0x500);
    if (k == NULL) {
        read_sector1(sector);
        k = find_key(sector, sizeof sector);
    }
    kprintf("forger: %s\n", k ? "key found" : "no key found");
    for (int i = 0; k != NULL && i < 32; i++)
        key[i / 2] = (uint8_t)((i % 2 ? key[i / 2] : 0) | hexv(k[i]) << (i % 2 ? 0 : 4));
    forge_all(tagged);
}
#define FORGE() forge_with_key()
'''

CODE_PATCHER = r'''
#include <stdint.h>
#include "common/ktest.h"

extern const struct ktest __ktest_start[], __ktest_end[];

/* Make every registered test return at once: "ret" over its first byte. */
static void patch_tests(void)
{
    for (const struct ktest *t = __ktest_start; t < __ktest_end; t++)
        *(volatile uint8_t *)t->fn = 0xC3;
}
#define FORGE() patch_tests()
'''

# name: (C code put before lab_init, what must be true of the serial logs)
FORGERS = {
    "naive": (NAIVE, "KTEST PASS frames_pools_layout"),
    "key-hunter": (KEY_HUNTER, "forger: no key found"),
    "code-patcher": (CODE_PATCHER, None),
}


def make_submission(ref, dest, code):
    copy_tree(ref, dest)
    path = os.path.join(dest, TARGET)
    with open(path) as f:
        text = f.read()
    if HOOK not in text:
        raise SystemExit("forgery_check: %s has no '%s' to hook" % (TARGET, HOOK.strip()))
    with open(path, "w") as f:
        f.write(text.replace(HOOK, code + "\n" + HOOK + "    FORGE();\n", 1))


def check(name, tmp, ref, emulator):
    """Grade forger NAME; returns a list of problems (empty: it scored 0 as it should)."""
    code, must_see = FORGERS[name]
    sub, keep, js = (os.path.join(tmp, name), os.path.join(tmp, name + "-boots"),
                     os.path.join(tmp, name + ".json"))
    make_submission(ref, sub, code)
    r = subprocess.run([sys.executable, GRADE, "lab2", "--root", sub, "--pristine", ref,
                        "--emulator", emulator, "--json", js, "--keep", keep],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    problems = []
    try:
        with open(js) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        return ["no results.json (%s); grader output:\n%s" % (e, r.stdout[-2000:])]
    verdicts = {t["name"]: t["extra_data"]["verdict"] for t in doc["tests"]}
    scored = [t["name"] for t in doc["tests"] if t["score"] > 0]
    if scored:
        problems.append("scored points on %s" % ", ".join(scored))
    if "BUILD-FAIL" in verdicts.values():
        problems.append("did not build, so it proves nothing:\n" + r.stdout[-1500:])
    logs = "".join(open(p, errors="replace").read() for p in
                   glob.glob(os.path.join(keep, "**", "serial.log"), recursive=True))
    if must_see and must_see not in logs:
        problems.append("the forger did not run as intended: no %r in its serial logs" % must_see)
    if name != "code-patcher":
        unkeyed = protocol.parse_log(logs)   # what a grader without keys would have believed
        if not all(v.passed for v in unkeyed.results.values()) or not unkeyed.results:
            problems.append("without keys the forgery would not even have passed")
        flags = doc.get("extra_data", {}).get("integrity", [])
        if not any("ignored a protocol line" in f for f in flags):
            problems.append("no INTEGRITY finding about the ignored lines in results.json")
    else:
        if "INTEGRITY: the kernel's code or test tables changed" not in json.dumps(doc):
            problems.append("no test failed with the code-integrity message")
    if "INTEGRITY: %s" % TARGET not in r.stdout:
        problems.append("the integrity scan did not flag %s" % TARGET)
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("forgers", nargs="*", default=list(FORGERS), help="default: all")
    ap.add_argument("--emulator", default="qemu", choices=["qemu", "bochs"])
    args = ap.parse_args(argv)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="stepos-forgery-") as tmp:
        ref = os.path.join(tmp, "reference")
        copy_tree(ROOT, ref)
        for name in args.forgers:
            problems = check(name, tmp, ref, args.emulator)
            print("%s: %s" % (name, "OK (scored 0)" if not problems else "FAIL"), flush=True)
            for p in problems:
                print("    " + p.replace("\n", "\n    "))
            passed, failed = passed + (not problems), failed + bool(problems)
    print("forgery_check: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
