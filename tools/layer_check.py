#!/usr/bin/env python3
"""layer_check.py: the include and call graphs among one lab's kernel files must have no cycle.

A node is a module (a .c file and its .h, by base name) or, for nasm, one
global label (switch.asm's thread_start is an entry point planted in a first
frame, not a function anybody calls: it is its own node). An edge A -> B means
A #includes B's header or calls a function B defines (C: `name(`, nasm:
`call name`). Including a header whose functions the file itself defines
(thread_list.c implements part of thread.h) is implementing, not depending.
Tests, benchmarks, demos, the monitor, setup.c and main.c are clients (they
may call anything) and are left out; optional challenges (challenge_*) are
modules like any other: a challenge split over several files layers them too. Prints the edges and either
"no cycle" or every cycle found; exit status 1 if there is one.

    python3 tools/layer_check.py lab4-threads
"""
import argparse
import os
import re
import sys

CLIENT = re.compile(r"^(tests_|bench_|main\.|setup\.|.*_demos\.|.*_monitor\.)")
C_DEF = re.compile(r"^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\([^;]*$")
C_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
INCLUDE = re.compile(r'^\s*#\s*include\s+"(?:[\w-]+/)?([\w]+)\.h"')
ASM_GLOBAL_ALL = re.compile(r"^\s*global\s+(\w+)", re.M)
ASM_LABEL = re.compile(r"^(\w+):")
ASM_CALL = re.compile(r"^\s*call\s+(\w+)")
KEYWORDS = {"if", "while", "for", "switch", "return", "sizeof", "defined"}


def strip_c(text):
    """Drop comments, strings and character constants (keep line breaks)."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(\\.|[^"\\\n])*"|\'(\\.|[^\'\\\n])*\'', '""', text)


def scan(lab_dir):
    """Return (defined: symbol -> node, uses: node -> set of symbols, includes: node -> set of modules)."""
    defined, uses, includes, declared = {}, {}, {}, {}
    for name in sorted(os.listdir(lab_dir)):
        path = os.path.join(lab_dir, name)
        base, ext = os.path.splitext(name)
        if CLIENT.match(name) or ext not in (".c", ".h", ".asm"):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if ext == ".asm":
            label, globals_ = None, set(ASM_GLOBAL_ALL.findall(text))
            for line in text.splitlines():
                line = line.split(";")[0]
                m = ASM_LABEL.match(line)
                if m and m.group(1) in globals_:
                    label = "%s:%s" % (name, m.group(1))
                    defined[m.group(1)] = label
                    uses.setdefault(label, set())
                m = ASM_CALL.match(line)
                if m and label:
                    uses[label].add(m.group(1))
            continue
        node = base
        includes.setdefault(node, set()).update(
            m.group(1) for m in (INCLUDE.match(l) for l in text.splitlines()) if m)
        text = strip_c(text)
        if ext == ".h":
            declared[base] = set(re.findall(r"\b(\w+)\s*\([^;{]*\)[^;{]*;", text))
            continue
        depth = 0
        for line in text.splitlines():
            if depth == 0:
                m = C_DEF.match(line)
                if m and not line.rstrip().endswith(";") and m.group(1) not in KEYWORDS:
                    defined.setdefault(m.group(1), node)
            else:
                uses.setdefault(node, set()).update(
                    c for c in C_CALL.findall(line) if c not in KEYWORDS)
            depth += line.count("{") - line.count("}")
    for node, inc in includes.items():
        mine = {sym for sym, where in defined.items() if where == node}
        includes[node] = {h for h in inc if h == node or not (declared.get(h, set()) & mine)}
    return defined, uses, includes


def edges_of(lab_dir):
    defined, uses, includes = scan(lab_dir)
    nodes = set(uses) | set(includes)
    modules = {n for n in nodes if ":" not in n}
    edges = {}
    for node, inc in includes.items():
        for target in inc:
            if target in modules and target != node:
                edges.setdefault(node, {}).setdefault(target, "#include")
    for node, syms in uses.items():
        for sym in syms:
            target = defined.get(sym)
            if target is not None and target != node:
                edges.setdefault(node, {}).setdefault(target, "calls %s" % sym)
    return nodes | {t for e in edges.values() for t in e}, edges


def cycles(nodes, edges):
    """Every elementary cycle's first discovery by depth-first search."""
    found, state, stack = [], {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for t in sorted(edges.get(n, {})):
            if state.get(t) == 1:
                found.append(stack[stack.index(t):] + [t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[n] = 2

    for n in sorted(nodes):
        if n not in state:
            visit(n)
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lab_dir", nargs="+")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every edge")
    args = ap.parse_args()
    bad = 0
    for lab_dir in args.lab_dir:
        nodes, edges = edges_of(lab_dir)
        if args.verbose:
            for a in sorted(edges):
                for b, why in sorted(edges[a].items()):
                    print("  %s -> %s (%s)" % (a, b, why))
        found = cycles(nodes, edges)
        for c in found:
            print("%s: cycle: %s" % (lab_dir, " -> ".join(c)))
        print("%s: %d modules, %d edges, %s" % (
            lab_dir, len(nodes), sum(len(e) for e in edges.values()),
            "%d cycle(s)" % len(found) if found else "no cycle"))
        bad += bool(found)
    print("layer_check: %d passed, %d failed" % (len(args.lab_dir) - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
