"""mutation_ops.py: the mutation operators of grade/mutate.py: a C tokeniser and nasm line parser, and one-edit mutants inside solution regions."""
import hashlib
import re
from dataclasses import dataclass

# Operator families (--ops): each mutant belongs to exactly one.
OPS = ("relational", "arithmetic", "constant", "negate", "delete", "swap", "name")

C_TOKEN = re.compile(r"""
 (?P<ws>(?:[ \t\r\f\v]|\\\n)+)
|(?P<nl>\n)
|(?P<comment>//[^\n]*|/\*.*?\*/)
|(?P<string>"(?:\\.|[^"\\\n])*")
|(?P<char>'(?:\\.|[^'\\\n])*')
|(?P<number>\.?\d(?:[eEpP][+-]|[\w.])*)
|(?P<ident>[A-Za-z_]\w*)
|(?P<punct>\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|[][(){};,.?:~!<>=+\-*/%&|^\#])
|(?P<other>.)""", re.S | re.X)

KEYWORDS = {"auto", "break", "case", "char", "const", "continue", "default", "do", "double",
            "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
            "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
            "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool",
            "bool", "__asm__", "asm", "__attribute__", "__volatile__", "typeof", "__typeof__"}
DECL_START = {"char", "const", "double", "enum", "extern", "float", "int", "long", "register",
              "short", "signed", "static", "struct", "typedef", "union", "unsigned", "void",
              "volatile", "_Bool", "bool", "inline"}
CONTROL = {"if", "while", "for", "switch"}

RELATIONAL = {"<": ["<=", ">="], "<=": ["<", ">"], ">": [">=", "<="], ">=": [">", "<"],
              "==": ["!="], "!=": ["=="]}
ARITHMETIC = {"+": ["-"], "-": ["+"], "*": ["/"], "/": ["*"], "%": ["/"], "<<": [">>"],
              ">>": ["<<"], "&": ["|"], "|": ["&"], "^": ["|"], "&&": ["||"], "||": ["&&"],
              "+=": ["-="], "-=": ["+="], "|=": ["&="], "&=": ["|="], "^=": ["|="],
              "<<=": [">>="], ">>=": ["<<="], "*=": ["/="], "/=": ["*="]}
INCDEC = {"++": "--", "--": "++"}
# Operators that may also be unary prefixes: binary only after an operand.
MAYBE_UNARY = {"+", "-", "*", "&"}
NAME = re.compile(r"^[A-Z][A-Z0-9]*_[A-Z0-9_]+$")


@dataclass
class Token:
    kind: str
    text: str
    start: int
    line: int
    pp: str = ""        # directive name ('define', 'include', ...) on a preprocessor line

    @property
    def end(self):
        return self.start + len(self.text)


@dataclass
class Mutant:
    """One small edit of PATH: TEXT[start:end] becomes REPLACEMENT."""
    path: str
    lab: int
    line: int           # 1-based line of the edit's start
    source: str         # that line's text, stripped: the stable part of the id
    desc: str           # e.g. "'<' -> '<='"
    op: str             # one of OPS
    start: int
    end: int
    replacement: str
    nth: int = 0        # earlier mutants of this file with the same (source, desc)
    before: str = ""    # TEXT[start:end] when generated (a changed tree is detected)

    @property
    def ident(self):
        """Stable id: file, mutated line's text, mutation (not the line number)."""
        key = "%s\0%s\0%s\0%d" % (self.path, self.source, self.desc, self.nth)
        return hashlib.sha1(key.encode()).hexdigest()[:12]

    def apply(self, text):
        """TEXT mutated; ValueError if TEXT is not the text the mutant was made from."""
        if text[self.start:self.end] != self.before:
            raise ValueError("%s changed since the mutants were generated" % self.path)
        return text[:self.start] + self.replacement + text[self.end:]

    def where(self):
        return "%s:%d: %s" % (self.path, self.line, self.desc)


def tokenize(text):
    """Tokens of C TEXT (whitespace and newlines dropped; comments kept)."""
    toks, line, pp, line_start = [], 1, "", True
    for m in C_TOKEN.finditer(text):
        kind, s = m.lastgroup, m.group()
        if kind == "nl":
            line, pp, line_start = line + 1, "", True
            continue
        if kind != "ws" and kind != "comment":
            if line_start and s == "#":
                pp = "#"
            elif pp == "#":
                pp = s if kind == "ident" else "?"
            line_start = False
        if kind != "ws":
            toks.append(Token(kind, s, m.start(), line, pp))
        line += s.count("\n")
    return toks


