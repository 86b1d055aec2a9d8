"""Correctness before timing: each library's output for a workload against the stdlib's.

- loads: an exact library (rjson) must return an equal object with the same types, the same
  key order and the same float values (repr); a peer (orjson) must return an object that is ==.
- dumps: an exact library must return a str identical to json's; a peer's output (bytes or
  str) must parse back (with json.loads) to an object == to the document.
"""
from __future__ import annotations

import json
from typing import Any, Optional

MAX_DEPTH = 10_000


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
    return (f"output differs from json's at offset {i} (lengths {len(out)} vs {len(ref)}): "
            f"got {out[lo:i + 30]!r}, json wrote {ref[lo:i + 30]!r}")


def check_loads(out: Any, reference: Any, exact: bool) -> Optional[str]:
    return first_difference(out, reference, strict=exact)


def check_dumps(out: Any, reference_text: str, doc: Any, exact: bool) -> Optional[str]:
    if exact:
        if type(out) is not str:
            return f"returned {type(out).__name__}, expected str"
        return text_difference(out, reference_text)
    try:
        back = json.loads(out)
    except Exception as exc:
        return f"output does not parse with json.loads: {type(exc).__name__}: {exc}"
    d = first_difference(back, doc, strict=False)
    return f"output parses to a different document: {d}" if d else None
