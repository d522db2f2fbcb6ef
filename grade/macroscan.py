"""macroscan.py: find C preprocessor directives in student code that touch the test framework's names."""
import re

# Names no student code may (re)define or undefine: the test framework's,
# those the reference's test headers define (passed in), and C's keywords;
# push_macro/pop_macro are refused outright (they restore a definition
# made elsewhere).
TEST_NAMES = re.compile(r"(?:KTEST\w*|KT_\w+|ktest_\w+|TESTS?_\w+)\Z")
C_KEYWORDS = set("""auto break case char const continue default do double else enum extern
float for goto if inline int long register restrict return short signed sizeof static
struct switch typedef union unsigned void volatile while _Bool _Static_assert""".split())
DIRECTIVE = re.compile(r"^[ \t]*(?:#|%:)[ \t]*(define|undef)[ \t]+(\w+)", re.M)
MACRO_STACK = re.compile(r"\b(?:push|pop)_macro\b")
C_LIKE = (".c", ".h", ".S", ".inc")


# One token of C source: a string or character constant (to its closing
# quote, the end of its line or of the text; a backslash escapes the next
# character), a block comment (to "*/" or the end), a line comment, a run of
# other characters, or a lone "/".
_TOKEN = re.compile(r"""(["'])(?:\\[\s\S]?|(?!\1)[^\\\n])*(?:\1|\n)?"""
                    r"|/\*[\s\S]*?(?:\*/|\Z)|//[^\n]*|[^\"'/]+|/")


def strip_comments(text):
    """C source TEXT with its comments replaced by a space (strings and
    character constants kept), after joining backslash-continued lines."""
    text = text.replace("\\\r\n", "").replace("\\\n", "")
    return _TOKEN.sub(lambda m: " " if m.group(0)[:2] in ("/*", "//") else m.group(0), text)


def macro_overrides(text, names=()):
    """What C source TEXT does to names it may not touch: ['#undef KTEST', ...]."""
    clean = strip_comments(text)
    found = ["#%s %s" % (m.group(1), m.group(2)) for m in DIRECTIVE.finditer(clean)
             if TEST_NAMES.match(m.group(2)) or m.group(2) in C_KEYWORDS
             or m.group(2) in names]
    if MACRO_STACK.search(text.replace("\\\n", "")):
        found.append("#pragma push_macro/pop_macro")
    return found


def defined_names(text):
    """The macros C source TEXT #defines."""
    return {m.group(2) for m in DIRECTIVE.finditer(strip_comments(text))
            if m.group(1) == "define"}