def names_table(texts):
    """{NAME: [neighbour names]} from the object-like #defines and enum members of
    TEXTS, in file order: a name's neighbours are the names just before and after it
    sharing its first word (PTE_PRESENT -> PTE_WRITABLE)."""
    table = {}
    define = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Z][A-Z0-9_]*)[ \t]+\S", re.M)
    enum = re.compile(r"\benum\b[^{;]*\{([^}]*)\}", re.S)
    for text in texts:
        found = [(m.start(), m.group(1)) for m in define.finditer(text)]
        for m in enum.finditer(text):
            body = re.sub(r"/\*.*?\*/|//[^\n]*", "", m.group(1), flags=re.S)
            for i, part in enumerate(body.split(",")):
                nm = re.match(r"\s*([A-Z][A-Z0-9_]*)", part)
                if nm:
                    found.append((m.start(1) + i, nm.group(1)))
        seq = [n for _, n in sorted(found) if NAME.match(n)]
        for i, n in enumerate(seq):
            prefix = n.split("_")[0]
            for j in (i - 1, i + 1):
                if 0 <= j < len(seq) and seq[j] != n and seq[j].split("_")[0] == prefix:
                    table.setdefault(n, [])
                    if seq[j] not in table[n]:
                        table[n].append(seq[j])
    return table


def _int_value(text):
    """(value, render) of an integer literal, or None (floats, odd forms)."""
    m = re.match(r"^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$", text)
    if not m:
        return None
    body, suffix = m.groups()
    if body[:2] in ("0x", "0X"):
        upper = body[2:] != body[2:].lower()
        return int(body, 16), lambda v: "%s%s%s" % (body[:2], "%X" % v if upper else "%x" % v,
                                                     suffix)
    if len(body) > 1 and body[0] == "0":
        return int(body, 8), lambda v: "0%o%s" % (v, suffix)
    return int(body), lambda v: "%d%s" % (v, suffix)


def constant_values(value):
    """Replacement values for an integer constant: +1, -1, the neighbouring bits."""
    out = [value + 1]
    if value > 0:
        out.append(value - 1)
    if value >= 2 and value & (value - 1) == 0:
        out += [value << 1, value >> 1]
    seen = []
    for v in out:
        if v != value and v not in seen and v >= 0:
            seen.append(v)
    return seen


def _is_operand_end(tok):
    if tok is None:
        return False
    if tok.kind in ("number", "string", "char"):
        return True
    if tok.kind == "ident":
        return tok.text not in KEYWORDS
    return tok.text in (")", "]")


def _is_type_name(toks, i):
    """True if the identifier toks[i] looks like a type (x_t, struct tag, keyword)."""
    t = toks[i]
    if t.kind != "ident":
        return False
    if t.text.endswith("_t") or t.text in DECL_START:
        return True
    return i > 0 and toks[i - 1].text in ("struct", "union", "enum")


