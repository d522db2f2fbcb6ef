"""linetag.py: per-boot keys and the SipHash-2-4 tags on KTEST/KMETRIC lines (common/siphash.c is its twin)."""
import re
import secrets

KEY_NAME = "ktkey"            # kernel command-line key: ktkey=<32 hex digits>
KEY_HEX = 32                  # 128-bit key
_MASK = (1 << 64) - 1
# A tagged line: "<body> #<seq>:<16 hex digits>"; the MAC covers "<body> #<seq>".
_RE_TAGGED = re.compile(r"^(.*) #(\d{1,9}):([0-9a-f]{16})$")


def new_key():
    """A fresh random key as 32 lowercase hex digits (one per boot)."""
    return secrets.token_hex(KEY_HEX // 2)


def key_word(key):
    """The command-line word that hands KEY to the kernel's test runner."""
    return "%s=%s" % (KEY_NAME, key)


def key_of(cmdline):
    """The key on CMDLINE: the first well-formed ktkey= word, as in the kernel; or None."""
    for word in cmdline.split():
        value = word[len(KEY_NAME) + 1:]
        if word.startswith(KEY_NAME + "=") and re.fullmatch(r"[0-9a-fA-F]{%d}" % KEY_HEX, value):
            return value
    return None


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & _MASK


def _round(v0, v1, v2, v3):
    v0 = (v0 + v1) & _MASK; v1 = _rotl(v1, 13) ^ v0; v0 = _rotl(v0, 32)
    v2 = (v2 + v3) & _MASK; v3 = _rotl(v3, 16) ^ v2
    v0 = (v0 + v3) & _MASK; v3 = _rotl(v3, 21) ^ v0
    v2 = (v2 + v1) & _MASK; v1 = _rotl(v1, 17) ^ v2; v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


def siphash24(key, msg):
    """SipHash-2-4 of bytes MSG under the 16-byte KEY, as an int (the reference
    output's 8 bytes read little-endian)."""
    if len(key) != 16:
        raise ValueError("SipHash key must be 16 bytes, not %d" % len(key))
    k0, k1 = int.from_bytes(key[:8], "little"), int.from_bytes(key[8:], "little")
    v0, v1 = k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d
    v2, v3 = k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573
    full = len(msg) - len(msg) % 8
    for i in range(0, full, 8):
        m = int.from_bytes(msg[i:i + 8], "little")
        v3 ^= m
        v0, v1, v2, v3 = _round(*_round(v0, v1, v2, v3))
        v0 ^= m
    last = ((len(msg) & 0xff) << 56) | int.from_bytes(msg[full:], "little")
    v3 ^= last
    v0, v1, v2, v3 = _round(*_round(v0, v1, v2, v3))
    v0 ^= last
    v2 ^= 0xff
    for _ in range(4):
        v0, v1, v2, v3 = _round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def key_bytes(key):
    """KEY (32 hex digits) as 16 bytes; ValueError if malformed."""
    if not re.fullmatch(r"[0-9a-fA-F]{%d}" % KEY_HEX, key or ""):
        raise ValueError("%s must be %d hex digits, got %r" % (KEY_NAME, KEY_HEX, key))
    return bytes.fromhex(key)


def tag(key, seq, body):
    """BODY (a line from "KTEST " or "KMETRIC " on) tagged as sequence number SEQ
    under KEY, exactly as the kernel prints it."""
    signed = "%s #%d" % (body, seq)
    mac = siphash24(key_bytes(key), signed.encode("utf-8", "surrogateescape"))
    return "%s:%016x" % (signed, mac)


def check(key, text):
    """(body, seq, problem) for TEXT, a protocol line from "KTEST " on, under
    KEY: problem is None when the tag is valid, else why it is not (body and
    seq are then what could be read, or (TEXT, None))."""
    m = _RE_TAGGED.match(text)
    if m is None:
        return text, None, "no tag"
    body, seq = m.group(1), int(m.group(2))
    if tag(key, seq, body) != text:
        return body, seq, "wrong tag"
    return body, seq, None
