"""Synthetic documents: one shape of data each, where the corpus files mix many.

Every generator is seeded, so the benchmark's processes (one per venv) build the same
documents. A document's text (what loads reads) is its compact stdlib dump, non-ASCII kept.
"""
from __future__ import annotations

import random
import string
from typing import Any, Callable, Dict, List, Tuple

N = 100_000
SEED = 4   # issue 4

# orjson and pyrjson refuse to dump anything nested deeper than 254 levels (every other
# library takes ~1000, the interpreter's recursion limit): the deepest all of them accept.
# Few chains: json's pure-Python indent encoder is quadratic in the depth.
DEEP_LEVELS = 254
DEEP_CHAINS = 20

_ASCII = string.ascii_letters + string.digits + " .,:;-_!?()[]{}@#$%&*+=<>/|~"
# Latin-1 (1-byte kind), Cyrillic and CJK (2-byte kind), emoji (4-byte kind).
_SCRIPTS = [
    "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿ",
    "".join(map(chr, range(0x0410, 0x0450))),
    "".join(map(chr, range(0x4E00, 0x4E00 + 400))),
    "".join(map(chr, range(0x1F600, 0x1F650))),
]
_ESCAPED = '"\\\n\t\r\b\f' + "".join(map(chr, range(0x01, 0x20)))


def _rng() -> random.Random:
    return random.Random(SEED)


def ints() -> List[int]:
    """Every magnitude from 1 to 18 digits (all within 64 bits, as orjson requires), 1 in 5 negative."""
    r = _rng()
    out = []
    for _ in range(N):
        digits = r.randint(1, 18)
        v = r.randrange(10 ** (digits - 1), 10 ** digits)
        out.append(-v if r.random() < 0.2 else v)
    return out


def floats() -> List[float]:
    """Half short decimals (prices, measurements), half full 17-digit doubles (coordinates)."""
    r = _rng()
    out = []
    for i in range(N):
        if i % 2:
            out.append(round(r.uniform(0, 10_000), r.randint(1, 4)))
        else:
            out.append(r.uniform(-1, 1) * 10.0 ** r.randint(-8, 8))
    return out


def ascii_strings() -> List[str]:
    r = _rng()
    return ["".join(r.choices(_ASCII, k=r.randint(1, 32))) for _ in range(N)]


def nonascii_strings() -> List[str]:
    """Each string one script mixed with ASCII letters and spaces, so every str kind occurs."""
    r = _rng()
    out = []
    for _ in range(N):
        alphabet = r.choice(_SCRIPTS) + "abc xyz "
        out.append("".join(r.choices(alphabet, k=r.randint(1, 32))))
    return out


def escape_heavy() -> List[str]:
    """10k strings of 64 characters, a quarter of which the writer must escape."""
    r = _rng()
    return ["".join(r.choice(_ESCAPED) if r.random() < 0.25 else r.choice(string.ascii_letters)
                    for _ in range(64))
            for _ in range(10_000)]


def _scalar(i: int) -> Any:
    return [i, f"value {i}", i / 7, i % 3 == 0, None][i % 5]


def wide_dict() -> Dict[str, Any]:
    r = _rng()
    return {f"{r.choice(string.ascii_lowercase)}{r.randrange(10 ** 6)}_{i}": _scalar(i) for i in range(10_000)}


def records() -> List[Dict[str, Any]]:
    r = _rng()
    return [{"id": i, "name": "".join(r.choices(string.ascii_lowercase, k=8)), "active": i % 3 != 0,
             "score": round(r.uniform(0, 100), 2), "tags": r.sample(["a", "b", "c", "d", "e"], 2),
             "parent": None}
            for i in range(10_000)]


def small_object() -> Dict[str, Any]:
    """About 100 bytes: per-call overhead (argument parsing, allocation) dominates."""
    return {"id": 12345, "name": "Alice", "email": "alice@example.com", "active": True,
            "score": 98.6, "tags": ["admin", "ops"]}


def deep_nesting() -> List[Any]:
    """DEEP_CHAINS chains of dicts and lists alternating, DEEP_LEVELS levels counting the outer list."""
    def chain(i: int) -> Any:
        v: Any = i
        for level in range(DEEP_LEVELS - 1):
            v = [v] if level % 2 else {"k": v}
        return v
    return [chain(i) for i in range(DEEP_CHAINS)]


# name -> (what it is, generator); the names are what --only matches.
DOCUMENTS: Dict[str, Tuple[str, Callable[[], Any]]] = {
    "ints_100k": ("100k ints of 1 to 18 digits", ints),
    "floats_100k": ("100k floats, half short decimals, half 17-digit", floats),
    "ascii_strs_100k": ("100k ASCII strings of 1-32 chars", ascii_strings),
    "nonascii_strs_100k": ("100k strings of Latin-1, Cyrillic, CJK or emoji mixed with ASCII", nonascii_strings),
    "escapes_10k": ("10k 64-char strings, 25% characters that need escaping", escape_heavy),
    "dict_10k_keys": ("one dict of 10k keys, scalar values", wide_dict),
    "records_10k": ("10k records of 6 fields", records),
    "object_100b": ("one ~100-byte object", small_object),
    "deep_254": (f"{DEEP_CHAINS} chains nested {DEEP_LEVELS} levels deep", deep_nesting),
}