def _match_paren(toks, i):
    """Index of the ')' matching the '(' at toks[i], or None."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text == "(":
            depth += 1
        elif toks[j].text == ")":
            depth -= 1
            if depth == 0:
                return j
    return None


def _is_declaration(stmt):
    a = stmt[0]
    if a.kind != "ident":
        return False
    if a.text in DECL_START or a.text.endswith("_t"):
        return True
    if len(stmt) > 1 and stmt[1].kind == "ident":
        return True
    return (len(stmt) > 3 and stmt[1].text == "*" and stmt[2].kind == "ident"
            and stmt[3].text in ("=", ";", "[", ","))


def statements(code):
    """Simple statements of the significant tokens CODE (no preprocessor lines):
    [(first, last, follows_block_boundary)] token index ranges ending at ';'.
    Control headers, case labels and declarations are not statements here."""
    out, i, start, boundary = [], 0, None, True
    while i < len(code):
        t = code[i]
        if start is None:
            if t.text in CONTROL:
                close = _match_paren(code, i + 1) if i + 1 < len(code) else None
                if close is None:
                    return out
                i, boundary = close + 1, False
                continue
            if t.text in ("else", "do"):
                i, boundary = i + 1, False
                continue
            if t.text in ("case", "default") or (t.kind == "ident" and i + 1 < len(code)
                                                 and code[i + 1].text == ":"):
                while i < len(code) and code[i].text != ":":
                    i += 1
                i, boundary = i + 1, True
                continue
            if t.text in (";", "{", "}"):
                i, boundary = i + 1, True
                continue
            start, at_boundary = i, boundary
        elif t.text == "(":
            close = _match_paren(code, i)
            if close is None:
                return out
            i = close + 1
            continue
        elif t.text in ("{", "}"):
            start, boundary = None, True     # an initialiser or something odd: not simple
            i += 1
            continue
        elif t.text == ";":
            if not _is_declaration(code[start:i + 1]):
                out.append((start, i, at_boundary))
            start, boundary = None, True
        i += 1
    return out


def c_mutants(path, lab, text, spans, names=None):
    """Mutants of C TEXT inside SPANS [(start_offset, end_offset)], in file order."""
    names = names or {}
    toks = tokenize(text)
    lines = text.splitlines()
    inside = lambda t: any(a <= t.start and t.end <= b for a, b in spans)  # noqa: E731
    code = [t for t in toks if t.kind != "comment"]
    found = []

    def add(tok_line, start, end, repl, desc, op):
        found.append(Mutant(path, lab, tok_line, lines[tok_line - 1].strip(), desc, op,
                            start, end, repl, before=text[start:end]))

    for k, t in enumerate(code):
        if not inside(t) or t.pp in ("include", "#", "?", "if", "ifdef", "ifndef", "error"):
            continue
        prev = code[k - 1] if k else None
        binary = _is_operand_end(prev) and not (t.text in ("*", "&") and prev.kind == "ident"
                                                and _is_type_name(code, k - 1))
        if t.kind == "punct" and t.text in RELATIONAL and binary:
            for r in RELATIONAL[t.text]:
                add(t.line, t.start, t.end, r, "'%s' -> '%s'" % (t.text, r), "relational")
        elif t.kind == "punct" and t.text in ARITHMETIC and (
                binary or t.text not in MAYBE_UNARY):
            for r in ARITHMETIC[t.text]:
                add(t.line, t.start, t.end, r, "'%s' -> '%s'" % (t.text, r), "arithmetic")
        elif t.text in INCDEC:
            add(t.line, t.start, t.end, INCDEC[t.text], "'%s' -> '%s'" % (t.text,
                INCDEC[t.text]), "arithmetic")
        elif t.text in ("~", "!") and not t.pp:
            add(t.line, t.start, t.end, "", "drop '%s'" % t.text,
                "arithmetic" if t.text == "~" else "negate")
        elif t.kind == "number":
            parsed = _int_value(t.text)
            if parsed:
                value, render = parsed
                for v in constant_values(value):
                    add(t.line, t.start, t.end, render(v), "'%s' -> '%s'" % (t.text, render(v)),
                        "constant")
        elif t.kind == "ident" and t.text in names:
            for n in names[t.text]:
                add(t.line, t.start, t.end, n, "'%s' -> '%s'" % (t.text, n), "name")
        if t.text in ("if", "while") and not t.pp and k + 1 < len(code):
            close = _match_paren(code, k + 1)
            if close is not None:
                a, b = code[k + 1].end, code[close].start
                add(t.line, a, b, "!(" + text[a:b] + ")", "negate '%s' condition" % t.text,
                    "negate")
    stmts = [s for s in statements([t for t in code if not t.pp])]
    plain = [t for t in code if not t.pp]
    for n, (a, b, first_boundary) in enumerate(stmts):
        ta, tb = plain[a], plain[b]
        if not (inside(ta) and inside(tb)):
            continue
        body = text[ta.start:tb.end]
        add(ta.line, ta.start, tb.end, "{}" + "\n" * body.count("\n"),
            "delete '%s'" % _short(body), "delete")
        if n + 1 < len(stmts):
            c, d, boundary = stmts[n + 1]
            tc, td = plain[c], plain[d]
            between = text[tb.end:tc.start]
            if first_boundary and boundary and c == b + 1 and inside(td) and not between.strip(" \t\n"):
                other = text[tc.start:td.end]
                add(ta.line, ta.start, td.end, other + between + body,
                    "swap '%s' with next '%s'" % (_short(body), _short(other)), "swap")
    return _numbered(sorted(found, key=lambda m: (m.start, m.end)))


def _short(s, width=40):
    s = " ".join(s.split())
    return s if len(s) <= width else s[:width - 3] + "..."


def _numbered(mutants):
    seen = {}
    for m in mutants:
        key = (m.source, m.desc)
        m.nth = seen.get(key, 0)
        seen[key] = m.nth + 1
        if m.nth:
            m.desc += " #%d" % (m.nth + 1)
    return mutants


# ---- nasm ------------------------------------------------------------------
JCC = {"je": "jne", "jne": "je", "jz": "jnz", "jnz": "jz", "jl": "jge", "jge": "jl",
       "jle": "jg", "jg": "jle", "jb": "jae", "jae": "jb", "jbe": "ja", "ja": "jbe",
       "jc": "jnc", "jnc": "jc", "js": "jns", "jns": "js"}
ASM_SWAP = {"add": "sub", "sub": "add", "inc": "dec", "dec": "inc", "and": "or", "or": "and",
            "shl": "shr", "shr": "shl", "push": "pop", "pop": "push"}
REGS = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]
ASM_INSN = re.compile(r"^(\s*)([a-z][a-z0-9]*)\b([^;\n]*?)(\s*)(;.*)?$")


def nasm_mutants(path, lab, text, spans):
    """Mutants of nasm TEXT inside SPANS: jcc/opcode swaps, constants, neighbouring
    registers, deleted and swapped instructions."""
    found, pos, insns = [], 0, []
    for no, line in enumerate(text.splitlines(keepends=True), 1):
        start, pos = pos, pos + len(line)
        body = line.rstrip("\n")
        m = ASM_INSN.match(body)
        if not m or not any(a <= start and start + len(body) <= b for a, b in spans):
            continue
        if m.group(2) in ("section", "global", "extern", "bits", "align", "times") or \
                m.group(3).lstrip().startswith(":"):
            continue
        src = body.strip()
        ins_start = start + m.start(2)
        ins_end = start + m.end(3)
        insns.append((no, src, ins_start, ins_end, text[ins_start:ins_end]))

        def add(a, b, repl, desc, op):
            found.append(Mutant(path, lab, no, src, desc, op, a, b, repl, before=text[a:b]))
        mn = m.group(2)
        if mn in JCC:
            add(start + m.start(2), start + m.end(2), JCC[mn], "'%s' -> '%s'" % (mn, JCC[mn]),
                "relational")
        if mn in ASM_SWAP:
            add(start + m.start(2), start + m.end(2), ASM_SWAP[mn],
                "'%s' -> '%s'" % (mn, ASM_SWAP[mn]), "arithmetic")
        for om in re.finditer(r"\b(0x[0-9a-fA-F]+|\d+)\b|\b(e[a-ds][xip]|e[sd]i|esp|ebp)\b",
                              m.group(3)):
            a, b = start + m.start(3) + om.start(), start + m.start(3) + om.end()
            if om.group(1):
                v = int(om.group(1), 0)
                for r in constant_values(v):
                    rs = hex(r) if om.group(1).startswith("0x") else str(r)
                    add(a, b, rs, "'%s' -> '%s'" % (om.group(1), rs), "constant")
            elif om.group(2) in REGS:
                i = REGS.index(om.group(2))
                for r in (REGS[(i - 1) % 8], REGS[(i + 1) % 8]):
                    add(a, b, r, "'%s' -> '%s'" % (om.group(2), r), "name")
        add(ins_start, ins_end, "", "delete '%s'" % _short(text[ins_start:ins_end]), "delete")
    for (n1, s1, a1, b1, t1), (n2, s2, a2, b2, t2) in zip(insns, insns[1:]):
        if n2 == n1 + 1:
            found.append(Mutant(path, lab, n1, s1, "swap '%s' with next '%s'" % (
                _short(t1), _short(t2)), "swap", a1, b2, t2 + text[b1:a2] + t1,
                before=text[a1:b2]))
    return _numbered(sorted(found, key=lambda m: (m.start, m.end, m.desc)))
