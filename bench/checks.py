"""Correctness before timing: each library's output against the stdlib's (the reference).

- loads: an exact library (rjson) must return an object whose stdlib dump is the same as the
  reference's: same values, same key order, same scalar types (1 is not 1.0 nor true) and the
  same float values (repr, so -0.0 != 0.0) — at C speed, where walking a big document in
  Python would take longer than timing it; a peer must return an object that is ==. The
  first difference is then located by a walk.
- dumps: an exact library must return a str identical to json's. A peer's output (bytes are
  decoded as UTF-8) must be identical after normalising what differs between libraries
  without changing what is written or its cost: the spelling of floats (orjson and msgspec
  write 1e-6 where Python writes 1e-06) and the hex case of \\u escapes (rapidjson writes
  \\u00E9). Anything else (ujson's ensure_ascii leaving DEL unescaped, orjson's indent writing
  UTF-8 instead of \\u escapes) makes the peer n/a for that workload.
"""
from __future__ import annotations

import json
import re
from typing import Any, Optional

MAX_DEPTH = 10_000

# A JSON string, or a number with a fraction or an exponent. Strings come first in the
# alternation so that digits inside them are never taken for numbers.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?:\.\d+)?[eE][-+]?\d+|-?\d+\.\d+')
_ESCAPE = re.compile(r"\\(?:u[0-9A-Fa-f]{4}|.)", re.S)


def _lower_u_escape(m: "re.Match[str]") -> str:
    return m.group(0).lower() if m.group(0)[1] == "u" else m.group(0)


def _normal_token(m: "re.Match[str]") -> str:
    tok = m.group(0)
    if tok[0] == '"':
        return _ESCAPE.sub(_lower_u_escape, tok) if "\\u" in tok else tok
    return repr(float(tok))


def normalise(text: str) -> str:
    return _TOKEN.sub(_normal_token, text)


def first_difference(a: Any, b: Any, strict: bool, path: str = "$", depth: int = 0) -> Optional[str]:
    """None if a and b are equal JSON values; otherwise where and how they first differ.

    strict: types must match exactly (int vs float vs bool, str subclasses), dict key order
    must match, floats must have the same repr (so -0.0 != 0.0, nan == nan).
    """
    if depth > MAX_DEPTH:
        return f"{path}: nesting deeper than {MAX_DEPTH}"
    if strict and type(a) is not type(b):
        return f"{path}: type {type(a).__name__} != {type(b).__name__} ({_short(a)} vs {_short(b)})"
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) != len(b):
            extra = [k for k in a if k not in b][:3]
            missing = [k for k in b if k not in a][:3]
            return f"{path}: dict of {len(a)} keys != {len(b)} keys (extra {extra}, missing {missing})"
        if strict:
            for i, (ka, kb) in enumerate(zip(a, b)):
                if type(ka) is not type(kb) or ka != kb:
                    return f"{path}: key #{i} is {_short(ka)}, expected {_short(kb)} (key order or value)"
        for k, va in a.items():
            if k not in b:
                return f"{path}: unexpected key {_short(k)}"
            d = first_difference(va, b[k], strict, f"{path}[{k!r}]", depth + 1)
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: list of {len(a)} items != {len(b)}"
        for i, (va, vb) in enumerate(zip(a, b)):
            d = first_difference(va, vb, strict, f"{path}[{i}]", depth + 1)
            if d:
                return d
        return None
    if strict and isinstance(a, float):
        return None if repr(a) == repr(b) else f"{path}: {a!r} != {b!r}"
    if a != b:
        return f"{path}: {_short(a)} != {_short(b)}"
    return None


def _short(v: Any, n: int = 60) -> str:
    r = repr(v)
    return r if len(r) <= n else r[: n - 3] + "..."


def text_difference(out: str, ref: str) -> Optional[str]:
    if out == ref:
        return None
    n = min(len(out), len(ref))
    i = next((i for i in range(n) if out[i] != ref[i]), n)
    lo = max(0, i - 30)
    return (f"differs from json's at offset {i} (lengths {len(out)} vs {len(ref)}): "
            f"got {out[lo:i + 30]!r}, json wrote {ref[lo:i + 30]!r}")


class Expected:
    """The stdlib's output for one workload, and the checks of other libraries' outputs."""

    def __init__(self, kind: str, reference: Any) -> None:
        self.kind = kind               # "loads" or "dumps"
        self.reference = reference
        self._normal: Optional[str] = None   # the reference, normalised (dumps) or dumped (loads)

    def _same_value(self, out: Any, exact: bool) -> bool:
        if not exact:
            return out == self.reference
        if self._normal is None:
            self._normal = json.dumps(self.reference)
        return type(out) is type(self.reference) and json.dumps(out) == self._normal

    def check(self, out: Any, exact: bool) -> Optional[str]:
        """None if `out` is right; otherwise why not."""
        if self.kind == "loads":
            if self._same_value(out, exact):
                return None
            return first_difference(out, self.reference, strict=exact) or "differs (the walk found no difference)"
        if exact:
            if type(out) is not str:
                return f"returned {type(out).__name__}, expected str"
            return text_difference(out, self.reference)
        try:
            text = out.decode() if isinstance(out, (bytes, bytearray)) else out
        except UnicodeDecodeError as exc:
            return f"output is not UTF-8: {exc}"
        if not isinstance(text, str):
            return f"returned {type(out).__name__}, expected str or bytes"
        if text == self.reference:
            return None
        if self._normal is None:
            self._normal = normalise(self.reference)
        d = text_difference(normalise(text), self._normal)
        return f"after normalising floats and escapes, {d}" if d else None
