"""Differential fuzzing of `rjson.loads` against `json.loads` on mutated documents: the same
value (types, float bits, key order) or the same exception (type and message; for
`JSONDecodeError` also msg, pos, lineno, colno, doc).

The first byte picks the input type (bytes, str, bytearray, memoryview) and the keywords
(hooks, `strict=False`); the rest is the document. A str is made with `surrogateescape`, so
lone surrogates reach the str path too.

    python fuzz/python/loads_diff.py CORPUS_DIR [SEED_DIR...] -max_total_time=60
"""

import decimal
import json
import sys

from common import assert_same_outcome, outcome, run

import rjson

# Each keyword set is passed to both libraries; hooks return comparable values.
KEYWORDS = [
    {},
    {"parse_float": decimal.Decimal},
    {"object_pairs_hook": list},
    {"object_hook": lambda d: sorted(d.items(), key=repr)},
    {"parse_int": str, "parse_constant": str},
    {"strict": False},
    {"parse_float": float, "parse_int": int},
    {"object_pairs_hook": dict, "strict": False},
]


def canon(x):
    """Decimals (from parse_float) compared by their exact text, NaN included."""
    if isinstance(x, decimal.Decimal):
        return ("Decimal", str(x))
    if isinstance(x, list):
        return [canon(v) for v in x]
    if isinstance(x, tuple):
        return tuple(canon(v) for v in x)
    if isinstance(x, dict):
        return {k: canon(v) for k, v in x.items()}
    return x


def document(kind, data):
    if kind == 0:
        return data
    if kind == 1:
        return data.decode("utf-8", "surrogateescape")
    if kind == 2:
        return bytearray(data)
    return memoryview(data)


def is_recursion_error(result):
    return result[0] == "raise" and isinstance(result[1], RecursionError)


def with_recursion_limit(limit, func, *args, **kwargs):
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        return func(*args, **kwargs)
    finally:
        sys.setrecursionlimit(old)


def test_one_input(data):
    if not data:
        return
    head, body = data[0], data[1:]
    kind, keywords = head & 3, KEYWORDS[(head >> 2) % len(KEYWORDS)]
    doc = document(kind, body)
    # json has no memoryview input: it reads the same bytes.
    oracle_doc = bytes(body) if kind == 3 else doc
    want = outcome(json.loads, oracle_doc, **keywords)
    got = outcome(rjson.loads, doc, **keywords)
    if is_recursion_error(want) and not is_recursion_error(got):
        # json's nesting limit is the recursion limit less the frames already in use (json's
        # own three Python frames among them); rjson's is the recursion limit itself. Near
        # it, rjson reads on: what it says must be what json says with frames to spare.
        want = with_recursion_limit(sys.getrecursionlimit() + 100, outcome, json.loads, oracle_doc, **keywords)
    # Values nest as deep as the recursion limit allowed the parse; comparing them recursively
    # in Python needs some frames more (Python-to-Python calls do not grow the C stack).
    def compare():
        nonlocal want, got
        if want[0] == got[0] == "ok":
            want, got = ("ok", canon(want[1])), ("ok", canon(got[1]))
        assert_same_outcome(got, want, doc)

    with_recursion_limit(sys.getrecursionlimit() + 1000, compare)


if __name__ == "__main__":
    run(test_one_input)
