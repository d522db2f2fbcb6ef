"""mutation_obj.py: compile one translation unit like the kernel build and compare object code (equivalent-mutant detection for grade/mutate.py)."""
import os
import re
import shlex
import struct
import subprocess
import tempfile

SHF_ALLOC = 0x2
SHT_SYMTAB, SHT_NOBITS, SHT_REL = 2, 8, 9
STT_SECTION, STT_FILE = 3, 4
COMPILE_TIMEOUT = 120


class CompileError(Exception):
    pass


def kernel_cflags(root):
    """KCFLAGS of common/rules.mk as make computes them in ROOT, without -g (gcc's
    code generation does not depend on it)."""
    out = subprocess.run(["make", "-s", "--no-print-directory", "-C", root, "--eval",
                          "mutate-print-kcflags: ; @echo $(KCFLAGS)", "mutate-print-kcflags"],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0 or not out.stdout.strip():
        raise CompileError("cannot read KCFLAGS from %s/Makefile: %s" % (root, out.stderr))
    return [f for f in shlex.split(out.stdout.strip().splitlines()[-1]) if f != "-g"]


def lab_defines(lab, lab_dir):
    """The per-lab -D flags of common/rules.mk's compile rule."""
    return ['-DLAB_NAME="lab%d"' % lab, '-DLAB_TITLE="%s"' % lab_dir]


def compile_unit(root, rel, cflags, out):
    """Compile ROOT/REL (a .c or .asm) to the object OUT; CompileError with the
    compiler's first lines if it fails."""
    if rel.endswith((".asm", ".inc")):
        cmd = ["nasm", "-f", "elf32", rel, "-o", out]   # as common/rules.mk, minus -g
    else:
        cmd = ["gcc"] + cflags + ["-c", rel, "-o", out]
    try:
        p = subprocess.run(cmd, cwd=root, capture_output=True, text=True,
                           timeout=COMPILE_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise CompileError("%s: compiler timed out" % rel)
    if p.returncode != 0:
        raise CompileError("\n".join((p.stderr or p.stdout).splitlines()[:5]))


def signature(path):
    """What the object file PATH contributes to a kernel, independent of debug
    info and file names: every allocated section's name, flags, size and bytes,
    its relocations with symbol names, and the defined symbols."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 1:
        raise CompileError("%s: not a 32-bit ELF object" % path)
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
    secs = [struct.unpack_from("<10I", data, shoff + i * shentsize) for i in range(shnum)]

    def cstr(table_off, i):
        end = data.index(b"\0", table_off + i)
        return data[table_off + i:end].decode("latin-1")
    names = [cstr(secs[shstrndx][4], s[0]) for s in secs]
    syms = []
    for s in secs:
        if s[1] == SHT_SYMTAB:
            strtab = secs[s[6]][4]
            for k in range(s[5] // 16):
                name, value, size, info, _, shndx = struct.unpack_from("<IIIBBH", data,
                                                                        s[4] + k * 16)
                kind = info & 0xF
                label = names[shndx] if kind == STT_SECTION and shndx < shnum else \
                    cstr(strtab, name)
                where = names[shndx] if 0 < shndx < shnum else shndx
                syms.append((label, kind, info >> 4, where, value, size))
    sig = []
    for i, s in enumerate(secs):
        name, stype, flags, size = names[i], s[1], s[2], s[5]
        if flags & SHF_ALLOC:
            body = b"" if stype == SHT_NOBITS else data[s[4]:s[4] + size]
            sig.append(("section", name, stype, flags, size, s[8], body))
        elif stype == SHT_REL and secs[s[7]][2] & SHF_ALLOC:
            for k in range(size // 8):
                off, info = struct.unpack_from("<II", data, s[4] + k * 8)
                sym = syms[info >> 8][:2] if (info >> 8) < len(syms) else info >> 8
                sig.append(("rel", names[s[7]], off, info & 0xFF, sym))
    sig += sorted(("sym",) + x for x in syms if x[1] not in (STT_SECTION, STT_FILE) and
                  x[3] != 0 and x[0] and not re.match(r"^\.L", x[0]))
    return sig


def unit_signature(root, rel, cflags):
    """signature() of ROOT/REL compiled with CFLAGS (CompileError if it does not)."""
    with tempfile.TemporaryDirectory(prefix="stepos-mut-") as tmp:
        out = os.path.join(tmp, "unit.o")
        compile_unit(root, rel, cflags, out)
        return signature(out)


INCLUDE_QUOTED = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def resolve_include(root, includer, name):
    """The path (relative to ROOT) that `#include "NAME"` in INCLUDER names,
    as the kernel build finds it: the includer's own directory first, then
    ROOT (-I.)."""
    local = os.path.normpath(os.path.join(os.path.dirname(includer), name))
    return local if os.path.exists(os.path.join(root, local)) else os.path.normpath(name)


def dependents(root, header, files):
    """The .c files among FILES (paths relative to ROOT) that #include HEADER,
    directly or through other headers among FILES (by a path from ROOT, or
    one relative to the including file's directory)."""
    includes = {}
    for c in files:
        try:
            with open(os.path.join(root, c)) as f:
                text = f.read()
        except OSError:
            continue
        includes[c] = {resolve_include(root, c, n) for n in INCLUDE_QUOTED.findall(text)}
    wanted, found, todo = {header}, set(), [header]
    while todo:
        h = todo.pop()
        for c, names in includes.items():
            if c not in found and h in names:
                found.add(c)
                if c.endswith(".h") and c not in wanted:
                    wanted.add(c)
                    todo.append(c)
    return sorted(c for c in found if c.endswith(".c"))
