"""Differential fuzzing of rjson's orjson face (`rjson.orjson`) against the real orjson:
`loads` on mutated documents (the same value, or the same JSONDecodeError: message, position,
document), and `dumps` on generated objects with option flags (the same bytes, or the same
exception type). Exits at once, saying so, while rjson has no orjson face.

    python fuzz/python/orjson_diff.py CORPUS_DIR [SEED_DIR...] -max_total_time=60
"""

import importlib
import sys

import atheris

from common import assert_same_outcome, outcome, run

try:
    face = importlib.import_module("rjson.orjson")
except ImportError:
    face = None
import orjson

from dumps_diff import value

OPTIONS = ["OPT_INDENT_2", "OPT_SORT_KEYS", "OPT_NON_STR_KEYS", "OPT_APPEND_NEWLINE",
           "OPT_STRICT_INTEGER", "OPT_PASSTHROUGH_SUBCLASS", "OPT_SERIALIZE_NUMPY"]


def same_kind(got, want, context):
    """Values must agree exactly; for exceptions only the type (messages are orjson's own)."""
    if got[0] == want[0] == "raise":
        assert type(got[1]).__name__ == type(want[1]).__name__, (context, got[1], want[1])
        assert isinstance(got[1], TypeError) == isinstance(want[1], TypeError)
        return
    assert_same_outcome(got, want, context)


def same_loads(got, want, doc):
    """As `same_kind`, and a JSONDecodeError says what orjson's says, where orjson says it;
    except where orjson's parse buffer ran out on an invalid document dense in values (a
    documented difference: rjson reports the syntax error itself)."""
    same_kind(got, want, doc)
    if want[0] == "raise" and isinstance(want[1], orjson.JSONDecodeError) and want[1].msg != "failed to allocate memory":
        def facts(e):
            return e.msg, e.pos, e.lineno, e.colno, e.doc
        assert facts(got[1]) == facts(want[1]), (doc, facts(got[1]), facts(want[1]))


def test_one_input(data):
    if not data:
        return
    if data[0] & 1:
        doc = data[1:] if data[0] & 2 else data[1:].decode("utf-8", "surrogateescape")
        same_loads(outcome(face.loads, doc), outcome(orjson.loads, doc), doc)
        return
    fdp = atheris.FuzzedDataProvider(data[1:])
    option = 0
    for name in OPTIONS:
        if fdp.ConsumeBool() and hasattr(orjson, name):
            option |= getattr(orjson, name)
    obj = value(fdp, 0)
    want = outcome(orjson.dumps, obj, option=option)
    got = outcome(face.dumps, obj, option=option)
    same_kind(got, want, (obj, option))


if __name__ == "__main__":
    if face is None:
        print("orjson_diff: rjson has no orjson face (rjson.orjson) yet; nothing to fuzz")
        sys.exit(0)
    run(test_one_input)
